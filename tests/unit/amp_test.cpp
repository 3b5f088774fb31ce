// The AMP: weights into the common state, the 4-phase pipeline, partial sums
// in and results out one group later, both AMP sets, gina and faults.
// Inputs are small integers, so every product and sum is exact and the
// expected results are plain integer arithmetic done here.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "sim/common/error.hpp"
#include "sim/numeric/fp8.hpp"
#include "sim/numeric/half.hpp"
#include "tile_harness.hpp"

using namespace ipusim;

namespace {

// W[oc][ic]: output channel oc (0..15), input channel ic (0..15).
int weight(unsigned oc, unsigned ic) { return static_cast<int>((oc + 1) * ((ic % 5) + 1)) - 7; }
// x[row][ic]
int input(unsigned row, unsigned ic) { return static_cast<int>(row * 3 + ic) % 7 - 3; }

std::string half_words(const std::vector<int> &v) {
  std::string s;
  for (size_t k = 0; k < v.size(); k += 2)
    s += fmt::format("  .word 0x{:08x}\n", f16_from_double(v[k]) | (uint32_t(f16_from_double(v[k + 1])) << 16));
  return s;
}

// Weights for `units` conv units in slot order (unit u, word n: channels 4n..4n+3),
// loaded with ld64putcs into slots 0.. (and 32.. for the second set).
std::string weight_data(unsigned sets) {
  std::vector<int> w;
  for (unsigned s = 0; s < sets; ++s)
    for (unsigned u = 0; u < 8; ++u)
      for (unsigned ic = 0; ic < 16; ++ic) {
        // Output channel of (set, unit): 4 * (u / 2) + 2 * s + u % 2 with two sets; u with one.
        unsigned oc = sets == 2 ? 4 * (u / 2) + 2 * s + u % 2 : u;
        w.push_back(weight(oc, ic));
      }
  return ".align 8\nwts:\n" + half_words(w);
}

std::string supervisor(unsigned sets, const std::string &worker_body, std::string data) {
  for (const char *label : {"xs:", "ps:"})
    if (data.find(label) == std::string::npos) data += std::string(".align 8\n") + label + "\n";
  std::string s = ".section .text.sup, \"ax\"\n.supervisor\n.align 8\nmain:\n  setzi $m0, wts\n"
                  "  put $CCCSLOAD, $m0\n";
  for (unsigned set = 0; set < sets; ++set)
    for (unsigned k = 0; k < 32; ++k) s += fmt::format("  ld64putcs {}\n", 32 * set + k);
  s += "  setzi $m0, worker\n  setzi $m1, vstate\n  run $m0, $m1, 0\n  sync 2\n  bri done\ndone:\n  nop\n"
       ".section .text.w, \"ax\"\n.worker\n.align 8\nworker:\n  setzi $m9, out\n  setzi $m8, xs\n"
       "  setzi $m7, ps\n" +
       worker_body +
       "\n  exitz $mzero\n.section .data, \"aw\"\n.align 16\nvstate:\n  .word 0\n" + weight_data(sets) + data +
       "\n.align 8\nout:\n  .space 256\n";
  return s;
}

} // namespace

TEST_CASE("f16v4sisoamp: 8 channels of x . W + partials, results one group later") {
  // Rows 0 and 1 (16 input channels = 4 instructions each), partials p(oc) for row 0
  // and 100 + p for row 1 fed during the group before; then a drain group.
  std::vector<int> xs;
  for (unsigned r = 0; r < 2; ++r)
    for (unsigned ic = 0; ic < 16; ++ic) xs.push_back(input(r, ic));
  std::string data = ".align 8\nxs:\n" + half_words(xs) + "ps:\n";
  for (unsigned r = 0; r < 2; ++r)
    for (unsigned oc = 0; oc < 8; ++oc) data += fmt::format("  .float {}\n", 10.0 * oc + 100.0 * r);
  // Group g: x = row g-1 (zero for g = 0 and 3), partials of row g (none for g >= 2).
  std::string body = "  setzi $a0, 0x8\n  uput $FP_CLR, $a0\n";
  unsigned outw = 0;
  for (unsigned g = 0; g < 4; ++g)
    for (unsigned p = 0; p < 4; ++p) {
      body += (g >= 1 && g <= 2) ? fmt::format("  ld64 $a0:1, $m8, $mzero, {}\n", 4 * (g - 1) + p)
                                 : "  zero $a0:1\n";
      body += g <= 1 ? fmt::format("  ld64 $a2:3, $m7, $mzero, {}\n", 4 * g + p) : "  zero $a2:3\n";
      body += fmt::format("  f16v4sisoamp $a4:5, $a0:1, $a2:3, {}\n  st64 $a4:5, $m9, $mzero, {}\n", p, outw++);
    }
  auto r = test::run(supervisor(1, body, data));
  REQUIRE(r->core.finished());
  // Outputs of group 0 are the zeroed pipeline; groups 2 and 3 carry rows 0 and 1.
  for (unsigned k = 0; k < 8; ++k) CHECK(r->core.sram().read<float>(r->sym("out") + 4 * k) == 0.0f);
  for (unsigned row = 0; row < 2; ++row)
    for (unsigned oc = 0; oc < 8; ++oc) {
      int want = 10 * static_cast<int>(oc) + 100 * static_cast<int>(row);
      for (unsigned ic = 0; ic < 16; ++ic) want += weight(oc, ic) * input(row, ic);
      float got = r->core.sram().read<float>(r->sym("out") + 4 * (8 * (row + 2) + oc));
      CHECK_MESSAGE(got == static_cast<float>(want), "row ", row, " channel ", oc);
    }
  // Group 1's output is group 0's sums: the partials of row 0 fed in group 0 with zero x.
  for (unsigned oc = 0; oc < 8; ++oc)
    CHECK(r->core.sram().read<float>(r->sym("out") + 4 * (8 + oc)) == 0.0f);
}

TEST_CASE("f16v4hihov4amp: both AMP sets, 16 channels, half partials and results") {
  std::vector<int> xs, ps;
  for (unsigned ic = 0; ic < 16; ++ic) xs.push_back(input(5, ic));
  for (unsigned oc = 0; oc < 16; ++oc) ps.push_back(static_cast<int>(oc) - 8);
  std::string data = ".align 8\nxs:\n" + half_words(xs) + "ps:\n" + half_words(ps);
  std::string body = "  setzi $a0, 0x8\n  uput $FP_CLR, $a0\n";
  unsigned outw = 0;
  for (unsigned g = 0; g < 3; ++g)
    for (unsigned p = 0; p < 4; ++p) {
      body += g == 1 ? fmt::format("  ld64 $a0:1, $m8, $mzero, {}\n", p) : "  zero $a0:1\n";
      body += g == 0 ? fmt::format("  ld64 $a2:3, $m7, $mzero, {}\n", p) : "  zero $a2:3\n";
      body += fmt::format("  f16v4hihov4amp $a4:5, $a0:1, $a2:3, {}\n  st64 $a4:5, $m9, $mzero, {}\n", p, outw++);
    }
  tile::TileParams params = test::default_params();
  params.amp_sets = 2;
  auto r = test::run(supervisor(2, body, data), params);
  REQUIRE(r->core.finished());
  for (unsigned oc = 0; oc < 16; ++oc) {
    int want = static_cast<int>(oc) - 8;
    for (unsigned ic = 0; ic < 16; ++ic) want += weight(oc, ic) * input(5, ic);
    uint16_t got = r->core.sram().read<uint16_t>(r->sym("out") + 2 * (32 + oc));
    CHECK_MESSAGE(f16_to_f32(got) == static_cast<float>(want), "channel ", oc);
  }
}

TEST_CASE("one AMP set: the two-set form and second-set weight slots fault") {
  tile::TileParams params = test::default_params();
  params.amp_sets = 1;
  std::string body = "  f16v4hihov4amp $a4:5, $a0:1, $a2:3, 0\n";
  CHECK_THROWS_WITH_AS(test::run(supervisor(1, body, ""), params),
                       doctest::Contains("f16v4hihov4amp needs 2 AMP sets"), SimulationError);
  CHECK_THROWS_WITH_AS(test::run(supervisor(2, "", ""), params), doctest::Contains("weight slot 32 does not exist"),
                       SimulationError);
}

TEST_CASE("f32v2gina reads the running sums two at a time and replaces them") {
  // Seed the running sums of set 0 with gina itself: 4 writes, then 4 reads.
  std::string body;
  for (unsigned k = 0; k < 4; ++k)
    body += fmt::format("  ld64 $a0:1, $m7, $mzero, {}\n  f32v2gina $a2:3, $a0:1, 0\n", k);
  for (unsigned k = 0; k < 4; ++k)
    body += fmt::format("  f32v2gina $a2:3, $azeros, 0\n  st64 $a2:3, $m9, $mzero, {}\n", k);
  std::string data = ".align 8\nps:\n";
  for (unsigned k = 0; k < 8; ++k) data += fmt::format("  .float {}\n", 1.5 * k);
  auto r = test::run(supervisor(1, body, data));
  REQUIRE(r->core.finished());
  for (unsigned k = 0; k < 8; ++k) CHECK(r->core.sram().read<float>(r->sym("out") + 4 * k) == 1.5f * k);
}

TEST_CASE("AMP phases beyond 3 and odd ld128putcs slots are operand faults") {
  CHECK_THROWS_WITH_AS(test::run(supervisor(1, "  f16v4sisoamp $a4:5, $a0:1, $a2:3, 4\n", "")),
                       doctest::Contains("AMP phase 4 is out of range"), SimulationError);
  std::string sup = supervisor(1, "", "");
  sup.replace(sup.find("  ld64putcs 0\n"), 14, "  ld128putcs 1\n");
  CHECK_THROWS_WITH_AS(test::run(sup), doctest::Contains("the slot must be even"), SimulationError);
}

namespace {
// FP8 test values: small integers, exact in both formats.
int w8(unsigned oc, unsigned ic) { return static_cast<int>((oc * 3 + ic) % 9) - 4; }
int x8(unsigned ic) { return static_cast<int>(ic % 7) - 3; }
std::string fp8_words(const std::vector<int> &v, Fp8Format f) {
  std::string s;
  for (size_t k = 0; k < v.size(); k += 4) {
    uint32_t w = 0;
    for (size_t j = 0; j < 4; ++j)
      w |= uint32_t(fp8_from_double(v[k + j], f, 0, Fp8Overflow::saturate)) << (8 * j);
    s += fmt::format("  .word 0x{:08x}\n", w);
  }
  return s;
}
} // namespace

TEST_CASE("f8v8hihov4amp: 8 FP8 inputs x 16 channels, formats and scale from $FP_NFMT / $FP_SCL") {
  // Weights 1.4.3 ($FP_NFMT bit 0), inputs 1.5.2 (bit 1 clear), $FP_SCL = -1: each
  // channel is partial + (x . w) / 2. Slot 32s + 4u + n holds unit u of set s,
  // input channels 8n..8n+7; with two sets, output channel 4(u/2) + 2s + u%2.
  std::vector<int> w, xs, ps;
  for (unsigned s = 0; s < 2; ++s)
    for (unsigned u = 0; u < 8; ++u)
      for (unsigned ic = 0; ic < 32; ++ic) w.push_back(w8(4 * (u / 2) + 2 * s + u % 2, ic));
  for (unsigned ic = 0; ic < 32; ++ic) xs.push_back(x8(ic));
  for (unsigned oc = 0; oc < 16; ++oc) ps.push_back(3 * static_cast<int>(oc) - 20);
  std::string data = ".align 8\nw8:\n" + fp8_words(w, Fp8Format::f143) + ".align 8\nxs:\n" +
                     fp8_words(xs, Fp8Format::f152) + ".align 8\nps:\n" + half_words(ps);
  // The partial sums go in through the chain with four phase-1 steps (as
  // poplibs' FP8 convolution primes them), then one group of inputs, then a
  // drain group whose four results are stored.
  std::string body = "  setzi $a0, 0x8\n  uput $FP_CLR, $a0\n  setzi $a7, 1\n  uput $FP_NFMT, $a7\n"
                     "  setzi $a7, 0xFFFFF\n  uput $FP_SCL, $a7\n";
  for (unsigned k = 0; k < 4; ++k)
    body += fmt::format("  ld64 $a2:3, $m7, $mzero, {}\n  f8v8hihov4amp $a4:5, $azeros, $a2:3, 1\n", k);
  for (unsigned p = 0; p < 4; ++p)
    body += fmt::format("  ld64 $a0:1, $m8, $mzero, {}\n  f8v8hihov4amp $a4:5, $a0:1, $azeros, {}\n", p, p);
  for (unsigned p = 0; p < 4; ++p)
    body += fmt::format("  f8v8hihov4amp $a4:5, $azeros, $azeros, {}\n  st64 $a4:5, $m9, $mzero, {}\n", p, p);
  std::string sup = supervisor(2, body, data);
  sup.replace(sup.find("setzi $m0, wts"), 14, "setzi $m0, w8");
  tile::TileParams params = test::default_params();
  params.amp_sets = 2;
  params.machine_name = "c600";
  params.arch_version = 21;
  auto r = test::run(sup, params);
  REQUIRE(r->core.finished());
  for (unsigned oc = 0; oc < 16; ++oc) {
    int dot = 0;
    for (unsigned ic = 0; ic < 32; ++ic) dot += w8(oc, ic) * x8(ic);
    double want = (3.0 * oc - 20) + dot / 2.0;
    uint16_t got = r->core.sram().read<uint16_t>(r->sym("out") + 2 * oc);
    CHECK_MESSAGE(f16_to_f32(got) == static_cast<float>(want), "channel ", oc);
  }
  params.arch_version = 2;
  CHECK_THROWS_WITH_AS(test::run(supervisor(2, "  f8v8hihov4amp $a4:5, $a0:1, $a2:3, 0\n", ""), params),
                       doctest::Contains("f8v8hihov4amp is an FP8 instruction of the C600"),
                       SimulationError);
}
