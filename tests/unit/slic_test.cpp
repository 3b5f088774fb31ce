// SLIC (slim convolution) and the accumulator shuffle (f16v4stacc /
// f16v4istacc). Data are small integers, so every product and sum is exact;
// the expected results are computed here with plain integer loops over the
// formulas of docs/model.md ("The AMP"), independently of the simulator's
// stage-by-stage pipeline.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <vector>

#include "amp_harness.hpp"
#include "sim/common/error.hpp"

using namespace ipusim;
using namespace ipusim::test::amp;

namespace {

// Small integer data.
int wv(unsigned set, unsigned unit, unsigned word, unsigned k) {
  return static_cast<int>((unit + 1) * (k + 2) + 3 * word + 5 * set) % 7 - 3;
}
int xv(unsigned t, unsigned k) { return static_cast<int>(t * 3 + k * 5) % 9 - 4; }

Weights half_weights(unsigned sets) {
  Weights w;
  for (unsigned s = 0; s < sets; ++s)
    for (unsigned u = 0; u < 8; ++u)
      for (unsigned n = 0; n < 4; ++n)
        w.at(s, u, n) = halves(wv(s, u, n, 0), wv(s, u, n, 1), wv(s, u, n, 2), wv(s, u, n, 3));
  return w;
}

// The SLIC result of output f, channel j (0 even, 1 odd) of `set` with S stages and weight word n:
// R = P + sum over the window x(f) .. x(f + S - 1), x(f + k) meeting unit 2 (S - 1 - k) + j.
int slic_ref(const Weights &w, unsigned set, unsigned stages, unsigned n, const std::vector<uint64_t> &xs, unsigned f,
             unsigned j, int partial) {
  int r = partial;
  for (unsigned k = 0; k < stages; ++k) r += dot(xs[f + k], w.get(set, 2 * (stages - 1 - k) + j, n));
  return r;
}

// Drives `steps` SLIC steps: x from xs[t] (zero past its end), partials from ps[t] (zero past its
// end), result stored to out[t]. `insn` is the instruction with {x} for the input pair and {p} for
// the partials register(s).
std::string slic_body(unsigned steps, size_t nx, size_t np, const std::string &insn, const std::string &ptype) {
  std::string b;
  for (unsigned t = 0; t < steps; ++t) {
    b += t < nx ? fmt::format("  ld64 $a0:1, $m8, $mzero, {}\n", t) : "  zero $a0:1\n";
    if (ptype == "pair")
      b += t < np ? fmt::format("  ld64 $a2:3, $m7, $mzero, {}\n", t) : "  zero $a2:3\n";
    else
      b += t < np ? fmt::format("  ld32 $a2, $m7, $mzero, {}\n", 2 * t) : "  zero $a2\n";
    b += "  " + insn + "\n";
    b += "  st64 $a4:5, $m9, $mzero, " + std::to_string(t) + "\n";
  }
  return b;
}

} // namespace

TEST_CASE("f16v4sisoslic: 1x4 and 1x3 windows, both weight words, results after the pipeline fill") {
  const Weights w = half_weights(1);
  const unsigned N = 6; // outputs
  for (unsigned flags : {0u, 1u, 4u, 5u, 2u}) {
    const unsigned n = flags & 3, stages = (flags & 4) ? 3 : 4;
    std::vector<uint64_t> xs, ps;
    for (unsigned t = 0; t < N + stages - 1; ++t) xs.push_back(halves(xv(t, 0), xv(t, 1), xv(t, 2), xv(t, 3)));
    for (unsigned f = 0; f < N; ++f) ps.push_back(floats(10.0f * f + 1, -7.0f * f));
    const unsigned steps = N + stages;
    auto r = test::run(program(w, 1, slic_body(steps, xs.size(), ps.size(),
                                               fmt::format("f16v4sisoslic $a4:5, $a0:1, $a2:3, {}", flags), "pair"),
                               xs, ps));
    REQUIRE(r->core.finished());
    // The first step hands out the zeroed accumulators, the next stages - 1 incomplete windows
    // (the ISA's warm-up); step t >= stages outputs f = t - stages.
    CHECK(out64(*r, 0) == 0);
    for (unsigned f = 0; f < N; ++f) {
      uint64_t got = out64(*r, f + stages);
      for (unsigned j = 0; j < 2; ++j) {
        int p = j == 0 ? 10 * static_cast<int>(f) + 1 : -7 * static_cast<int>(f);
        int want = slic_ref(w, 0, stages, n, xs, f, j, p);
        CHECK_MESSAGE(from_bits(uint32_t(got >> (32 * j))) == static_cast<float>(want), "flags ", flags, " f ", f,
                      " channel ", j);
      }
    }
  }
}

TEST_CASE("f16v4hihoslic and f16v4sihoslic: half results, half or fp32 partials") {
  const Weights w = half_weights(1);
  const unsigned N = 5, stages = 4;
  std::vector<uint64_t> xs, hps, sps;
  for (unsigned t = 0; t < N + stages - 1; ++t) xs.push_back(halves(xv(t, 1), xv(t, 3), xv(t, 0), xv(t, 2)));
  for (unsigned f = 0; f < N; ++f) {
    int p0 = 3 * static_cast<int>(f) - 5, p1 = 9 - 2 * static_cast<int>(f);
    hps.push_back(h(p0) | (uint64_t(h(p1)) << 16)); // ld32 reads the low word of each
    sps.push_back(floats(p0, p1));
  }
  const unsigned steps = N + stages;
  for (unsigned flags : {0u, 1u}) {
    auto hiho = test::run(program(
        w, 1, slic_body(steps, xs.size(), hps.size(), fmt::format("f16v4hihoslic $a4, $a0:1, $a2, {}", flags), "one"),
        xs, hps));
    auto siho = test::run(program(w, 1,
                                  slic_body(steps, xs.size(), sps.size(),
                                            fmt::format("f16v4sihoslic $a4, $a0:1, $a2:3, {}", flags), "pair"),
                                  xs, sps));
    REQUIRE(hiho->core.finished());
    REQUIRE(siho->core.finished());
    for (unsigned f = 0; f < N; ++f)
      for (unsigned j = 0; j < 2; ++j) {
        int p = j == 0 ? 3 * static_cast<int>(f) - 5 : 9 - 2 * static_cast<int>(f);
        int want = slic_ref(w, 0, stages, flags, xs, f, j, p);
        CHECK_MESSAGE(lane(out64(*hiho, f + stages), j) == want, "hiho flags ", flags, " f ", f, " channel ", j);
        CHECK_MESSAGE(lane(out64(*siho, f + stages), j) == want, "siho flags ", flags, " f ", f, " channel ", j);
      }
  }
}

TEST_CASE("f16v4hihov4slic: both AMP sets on the same input, 4 half channels") {
  const Weights w = half_weights(2);
  const unsigned N = 5;
  for (unsigned flags : {0u, 5u}) {
    const unsigned n = flags & 3, stages = (flags & 4) ? 3 : 4;
    std::vector<uint64_t> xs, ps;
    for (unsigned t = 0; t < N + stages - 1; ++t) xs.push_back(halves(xv(t, 2), xv(t, 0), xv(t, 3), xv(t, 1)));
    for (unsigned f = 0; f < N; ++f) ps.push_back(halves(f, -int(f), 2 * f + 1, 7));
    auto r = test::run(program(w, 2, slic_body(N + stages, xs.size(), ps.size(),
                                               fmt::format("f16v4hihov4slic $a4:5, $a0:1, $a2:3, {}", flags), "pair"),
                               xs, ps),
                       two_sets());
    REQUIRE(r->core.finished());
    CHECK(out64(*r, 0) == 0);
    for (unsigned f = 0; f < N; ++f)
      for (unsigned c = 0; c < 4; ++c) {
        // Halves 0, 1: set 0's even and odd channel; halves 2, 3: set 1's.
        int want = slic_ref(w, c / 2, stages, n, xs, f, c % 2, lane(ps[f], c));
        CHECK_MESSAGE(lane(out64(*r, f + stages), c) == want, "flags ", flags, " f ", f, " channel ", c);
      }
  }
}

TEST_CASE("f32sisoslic: lower and upper fp32 weights in instruction pairs, D added in place") {
  Weights w;
  auto wl = [](unsigned u, unsigned n) { return static_cast<int>((u * 5 + n * 3) % 11) - 5; };
  auto wu = [](unsigned u, unsigned n) { return static_cast<int>((u * 7 + n + 2) % 9) - 4; };
  for (unsigned u = 0; u < 8; ++u)
    for (unsigned n = 0; n < 4; ++n) w.at(0, u, n) = floats(wl(u, n), wu(u, n));
  const unsigned N = 4;
  for (unsigned flags : {4u, 0u, 6u}) { // 1x3 word 0 (the ISA's example), 1x4 word 0, 1x3 word 2
    const unsigned n = flags & 3, stages = (flags & 4) ? 3 : 4;
    std::vector<uint64_t> xs, ps; // xs[t] = (xL, xU); ps[2f] = P(f), ps[2f + 1] = D(f)
    for (unsigned t = 0; t < N + stages - 1; ++t) xs.push_back(floats(xv(t, 0), xv(t, 1)));
    for (unsigned f = 0; f < N; ++f) {
      ps.push_back(floats(100.0f + f, -3.0f * f));
      ps.push_back(floats(f == 1 ? 1000.0f : 0.0f, 0.0f)); // D: zero except once
    }
    std::string b;
    const unsigned steps = N + stages;
    for (unsigned t = 0; t < steps; ++t)
      for (unsigned upper = 0; upper < 2; ++upper) {
        b += t < xs.size() ? fmt::format("  ld32 $a0, $m8, $mzero, {}\n", 2 * t + upper) : "  zero $a0\n";
        b += 2 * t + upper < ps.size() ? fmt::format("  ld64 $a2:3, $m7, $mzero, {}\n", 2 * t + upper)
                                       : "  zero $a2:3\n";
        b += fmt::format("  f32sisoslic $a4:5, $a0, $a2:3, {}\n", flags | (upper ? 8 : 0));
        b += fmt::format("  st64 $a4:5, $m9, $mzero, {}\n", 2 * t + upper);
      }
    auto r = test::run(program(w, 1, b, xs, ps));
    REQUIRE(r->core.finished());
    for (unsigned f = 0; f < N; ++f)
      for (unsigned j = 0; j < 2; ++j) {
        // R = P + D + sum_k xL(f + k) wL + xU(f + k) wU over units 2 (S - 1 - k) + j, out at the lower step.
        int want = j == 0 ? 100 + static_cast<int>(f) + (f == 1 ? 1000 : 0) : -3 * static_cast<int>(f);
        for (unsigned k = 0; k < stages; ++k) {
          unsigned u = 2 * (stages - 1 - k) + j;
          want += xv(f + k, 0) * wl(u, n) + xv(f + k, 1) * wu(u, n);
        }
        uint64_t got = out64(*r, 2 * (f + stages));
        CHECK_MESSAGE(from_bits(uint32_t(got >> (32 * j))) == static_cast<float>(want), "flags ", flags, " f ", f,
                      " channel ", j);
      }
  }
}

TEST_CASE("SLIC faults: flags beyond ipusim's encoding, the two-set form on one set") {
  const Weights w = half_weights(2);
  CHECK_THROWS_WITH_AS(test::run(program(w, 1, "  f16v4sisoslic $a4:5, $a0:1, $a2:3, 8\n", {}, {})),
                       doctest::Contains("f16v4sisoslic: SLIC flags 8 are out of range"), SimulationError);
  CHECK_THROWS_WITH_AS(test::run(program(w, 1, "  f16v4hihoslic $a4, $a0:1, $a2, 15\n", {}, {})),
                       doctest::Contains("f16v4hihoslic: SLIC flags 15 are out of range"), SimulationError);
  CHECK_THROWS_WITH_AS(test::run(program(w, 1, "  f16v4hihov4slic $a4:5, $a0:1, $a2:3, 0\n", {}, {})),
                       doctest::Contains("f16v4hihov4slic needs 2 AMP sets"), SimulationError);
  CHECK_THROWS_WITH_AS(test::run(program(w, 2, "  f16v4hihov4slic $a4:5, $a0:1, $a2:3, 9\n", {}, {}), two_sets()),
                       doctest::Contains("SLIC flags 9 are out of range"), SimulationError);
}

// ---- the accumulator shuffle ----------------------------------------------------------------

TEST_CASE("f16v4istacc / f16v4stacc transpose 4x4 half blocks in BlockTransposeGradW_half's order") {
  // Three blocks of 4 rows x 4 halves, raw bit patterns (NaNs, -0 and subnormals
  // included: the shuffle moves bits and rounds nothing).
  std::vector<uint64_t> rows;
  for (unsigned b = 0; b < 3; ++b)
    for (unsigned z = 0; z < 4; ++z) {
      uint64_t v = 0;
      for (unsigned j = 0; j < 4; ++j) {
        uint16_t bitsv = static_cast<uint16_t>(0x1000 * b + 0x100 * z + 0x10 * j + 1);
        if (b == 1 && z == 2 && j == 1) bitsv = 0x7C01; // signalling-NaN pattern
        if (b == 2 && z == 0 && j == 3) bitsv = 0x8000; // -0
        if (b == 0 && z == 3 && j == 0) bitsv = 0x0001; // smallest subnormal
        v |= uint64_t(bitsv) << (16 * j);
      }
      rows.push_back(v);
    }
  // Per block: istacc P0 (rows 0, 1), istacc P1 (rows 2, 3), stacc P0, stacc P1; the istaccs
  // hand out columns 2 and 3 of the block before; two istaccs of zeros drain the last block.
  std::string b;
  unsigned o = 0;
  for (unsigned blk = 0; blk <= 3; ++blk) {
    for (unsigned p = 0; p < 2; ++p) {
      if (blk < 3)
        b += fmt::format("  ld64 $a0:1, $m8, $mzero, {}\n  ld64 $a2:3, $m8, $mzero, {}\n", 4 * blk + 2 * p,
                         4 * blk + 2 * p + 1);
      else
        b += "  zero $a0:1\n  zero $a2:3\n";
      b += fmt::format("  f16v4istacc $a4:5, $a0:1, $a2:3, {}\n  st64 $a4:5, $m9, $mzero, {}\n", p, o++);
    }
    if (blk < 3)
      for (unsigned p = 0; p < 2; ++p)
        b += fmt::format("  f16v4stacc $a4:5, {}\n  st64 $a4:5, $m9, $mzero, {}\n", p, o++);
  }
  auto r = test::run(program(Weights{}, 1, b, rows, {}));
  REQUIRE(r->core.finished());
  auto column = [&](unsigned blk, unsigned j) {
    uint64_t c = 0;
    for (unsigned z = 0; z < 4; ++z) c |= ((rows[4 * blk + z] >> (16 * j)) & 0xFFFF) << (16 * z);
    return c;
  };
  // Output k of block blk's group (4 per block): stacc P0, P1 give columns 0, 1 of blk, the next
  // block's istacc P0, P1 columns 2, 3.
  for (unsigned blk = 0; blk < 3; ++blk) {
    CHECK(out64(*r, 4 * blk + 2) == column(blk, 0));
    CHECK(out64(*r, 4 * blk + 3) == column(blk, 1));
    CHECK(out64(*r, 4 * blk + 4) == column(blk, 2));
    CHECK(out64(*r, 4 * blk + 5) == column(blk, 3));
  }
}

TEST_CASE("f16v4stacc 0 reads $AACC[0], [2] and copies [4], [6] to the odd chain, as ReductionSpecial01Acc uses it") {
  // Two rounds of f32v4acc with a stacc 0 after each (the reduction's inner loop), then
  // f32v2gina 1: the sums 0, 2 come from the last stacc, sums 4, 6 from the odd chain.
  std::vector<uint64_t> xs = {floats(1.5f, -2.0f), floats(8.0f, 0.25f), floats(3.0f, 4.0f), floats(-1.0f, 16.0f)};
  std::string b = "  ld64 $a0:1, $m8, $mzero, 0\n  ld64 $a2:3, $m8, $mzero, 1\n  f32v4acc $a0:3\n"
                  "  f16v4stacc $a6:7, 0\n"
                  "  ld64 $a0:1, $m8, $mzero, 2\n  ld64 $a2:3, $m8, $mzero, 3\n  f32v4acc $a0:3\n"
                  "  f16v4stacc $a6:7, 0\n  f32v2gina $a4:5, $azeros, 1\n"
                  "  st64 $a6:7, $m9, $mzero, 0\n  st64 $a4:5, $m9, $mzero, 1\n"
                  // The even chain is still there: gina 0 reads sums 0 and 2 again.
                  "  f32v2gina $a4:5, $azeros, 0\n  st64 $a4:5, $m9, $mzero, 2\n";
  auto r = test::run(program(Weights{}, 1, b, xs, {}));
  REQUIRE(r->core.finished());
  CHECK(out64(*r, 0) == floats(1.5f + 3.0f, -2.0f + 4.0f));
  CHECK(out64(*r, 1) == floats(8.0f - 1.0f, 0.25f + 16.0f));
  CHECK(out64(*r, 2) == floats(1.5f + 3.0f, -2.0f + 4.0f));
}

TEST_CASE("f16v4stacc / f16v4istacc: immediates beyond P1 fault") {
  CHECK_THROWS_WITH_AS(test::run(program(Weights{}, 1, "  f16v4stacc $a4:5, 2\n", {}, {})),
                       doctest::Contains("f16v4stacc: immediate 2 is out of range: ipusim's TSTACC_P0 / _P1"),
                       SimulationError);
  CHECK_THROWS_WITH_AS(test::run(program(Weights{}, 1, "  f16v4istacc $a4:5, $a0:1, $a2:3, 3\n", {}, {})),
                       doctest::Contains("f16v4istacc: immediate 3 is out of range: ipusim's TISTACC_P0 / _P1"),
                       SimulationError);
}
