// The fp32 AMP forms: f32sisoamp (one set) and f32sisov2amp (both sets) run
// groups of 8 phases. Small integer data, results from host loops.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <vector>

#include "amp_harness.hpp"
#include "sim/common/error.hpp"

using namespace ipusim;
using namespace ipusim::test::amp;

namespace {
// fp32 weight of output channel oc, input channel ic (0..7), and input ic.
int fw(unsigned oc, unsigned ic) { return static_cast<int>((oc * 3 + ic * 7) % 13) - 6; }
int fx(unsigned ic, unsigned salt) { return static_cast<int>(ic * 3 + salt * 5) % 9 - 4; }
} // namespace

TEST_CASE("f32sisoamp: 8 phases, input p times weight p (word p/2, low or high), outputs at even phases") {
  Weights w;
  for (unsigned u = 0; u < 8; ++u)
    for (unsigned n = 0; n < 4; ++n) w.at(0, u, n) = floats(fw(u, 2 * n), fw(u, 2 * n + 1));
  std::vector<uint64_t> xs, ps;
  for (unsigned p = 0; p < 8; ++p) xs.push_back(floats(fx(p, 1), 0));
  for (unsigned u = 0; u < 8; u += 2) ps.push_back(floats(0.5f * u, 0.5f * (u + 1)));
  // Group 0: partials at even phases, zero input; group 1: the input; group 2: drain.
  std::string b;
  unsigned o = 0;
  for (unsigned g = 0; g < 3; ++g)
    for (unsigned p = 0; p < 8; ++p) {
      b += g == 1 ? fmt::format("  ld32 $a0, $m8, $mzero, {}\n", 2 * p) : "  zero $a0\n";
      b += g == 0 && p % 2 == 0 ? fmt::format("  ld64 $a2:3, $m7, $mzero, {}\n", p / 2) : "  zero $a2:3\n";
      b += fmt::format("  f32sisoamp $a4:5, $a0, $a2:3, {}\n  st64 $a4:5, $m9, $mzero, {}\n",
                       p, o++);
    }
  auto r = test::run(program(w, 1, b, xs, ps));
  REQUIRE(r->core.finished());
  for (unsigned p = 0; p < 8; ++p) {
    uint64_t got = out64(*r, 16 + p);
    if (p % 2) {
      CHECK(got == 0); // odd phases exchange nothing
      continue;
    }
    for (unsigned k = 0; k < 2; ++k) {
      unsigned u = p + k;
      double want = 0.5 * u;
      for (unsigned ic = 0; ic < 8; ++ic) want += fw(u, ic) * fx(ic, 1);
      CHECK_MESSAGE(from_bits(uint32_t(got >> (32 * k))) == static_cast<float>(want), "unit ", u);
    }
  }
}

TEST_CASE("f32sisov2amp: both sets, 16 channels, phase p hands out channels 2p and 2p+1") {
  // Channel oc lives in set (oc / 2) % 2, unit 2 (oc / 4) + oc % 2 (poplibs' 16-engine slot order).
  Weights w;
  for (unsigned oc = 0; oc < 16; ++oc) {
    unsigned set = (oc / 2) % 2, unit = 2 * (oc / 4) + oc % 2;
    for (unsigned n = 0; n < 4; ++n) w.at(set, unit, n) = floats(fw(oc, 2 * n), fw(oc, 2 * n + 1));
  }
  std::vector<uint64_t> xs, ps;
  for (unsigned p = 0; p < 8; ++p) xs.push_back(floats(fx(p, 2), 0));
  for (unsigned p = 0; p < 8; ++p) ps.push_back(floats(2.0f * p, -1.0f - p));
  std::string b;
  unsigned o = 0;
  for (unsigned g = 0; g < 3; ++g)
    for (unsigned p = 0; p < 8; ++p) {
      b += g == 1 ? fmt::format("  ld32 $a0, $m8, $mzero, {}\n", 2 * p) : "  zero $a0\n";
      b += g == 0 ? fmt::format("  ld64 $a2:3, $m7, $mzero, {}\n", p) : "  zero $a2:3\n";
      b += fmt::format("  f32sisov2amp $a4:5, $a0, $a2:3, {}\n  st64 $a4:5, $m9, $mzero, {}\n", p, o++);
    }
  auto r = test::run(program(w, 2, b, xs, ps), two_sets());
  REQUIRE(r->core.finished());
  for (unsigned k = 0; k < 16; ++k) CHECK(out64(*r, k) == 0); // the fill and the group of partials alone
  for (unsigned oc = 0; oc < 16; ++oc) {
    double want = oc % 2 ? -1.0 - oc / 2 : 2.0 * (oc / 2);
    for (unsigned ic = 0; ic < 8; ++ic) want += fw(oc, ic) * fx(ic, 2);
    float got = from_bits(uint32_t(out64(*r, 16 + oc / 2) >> (32 * (oc % 2))));
    CHECK_MESSAGE(got == static_cast<float>(want), "channel ", oc);
  }
  // One AMP set: the two-set form faults; phases beyond 7 fault.
  CHECK_THROWS_WITH_AS(test::run(program(w, 1, "  f32sisov2amp $a4:5, $a0, $a2:3, 0\n", {}, {})),
                       doctest::Contains("f32sisov2amp needs 2 AMP sets"), SimulationError);
  CHECK_THROWS_WITH_AS(test::run(program(w, 1, "  f32sisoamp $a4:5, $a0, $a2:3, 8\n", {}, {})),
                       doctest::Contains("fp32 AMP phase 8 is out of range"), SimulationError);
}
