// Per-instruction semantics on the tile, with expected values worked out by
// hand from the instruction descriptions (sim/isa/instructions.def).
#include <doctest/doctest.h>

#include <cstring>

#include "sim/numeric/half.hpp"
#include "tile_harness.hpp"

using namespace ipusim;
using test::worker_program;

namespace {
// Runs `body` in one worker; the body stores results with `st32 $mX, $mzero, $m9, k`
// where $m9 = address of `out`.
std::unique_ptr<test::TileRun> run_body(const std::string &body) {
  std::string prologue = "  setzi $m9, out\n";
  auto r = test::run(worker_program(prologue + body, ".align 8\nout:\n  .space 64\n.align 8\nin:\n  .word 0x3c003c00, 0x7c00fc00, 0x00017bff, 0x7e000400\n"));
  REQUIRE(r->core.finished());
  return r;
}
uint32_t out(const test::TileRun &r, unsigned k) { return r.word("out", k); }
} // namespace

TEST_CASE("integer add wraps, sub/mul/min/max/abs") {
  auto r = run_body(R"(
  setzi $m0, 0xFFFFF
  or    $m0, $m0, 0xFFF00000     // m0 = 0xFFFFFFFF
  add   $m1, $m0, 2              // wraps to 1
  st32  $m1, $mzero, $m9, 0
  add   $m2, $mzero, -5
  st32  $m2, $mzero, $m9, 1
  sub   $m3, 10, $m2             // 10 - (-5) = 15
  st32  $m3, $mzero, $m9, 2
  mul   $m4, $m2, -3             // 15
  st32  $m4, $mzero, $m9, 3
  max   $m5, $m2, $m1            // signed: max(-5, 1) = 1
  st32  $m5, $mzero, $m9, 4
  min   $m5, $m2, $m1            // -5
  st32  $m5, $mzero, $m9, 5
  abs   $m6, $m2                 // 5
  st32  $m6, $mzero, $m9, 6
  sub   $m7, $m1, 3              // pseudo: add $m7, $m1, -3 -> -2
  st32  $m7, $mzero, $m9, 7
)");
  CHECK(out(*r, 0) == 1u);
  CHECK(out(*r, 1) == static_cast<uint32_t>(-5));
  CHECK(out(*r, 2) == 15u);
  CHECK(out(*r, 3) == 15u);
  CHECK(out(*r, 4) == 1u);
  CHECK(out(*r, 5) == static_cast<uint32_t>(-5));
  CHECK(out(*r, 6) == 5u);
  CHECK(out(*r, 7) == static_cast<uint32_t>(-2));
}

TEST_CASE("shifts, bit counts, compares and conditional moves") {
  auto r = run_body(R"(
  setzi $m0, 0x80001
  shl   $m1, $m0, 12            // 0x80001000
  st32  $m1, $mzero, $m9, 0
  shrs  $m2, $m1, 4             // 0xF8000100
  st32  $m2, $mzero, $m9, 1
  shr   $m3, $m1, 4             // 0x08000100
  st32  $m3, $mzero, $m9, 2
  setzi $m4, 40
  shl   $m5, $m0, $m4           // shift >= 32 gives 0
  st32  $m5, $mzero, $m9, 3
  clz   $m6, $m3                // 4
  st32  $m6, $mzero, $m9, 4
  popc  $m6, $m1                // 2
  st32  $m6, $mzero, $m9, 5
  cmpslt $m7, $m1, $m0          // negative < positive: 1
  st32  $m7, $mzero, $m9, 6
  cmpult $m7, $m1, $m0          // unsigned: 0
  st32  $m7, $mzero, $m9, 7
  setzi $m8, 77
  movz  $m8, $mzero, $m4        // src0 == 0 -> m8 = 40
  st32  $m8, $mzero, $m9, 8
  movnz $m8, $mzero, $m0        // src0 == 0 -> unchanged
  st32  $m8, $mzero, $m9, 9
  clz   $m6, $mzero             // 32
  st32  $m6, $mzero, $m9, 10
  xnor  $m6, $mzero, $mzero     // 0xFFFFFFFF
  st32  $m6, $mzero, $m9, 11
)");
  CHECK(out(*r, 0) == 0x80001000u);
  CHECK(out(*r, 1) == 0xF8000100u);
  CHECK(out(*r, 2) == 0x08000100u);
  CHECK(out(*r, 3) == 0u);
  CHECK(out(*r, 4) == 4u);
  CHECK(out(*r, 5) == 2u);
  CHECK(out(*r, 6) == 1u);
  CHECK(out(*r, 7) == 0u);
  CHECK(out(*r, 8) == 40u);
  CHECK(out(*r, 9) == 40u);
  CHECK(out(*r, 10) == 32u);
  CHECK(out(*r, 11) == 0xFFFFFFFFu);
}

TEST_CASE("byte and half-word shuffles") {
  auto r = run_body(R"(
  setzi $m0, 0x2211
  or    $m0, $m0, 0x44300000    // 0x44302211
  setzi $m1, 0x6655
  or    $m1, $m1, 0x88700000    // 0x88706655
  shuf8x8lo $m2, $m0, $m1       // a0 b0 a1 b1 = 11 55 22 66
  st32  $m2, $mzero, $m9, 0
  sort4x16lo $m3, $m0, $m1      // 0x66552211
  st32  $m3, $mzero, $m9, 1
  sort4x16hi $m3, $m0, $m1      // 0x88704430
  st32  $m3, $mzero, $m9, 2
  swap8 $m4, $m0                // 0x11223044
  st32  $m4, $mzero, $m9, 3
)");
  CHECK(out(*r, 0) == 0x66225511u);
  CHECK(out(*r, 1) == 0x66552211u);
  CHECK(out(*r, 2) == 0x88704430u);
  CHECK(out(*r, 3) == 0x11223044u);
}

TEST_CASE("loads of every width and post-increment forms") {
  auto r = run_body(R"(
  setzi $m0, in
  ldz8  $m1, $m0, $mzero, 3     // byte 3 of 0x3c003c00 = 0x3c
  st32  $m1, $mzero, $m9, 0
  lds16 $m2, $m0, $mzero, 2     // half 2 = 0xfc00 sign-extended
  st32  $m2, $mzero, $m9, 1
  ldz16 $m3, $m0, $mzero, 2     // 0xfc00
  st32  $m3, $mzero, $m9, 2
  lds8  $m4, $m0, $mzero, 5     // byte 5 = 0xfc -> -4
  st32  $m4, $mzero, $m9, 3
  setzi $m5, 0
  ld32step $m6, $m0, $m5+=, 2   // loads in[0], m5 += 8
  st32  $m5, $mzero, $m9, 4
  ld32step $m6, $m0, $m5+=, -1  // loads in[2], m5 -= 4
  st32  $m6, $mzero, $m9, 5
  st32  $m5, $mzero, $m9, 6
  ldb16 $a0, $m0, $mzero, 1     // half 1 broadcast: 0x3c003c00
  st32  $a0, $mzero, $m9, 7
  ld64  $a2:3, $m0, $mzero, 1   // in[2], in[3]
  st64  $a2:3, $mzero, $m9, 4   // out[8..9]
)");
  CHECK(out(*r, 0) == 0x3cu);
  CHECK(out(*r, 1) == 0xFFFFFC00u);
  CHECK(out(*r, 2) == 0xFC00u);
  CHECK(out(*r, 3) == static_cast<uint32_t>(-4));
  CHECK(out(*r, 4) == 8u);
  CHECK(out(*r, 5) == 0x00017bffu);
  CHECK(out(*r, 6) == 4u);
  CHECK(out(*r, 7) == 0x3c003c00u);
  CHECK(out(*r, 8) == 0x00017bffu);
  CHECK(out(*r, 9) == 0x7e000400u);
}

TEST_CASE("f16v2 arithmetic: infinities, NaN, denormals and rounding") {
  // Lanes {low, high}: in[0] = {1.0, 1.0}; in[1] = {-inf, +inf}; in[2] = {65504, smallest denormal};
  // in[3] = {2^-14, NaN}
  auto r = run_body(R"(
  setzi $m0, in
  ld32  $a0, $m0, $mzero, 0
  ld32  $a1, $m0, $mzero, 1
  ld32  $a2, $m0, $mzero, 2
  ld32  $a3, $m0, $mzero, 3
  f16v2add $a4, $a1, $a1        // {-inf, +inf}
  st32  $a4, $mzero, $m9, 0
  f16v2sub $a4, $a1, $a1        // inf - inf = NaN in both lanes
  st32  $a4, $mzero, $m9, 1
  f16v2add $a4, $a2, $a2        // {65504+65504 -> clipped to 65504 ($FP_CTL.NANOO clear), 2 denormals}
  st32  $a4, $mzero, $m9, 2
  f16v2mul $a4, $a3, $a0        // {2^-14, NaN}
  st32  $a4, $mzero, $m9, 3
  f16v2max $a4, $a3, $a0        // {1.0 (max(2^-14,1)), 1.0 (NaN ignored)}
  st32  $a4, $mzero, $m9, 4
  f16v2cmplt $a4, $a2, $a0      // {65504 < 1: false, denormal < 1: true}
  st32  $a4, $mzero, $m9, 5
  f16tof32 $a5, $a2             // low half = 65504
  st32  $a5, $mzero, $m9, 6
  f32tof16 $a6, $a5             // back to 0x7bff, broadcast
  st32  $a6, $mzero, $m9, 7
)");
  CHECK(out(*r, 0) == 0x7c00fc00u);
  CHECK(out(*r, 1) == 0x7e007e00u);
  CHECK(out(*r, 2) == 0x00027bffu);
  CHECK(out(*r, 3) == 0x7e000400u);
  CHECK(out(*r, 4) == 0x3c003c00u);
  CHECK(out(*r, 5) == 0xffff0000u);
  CHECK(out(*r, 6) == 0x477FE000u); // 65504.0f
  CHECK(out(*r, 7) == 0x7bff7bffu);
}

TEST_CASE("f32 arithmetic, compares and conversions") {
  // Constants built from setzi/or: 1.5f = 0x3FC00000, -2.0f = 0xC0000000, 16777217 as int.
  auto r = run_body(R"(
  or    $a0, $azero, 0x3FC00000
  or    $a1, $azero, 0xC0000000
  f32add $a2, $a0, $a1          // -0.5 = 0xBF000000
  st32  $a2, $mzero, $m9, 0
  f32mul $a2, $a0, $a1          // -3.0 = 0xC0400000
  st32  $a2, $mzero, $m9, 1
  f32cmplt $a3, $a1, $a0        // true: all ones
  st32  $a3, $mzero, $m9, 2
  f32div $a2, $a0, $azero       // 1.5 / 0 = +inf
  st32  $a2, $mzero, $m9, 3
  f32sqrt $a2, $a1              // sqrt(-2) = canonical NaN
  st32  $a2, $mzero, $m9, 4
  f32toi32 $a2, $a1             // -2
  st32  $a2, $mzero, $m9, 5
  setzi $a4, 0x7
  f32fromi32 $a5, $a4           // 7.0 = 0x40E00000
  st32  $a5, $mzero, $m9, 6
  f32v2add $a6:7, $a0:1, $a0:1  // {3.0, -4.0}
  st64  $a6:7, $mzero, $m9, 4
  f32v2tof16 $a2, $a6:7         // {3.0h = 0x4200, -4.0h = 0xC400}
  st32  $a2, $mzero, $m9, 10
)");
  CHECK(out(*r, 0) == 0xBF000000u);
  CHECK(out(*r, 1) == 0xC0400000u);
  CHECK(out(*r, 2) == 0xFFFFFFFFu);
  CHECK(out(*r, 3) == 0x7F800000u);
  CHECK(out(*r, 4) == 0x7FC00000u);
  CHECK(out(*r, 5) == static_cast<uint32_t>(-2));
  CHECK(out(*r, 6) == 0x40E00000u);
  CHECK(out(*r, 8) == 0x40400000u);
  CHECK(out(*r, 9) == 0xC0800000u);
  CHECK(out(*r, 10) == 0xC4004200u);
}

TEST_CASE("a bundle's halves read registers before either writes") {
  // The ld64 (main) writes $a0:1 while the f16v4add (aux) reads the old $a0:1.
  auto r = run_body(R"(
  setzi $m0, in
  ld64  $a0:1, $m0, $mzero, 0   // {1,1} {-inf,inf}
  setzi $m2, 16
  { ld64 $a0:1, $m0, $mzero, 1  // {denorm, 65504} {2^-14, NaN}
    f16v4add $a2:3, $a0:1, $azeros }
  st64  $a2:3, $mzero, $m9, 0
  st64  $a0:1, $mzero, $m9, 1
)");
  CHECK(out(*r, 0) == 0x3c003c00u);
  CHECK(out(*r, 1) == 0x7c00fc00u);
  CHECK(out(*r, 2) == 0x00017bffu);
  CHECK(out(*r, 3) == 0x7e000400u);
}

TEST_CASE("a bundle whose halves write the same register keeps the main instruction's value") {
  // ld32 (whose ARF result the tile holds in a HeldArf) and ldb16 (held by
  // write_a) write $a0 while f16v2add writes it too: the load wins either way.
  auto r = run_body(R"(
  setzi $m0, in
  ld32  $a1, $m0, $mzero, 0     // {1, 1}
  { ld32 $a0, $m0, $mzero, 2    // {65504, denorm}
    f16v2add $a0, $a1, $a1 }
  st32  $a0, $mzero, $m9, 0
  { ldb16 $a0, $m0, $mzero, 5   // the high half of word 2, twice: {denorm, denorm}
    f16v2add $a0, $a1, $a1 }
  st32  $a0, $mzero, $m9, 1
  f16v2add $a0, $a1, $a1
  st32  $a0, $mzero, $m9, 2
)");
  CHECK(out(*r, 0) == 0x00017bffu);
  CHECK(out(*r, 1) == 0x00010001u);
  CHECK(out(*r, 2) == 0x40004000u); // what the aux half would have written
}

TEST_CASE("tapack and ld2x64pace / ldst64pace addressing") {
  auto r = run_body(R"(
  setzi $m0, in
  add   $m1, $m0, 8
  setzi $m2, out
  tapack $m4:5, $m0, $m1, $m2
  setzi $m6, 0x402              // stride fields: f0 = 2, f1 = 1
  ld2x64pace $a0:1, $a2:3, $m4:5+=, $m6, 0b0100   // addr0 += 1 atom, addr1 += f0 (2 atoms)
  st64  $a0:1, $mzero, $m9, 4
  st64  $a2:3, $mzero, $m9, 5
  st32  $m4, $mzero, $m9, 0
  st32  $m5, $mzero, $m9, 1
)");
  // After the increments: address 0 = in + 8, address 1 = in + 8 + 16, address 2 = out (unchanged),
  // packed as lower = a0 | a2[10:0] << 21, upper = a1 | a2[20:11] << 21.
  uint32_t in = r->sym("in"), outa = r->sym("out");
  CHECK(out(*r, 0) == ((in + 8) | ((outa & 0x7FF) << 21)));
  CHECK(out(*r, 1) == ((in + 24) | ((outa >> 11) << 21)));
  CHECK(out(*r, 8) == 0x3c003c00u);
  CHECK(out(*r, 9) == 0x7c00fc00u);
  CHECK(out(*r, 10) == 0x00017bffu);
  CHECK(out(*r, 11) == 0x7e000400u);
}

TEST_CASE("broadcast operands: $aN:B, $aN:BL, $aN:BU") {
  auto r = run_body(R"(
  setzi $m0, in
  or    $a0, $azero, 0x3FC00000   // 1.5f
  or    $a4, $azero, 0x40000000   // 2.0f
  or    $a5, $azero, 0xC0000000   // -2.0f
  f32v2mul $a2:3, $a0:B, $a4:5    // {3.0, -3.0}
  st64  $a2:3, $mzero, $m9, 0
  ld64  $a6:7, $m0, $mzero, 0     // {1, 1, -inf, inf} as halves
  f16v4add $a2:3, $a6:BL, $a6:7   // 1 + each: {2, 2, -inf, inf}
  st64  $a2:3, $mzero, $m9, 1
  or    $a1, $azero, 0xC4000000   // high half 0xC400 = -4.0h, low half 0
  f16v2mul $a2, $a1:BU, $a6       // -4 * {1, 1}
  st32  $a2, $mzero, $m9, 4
  { nop
    uput $TAS, $a0 }              // uput is an auxiliary-pipeline instruction
  uget  $a3, $TAS
  st32  $a3, $mzero, $m9, 5
)");
  CHECK(out(*r, 0) == 0x40400000u);
  CHECK(out(*r, 1) == 0xC0400000u);
  CHECK(out(*r, 2) == 0x40004000u);
  CHECK(out(*r, 3) == 0x7c00fc00u);
  CHECK(out(*r, 4) == 0xC400C400u);
  CHECK(out(*r, 5) == 0x3FC00000u);
}

TEST_CASE("f16 results round to nearest, ties to even") {
  // {1.0, 1 + 2^-10} + {2^-11, 2^-11}: both exact sums lie halfway between two halves.
  // 1 + 2^-11 -> 1.0 (even); 1 + 3 * 2^-11 -> 1 + 2^-9 (0x3c02, even) rather than 0x3c01.
  auto r = test::run(worker_program(R"(
  setzi $m9, out
  setzi $m0, ops
  ld32  $a0, $m0, $mzero, 0
  ld32  $a1, $m0, $mzero, 1
  f16v2add $a2, $a0, $a1
  st32  $a2, $mzero, $m9, 0
  setzi $a5, 0x1001
  or    $a5, $a5, 0x3F800000      // 0x3F801001 = 1 + 2^-11 + 2^-23, just above the tie -> 0x3c01
  f32tof16 $a3, $a5
  st32  $a3, $mzero, $m9, 1
)",
                                    ".align 8\nout:\n  .space 16\nops:\n  .word 0x3c013c00, 0x10001000\n"));
  REQUIRE(r->core.finished());
  CHECK(r->word("out", 0) == 0x3c023c00u);
  CHECK(r->word("out", 1) == 0x3c013c01u);
}

TEST_CASE("address 1 of a packed pair lives in the upper register (poplibs adds to it directly)") {
  auto r = run_body(R"(
  setzi $m0, in
  tapack $m4:5, $m0, $m0, $m9
  add   $m5, $m5, 8              // move address 1 on by one 64-bit atom
  ld2x64pace $a0:1, $a2:3, $m4:5+=, $mzero, 0b1111   // strimm 3 with zero strides: no increment
  st64  $a0:1, $mzero, $m9, 0
  st64  $a2:3, $mzero, $m9, 1
)");
  CHECK(out(*r, 0) == 0x3c003c00u); // address 0 = in: in[0], in[1]
  CHECK(out(*r, 1) == 0x7c00fc00u);
  CHECK(out(*r, 2) == 0x00017bffu); // address 1 = in + 8: in[2], in[3]
  CHECK(out(*r, 3) == 0x7e000400u);
}

TEST_CASE("clamps, absolute-value adds and maxima, and the 4-wide conversion") {
  auto r = run_body(R"(
  or    $a0, $azero, 0x40A00000   // 5.0f
  or    $a1, $azero, 0xC0400000   // -3.0f
  or    $a2, $azero, 0x3F800000   // bounds: 1.0f
  or    $a3, $azero, 0x40000000   //         2.0f
  f32clamp $a4, $a0, $a2:3        // 2.0f
  st32  $a4, $mzero, $m9, 0
  f32v2clamp $a4:5, $a0:1, $a2:3  // {2.0f, 1.0f}
  st64  $a4:5, $mzero, $m9, 1
  setzi $a4, 0x4200
  or    $a4, $a4, 0xBC000000      // halves {3.0, -1.0}
  setzi $a5, 0                    // bounds {0.0, 2.0}
  or    $a5, $a5, 0x40000000
  f16v2clamp $a6, $a4, $a5        // {2.0, 0.0}
  st32  $a6, $mzero, $m9, 4
  setzi $a6, 0x4000
  or    $a6, $a6, 0xBC000000      // {2.0, -1.0}
  setzi $a7, 0x3800
  or    $a7, $a7, 0xC2000000      // {0.5, -3.0}
  f16v2absmax $a8, $a6, $a7       // {2.0, 3.0}
  st32  $a8, $mzero, $m9, 5
  f16v4absadd $a8:9, $a6:7, $a6:7 // {4.0, 2.0, 1.0, 6.0}
  st64  $a8:9, $mzero, $m9, 3
  or    $a6, $azero, 0xC0800000   // -4.0f
  f32v2absmax $a8:9, $a0:1, $a6:7 // {max(5, 4), max(3, |a7|)}
  st64  $a8:9, $mzero, $m9, 4
  setzi $a3, 0xFF000
  or    $a3, $a3, 0x47700000      // 65520.0f: overflows fp16, clipped to 65504
  or    $a0, $azero, 0x3F800000   // 1.0f
  or    $a1, $azero, 0xC0000000   // -2.0f
  or    $a2, $azero, 0x3F000000   // 0.5f
  f32v4tof16 $a4:5, $a0:3         // {1.0, -2.0, 0.5, inf}
  st64  $a4:5, $mzero, $m9, 5
)");
  CHECK(out(*r, 0) == 0x40000000u);
  CHECK(out(*r, 2) == 0x40000000u);
  CHECK(out(*r, 3) == 0x3F800000u);
  CHECK(out(*r, 4) == 0x00004000u);
  CHECK(out(*r, 5) == 0x42004000u);
  CHECK(out(*r, 6) == 0x40004400u); // {4.0, 2.0}
  CHECK(out(*r, 7) == 0x46003C00u); // {1.0, 6.0}
  // a7 = {0.5, -3.0} as halves read as a float: 0xC2003800 = -32.0547f; |.| = 32.0547 > 3
  CHECK(out(*r, 8) == 0x40A00000u);
  CHECK(out(*r, 9) == 0x42003800u);
  CHECK(out(*r, 10) == 0xC0003C00u);
  CHECK(out(*r, 11) == 0x7BFF3800u);
}
