// Floating-point environment, PRNG, stochastic rounding, accumulators and
// transcendentals on the tile. Expected values are worked out by hand from
// the instruction descriptions (docs/model.md), or computed on the host with
// an independent method (an independent Python xoroshiro128+ for the PRNG
// outputs below, integer rounding for the stochastic cases).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "sim/common/error.hpp"
#include "sim/numeric/half.hpp"
#include "sim/numeric/prng.hpp"
#include "tile_harness.hpp"

using namespace ipusim;
using test::worker_program;

namespace {

// Data every test can load from `in` ($m8): word k at in + 4k.
const char *kData = R"(
  .word 0x3F800000   // 0: 1.0f
  .word 0x7F7FFFFF   // 1: FLT_MAX
  .word 0x7BFF7BFF   // 2: {65504, 65504} halves
  .word 0x477FF000   // 3: 65520.0f (rounds to nearest out of the fp16 range)
  .word 0xFBFF3C00   // 4: {1.0, -65504} halves
  .word 0x3F800800   // 5: 1 + 2^-12 (a quarter of an fp16 ulp above 1)
  .word 0x0C003C00   // 6: {1.0, 2^-12} halves
  .word 0x40000000   // 7: 2.0f
)";

// Runs `body` in one worker with $m9 = out and $m8 = in (kData plus `extra`).
std::unique_ptr<test::TileRun> run_w(const std::string &body, const std::string &extra = "") {
  auto r = test::run(worker_program("  setzi $m9, out\n  setzi $m8, in\n" + body,
                                    ".align 8\nout:\n  .space 256\n.align 8\nin:\n" + std::string(kData) + extra));
  REQUIRE(r->core.finished());
  return r;
}
uint32_t out(const test::TileRun &r, unsigned k) { return r.word("out", k); }
const tile::Context &worker0(const test::TileRun &r) { return r.core.context(1); }

// The one-line error of a run that faults, with the tile left for inspection.
struct Faulted {
  std::unique_ptr<test::TileRun> run;
  std::string message;
};
Faulted run_fault(const std::string &body, const std::string &extra = "") {
  Faulted f;
  f.run = test::load(worker_program("  setzi $m9, out\n  setzi $m8, in\n" + body,
                                    ".align 8\nout:\n  .space 256\n.align 8\nin:\n" + std::string(kData) + extra));
  try {
    f.run->core.run(test::default_params().max_cycles);
    f.message = "no fault";
  } catch (const SimulationError &e) {
    f.message = e.what();
  }
  return f;
}

uint32_t fbits(float x) { return f32_bits(x); }

} // namespace

// ---- $FP_STS, $FP_CTL, $FP_CLR ------------------------------------------------------

TEST_CASE("disabled exceptions only set the sticky $FP_STS flags; $FP_CLR clears them") {
  auto r = run_w(R"(
  ld32   $a0, $m8, $mzero, 0     // 1.0
  f32div $a1, $a0, $azero        // 1 / 0 = +inf: DIV0
  uget   $a2, $FP_STS
  st32   $a2, $mzero, $m9, 0
  st32   $a1, $mzero, $m9, 1
  f32sub $a3, $a1, $a1           // inf - inf: INV
  uget   $a2, $FP_STS
  st32   $a2, $mzero, $m9, 2
  ld32   $a4, $m8, $mzero, 1     // FLT_MAX
  f32add $a5, $a4, $a4           // overflow to +inf: OFLO
  uget   $a2, $FP_STS
  st32   $a2, $mzero, $m9, 3
  f32add $a5, $a0, $a0           // exact: flags stay (sticky)
  uget   $a2, $FP_STS
  st32   $a2, $mzero, $m9, 4
  setzi  $a6, 5                  // clear INV and OFLO
  uput   $FP_CLR, $a6
  uget   $a2, $FP_STS
  st32   $a2, $mzero, $m9, 5
  uget   $a7, $FP_CLR            // reads 0
  st32   $a7, $mzero, $m9, 6
)");
  CHECK(out(*r, 0) == 2u);
  CHECK(out(*r, 1) == 0x7F800000u);
  CHECK(out(*r, 2) == 3u);
  CHECK(out(*r, 3) == 7u);
  CHECK(out(*r, 4) == 7u);
  CHECK(out(*r, 5) == 2u);
  CHECK(out(*r, 6) == 0u);
}

TEST_CASE("an enabled invalid-operation exception stops the run with one line") {
  Faulted f = run_fault(R"(
  setzi  $a0, 1                  // $FP_CTL.INV
  uput   $FP_CTL, $a0
  ld32   $a1, $m8, $mzero, 0
  f32div $a1, $a1, $azero        // +inf, DIV0 only (not enabled)
  setzi  $a3, 7
  f32sub $a3, $a1, $a1           // inf - inf: traps
)");
  INFO(f.message);
  CHECK(f.message.find("tile 0, worker 0, pc 0x") == 0);
  CHECK(f.message.find("(f32sub $a3, $a1, $a1)") != std::string::npos);
  CHECK(f.message.find("cycle ") != std::string::npos);
  CHECK(f.message.find("floating-point exception: invalid operation ($FP_CTL.INV) enabled") != std::string::npos);
  CHECK(f.message.find('\n') == std::string::npos);
  const tile::Context &w = f.run->core.context(1);
  CHECK(w.fp_sts == 3u);  // the trapped flag is recorded, with the earlier DIV0
  CHECK(w.a[3] == 7u);    // the destination is not written
}

TEST_CASE("enabled divide-by-zero and overflow exceptions name themselves") {
  Faulted d = run_fault("  setzi $a0, 2\n  uput $FP_CTL, $a0\n  ld32 $a1, $m8, $mzero, 0\n  f32oox $a2, $azero");
  CHECK(d.message.find("divide by zero ($FP_CTL.DIV0) enabled") != std::string::npos);
  CHECK(d.message.find("(f32oox $a2, $azero)") != std::string::npos);
  Faulted o = run_fault("  setzi $a0, 4\n  uput $FP_CTL, $a0\n  ld32 $a1, $m8, $mzero, 2\n  f16v2add $a2, $a1, $a1");
  CHECK(o.message.find("overflow ($FP_CTL.OFLO) enabled") != std::string::npos);
  // $FP_ICTL reaches the worker through run: the supervisor enables OFLO for it.
  std::string prog = R"(
.section .text.sup, "ax"
.supervisor
.align 8
main:
  setzi $m1, 4
  put   $FP_ICTL, $m1
  setzi $m0, worker
  run   $m0, $mzero, 0
  sync  2
  bri   done
done:
  nop
.section .text.w, "ax"
.worker
.align 8
worker:
  setzi $m8, in
  ld32  $a1, $m8, $mzero, 1
  f32mul $a2, $a1, $a1
  exitz $mzero
.section .data, "aw"
.align 8
in:
  .word 0x3F800000, 0x7F7FFFFF
)";
  std::string msg;
  try {
    test::run(prog);
  } catch (const SimulationError &e) {
    msg = e.what();
  }
  CHECK(msg.find("(f32mul $a2, $a1, $a1)") != std::string::npos);
  CHECK(msg.find("overflow ($FP_CTL.OFLO) enabled") != std::string::npos);
}

TEST_CASE("existing floating-point instructions raise the IEEE exceptions that apply") {
  // Each body runs alone; {body, $FP_STS afterwards, first result word}.
  // Operands (words of `in` from 8): 8 {inf, 0} halves, 9 {0, inf} halves,
  // 10 quiet NaN f32, 11 signalling NaN f32, 12 3e9f, 13 {sNaN, 1.0} halves, 14 -1.0f.
  const char *extra = "  .word 0x00007C00, 0x7C000000, 0x7FC00000, 0x7F800001, 0x4F32D05E, 0x3C007D00, 0xBF800000\n";
  struct Case {
    const char *body;
    uint32_t sts, result;
  } cases[] = {
      {"ld32 $a0, $m8, $mzero, 8\n ld32 $a1, $m8, $mzero, 9\n f16v2mul $a2, $a0, $a1", 1, 0x7E007E00u},
      {"ld64 $a0:1, $m8, $mzero, 4\n f16v4mul $a2:3, $a0:1, $a0:1", 0, 0x00007C00u},  // inf * inf, 0 * 0
      {"ld32 $a0, $m8, $mzero, 8\n ld32 $a1, $m8, $mzero, 9\n f16v4add $a2:3, $a0:1, $a0:1", 0, 0x00007C00u},
      {"ld32 $a0, $m8, $mzero, 10\n f32cmpeq $a2, $a0, $a0", 0, 0u},    // quiet compare
      {"ld32 $a0, $m8, $mzero, 10\n f32cmplt $a2, $a0, $a0", 1, 0u},    // ordered compare with NaN
      {"ld32 $a0, $m8, $mzero, 10\n f16v2cmpge $a2, $a0, $a0", 1, 0x0000FFFFu}, // halves {0, NaN 0x7FC0}
      {"ld32 $a0, $m8, $mzero, 10\n mov $a1, $a0\n f32v2cmpne $a2:3, $a0:1, $a0:1", 0, 0xFFFFFFFFu},
      {"ld32 $a0, $m8, $mzero, 12\n f32toi32 $a2, $a0", 1, 0x7FFFFFFFu}, // 3e9 saturates
      {"ld32 $a0, $m8, $mzero, 10\n f32toui32 $a2, $a0", 1, 0u},
      {"ld32 $a0, $m8, $mzero, 12\n f32toui32 $a2, $a0", 0, 3000000000u},
      {"ld32 $a0, $m8, $mzero, 13\n f16tof32 $a2, $a0", 1, 0x7FE00000u},    // sNaN quietened, payload kept
      {"ld32 $a0, $m8, $mzero, 13\n f16v2tof32 $a2:3, $a0", 1, 0x7FE00000u},
      {"ld32 $a0, $m8, $mzero, 1\n mov $a1, $a0\n f32v2tof16 $a2, $a0:1", 4, 0x7BFF7BFFu},
      {"ld32 $a0, $m8, $mzero, 1\n mov $a1, $a0\n f32v2add $a2:3, $a0:B, $a0:1", 4, 0x7F800000u},
      {"ld32 $a0, $m8, $mzero, 8\n f16v2sub $a2, $a0, $a0", 1, 0x00007E00u},  // inf - inf, 0 - 0
      {"ld32 $a0, $m8, $mzero, 8\n setzi $a1, 0xFC00\n f16v2add $a2, $a0:BL, $a1", 1, 0x7C007E00u}, // inf + -inf
      {"ld32 $a0, $m8, $mzero, 0\n ld32 $a2, $m8, $mzero, 11\n mov $a3, $a2\n f32clamp $a2, $a0, $a2:3", 1,
       0x3F800000u},
      {"ld32 $a0, $m8, $mzero, 2\n f16v2absadd $a2, $a0, $a0", 4, 0x7BFF7BFFu},
      {"ld32 $a0, $m8, $mzero, 11\n f32absmax $a2, $a0, $a0", 1, 0x7FC00000u},
      {"ld32 $a0, $m8, $mzero, 14\n f32sqrt $a2, $a0", 1, 0x7FC00000u},
      {"f32div $a2, $azero, $azero", 1, 0x7FC00000u},
      {"ld32 $a0, $m8, $mzero, 10\n ld32 $a1, $m8, $mzero, 0\n f32v2max $a2:3, $a0:1, $a0:1", 0, 0x7FC00000u},
      {"ld32 $a0, $m8, $mzero, 0\n f32fromi32 $a2, $a0\n f32fromui32 $a2, $a0", 0, 0x4E7E0000u},
  };
  for (const Case &k : cases) {
    INFO(std::string(k.body));
    auto r = run_w(std::string("  ") + k.body + "\n  st32 $a2, $mzero, $m9, 0\n", extra);
    CHECK(worker0(*r).fp_sts == k.sts);
    CHECK(out(*r, 0) == k.result);
  }
}

TEST_CASE("$FP_CTL.RND other than round to nearest is refused") {
  Faulted f = run_fault("  setzi $a0, 0x10000\n  uput $FP_CTL, $a0");
  CHECK(f.message.find("bad CSR access: $FP_CTL = 0x10000 selects rounding mode 1") != std::string::npos);
}

TEST_CASE("fp16 overflow clips to the largest finite half, or gives NaN with NANOO") {
  auto r = run_w(R"(
  ld32     $a0, $m8, $mzero, 2     // {65504, 65504}
  ld32     $a1, $m8, $mzero, 4     // {1.0, -65504}
  f16v2add $a2, $a0, $a0           // {65504, 65504}: clipped
  st32     $a2, $mzero, $m9, 0
  f16v2add $a2, $a1, $a1           // {2.0, -65504}: clipped
  st32     $a2, $mzero, $m9, 1
  ld32     $a3, $m8, $mzero, 3     // 65520.0f
  f32tof16 $a4, $a3                // clipped
  st32     $a4, $mzero, $m9, 2
  uget     $a5, $FP_STS
  st32     $a5, $mzero, $m9, 3
  or       $a6, $azero, 0x00100000 // $FP_CTL.NANOO
  uput     $FP_CTL, $a6
  f16v2add $a2, $a1, $a1           // {2.0, NaN}
  st32     $a2, $mzero, $m9, 4
  f32tof16 $a4, $a3                // NaN
  st32     $a4, $mzero, $m9, 5
)");
  CHECK(out(*r, 0) == 0x7BFF7BFFu);
  CHECK(out(*r, 1) == 0xFBFF4000u);
  CHECK(out(*r, 2) == 0x7BFF7BFFu);
  CHECK(out(*r, 3) == 4u);  // OFLO
  CHECK(out(*r, 4) == 0x7E004000u);
  CHECK(out(*r, 5) == 0x7E007E00u);
}

// ---- the PRNG --------------------------------------------------------------------------

// With $PRNG_SEED = 1 the generator's outputs are (independent Python model):
constexpr uint64_t kSeed1Out[] = {0xffffbffe00004000ull, 0x0f043fe1f103bfdeull, 0x2fc045dfd03fbde0ull,
                                  0xe3b4561302c3e1e2ull};

TEST_CASE("$PRNG_SEED, urand64 and urand32 follow xoroshiro128+") {
  auto r = run_w(R"(
  setzi  $a0, 1
  uput   $PRNG_SEED, $a0
  uget   $a1, $PRNG_0_0
  st32   $a1, $mzero, $m9, 0
  uget   $a1, $PRNG_0_1
  st32   $a1, $mzero, $m9, 1
  uget   $a1, $PRNG_1_0
  st32   $a1, $mzero, $m9, 2
  uget   $a1, $PRNG_1_1
  st32   $a1, $mzero, $m9, 3
  uget   $a1, $PRNG_SEED         // reads 0
  st32   $a1, $mzero, $m9, 4
  urand64 $a2:3
  st64   $a2:3, $mzero, $m9, 3   // words 6, 7
  urand32 $a4                    // low word of the second output
  st32   $a4, $mzero, $m9, 8
  urand64 $a2:3
  st64   $a2:3, $mzero, $m9, 5   // words 10, 11
)");
  CHECK(out(*r, 0) == 0x1u);
  CHECK(out(*r, 1) == 0xFFFFFFFEu);
  CHECK(out(*r, 2) == 0x3FFFu);
  CHECK(out(*r, 3) == 0xFFFFC000u);
  CHECK(out(*r, 4) == 0u);
  CHECK(out(*r, 6) == uint32_t(kSeed1Out[0]));
  CHECK(out(*r, 7) == uint32_t(kSeed1Out[0] >> 32));
  CHECK(out(*r, 8) == uint32_t(kSeed1Out[1]));
  CHECK(out(*r, 10) == uint32_t(kSeed1Out[2]));
  CHECK(out(*r, 11) == uint32_t(kSeed1Out[2] >> 32));
}

TEST_CASE("each context starts from a state derived from tile id and context index") {
  tile::TileParams p = test::default_params();
  p.tile_id = 5;
  tile::TileCore core(p);
  for (unsigned k = 0; k < 7; ++k)
    CHECK(core.context(k).prng == prng_words_from_seed(initial_prng_seed(5, k)));
  CHECK(core.context(1).prng != core.context(2).prng);
  p.tile_id = 6;
  tile::TileCore other(p);
  CHECK(other.context(1).prng != core.context(1).prng);

  // Reproducible: the same program on the same tile gives the same bits.
  const std::string body = "  urand64 $a0:1\n  st64 $a0:1, $mzero, $m9, 0\n  uget $a2, $PRNG_0_0\n  st32 $a2, $mzero, $m9, 2";
  auto a = run_w(body), b = run_w(body);
  CHECK(out(*a, 0) == out(*b, 0));
  CHECK(out(*a, 1) == out(*b, 1));
  Xoroshiro128Plus g = prng_from_words(prng_words_from_seed(initial_prng_seed(0, 1)));
  const uint64_t first = g.next();
  CHECK(out(*a, 0) == uint32_t(first));
  CHECK(out(*a, 2) == prng_to_words(g)[0]);
}

TEST_CASE("the PRNG state survives between worker runs") {
  // The supervisor runs the same worker twice; each run stores one urand32
  // at out + 4 * (run count) and bumps the count.
  std::string prog = R"(
.section .text.sup, "ax"
.supervisor
.align 8
main:
  setzi $m0, worker
  run   $m0, $mzero, 0
  sync  2
  run   $m0, $mzero, 0
  sync  2
  bri   done
done:
  nop
.section .text.w, "ax"
.worker
.align 8
worker:
  setzi $m8, count
  ld32  $m1, $m8, $mzero, 0
  setzi $m9, out
  urand32 $a0
  shl   $m2, $m1, 2
  st32  $a0, $m9, $m2, 0
  add   $m1, $m1, 1
  st32  $m1, $m8, $mzero, 0
  exitz $mzero
.section .data, "aw"
.align 8
count:
  .word 0
out:
  .word 0, 0
)";
  auto r = test::run(prog);
  REQUIRE(r->core.finished());
  Xoroshiro128Plus g = prng_from_words(prng_words_from_seed(initial_prng_seed(0, 1)));
  const uint32_t first = uint32_t(g.next()), second = uint32_t(g.next());
  CHECK(r->word("out", 0) == first);
  CHECK(r->word("out", 1) == second);
}

TEST_CASE("f32v2grand and f16v2grand: one PRNG output per lane, Irwin-Hall samples") {
  // Sum of the twelve 5-bit fields of each output, minus 186, over 32 (hand
  // check of the first: fields 16, 24, 31, 31, 29, 31, 31 -> 193 -> 7/32).
  auto r = run_w(R"(
  setzi  $a0, 1
  uput   $PRNG_SEED, $a0
  f32v2grand $a2:3
  st64   $a2:3, $mzero, $m9, 0
  f16v2grand $a4
  st32   $a4, $mzero, $m9, 2
)");
  CHECK(out(*r, 0) == 0x3E600000u); // 0.21875
  CHECK(out(*r, 1) == 0x3F880000u); // 1.0625
  CHECK(out(*r, 2) == 0xC030AC00u); // {-0.0625, -2.09375}
}

TEST_CASE("f16v4rmask and f32v2rmask keep lanes with the given probability") {
  // Seed 1: first output 0xffffbffe00004000 -> 16-bit values {0x4000, 0, 0xbffe, 0xffff}.
  auto r = run_w(R"(
  ld32   $a0, $m8, $mzero, 6       // {1.0, 2^-12}
  ld32   $a1, $m8, $mzero, 4       // {1.0, -65504}
  setzi  $a2, 1
  uput   $PRNG_SEED, $a2
  setzi  $a3, 0x8000               // keep with probability 1/2: values < 0x8000 keep
  f16v4rmask $a4:5, $a0:1, $a3
  st64   $a4:5, $mzero, $m9, 0
  uput   $PRNG_SEED, $a2
  setzi  $a3, 0x10000              // bit 16: keep all
  f16v4rmask $a4:5, $a0:1, $a3
  st64   $a4:5, $mzero, $m9, 1
  uput   $PRNG_SEED, $a2
  f16v4rmask $a4:5, $a0:1, $azero  // 0: mask all
  st64   $a4:5, $mzero, $m9, 2
  uput   $PRNG_SEED, $a2
  setzi  $a3, 0x4000               // lane 0 (0x4000) masked, lane 1 (0) kept
  ld32   $a6, $m8, $mzero, 0       // 1.0f
  ld32   $a7, $m8, $mzero, 7       // 2.0f
  f32v2rmask $a4:5, $a6:7, $a3
  st64   $a4:5, $mzero, $m9, 3
)");
  CHECK(out(*r, 0) == 0x0C003C00u);
  CHECK(out(*r, 1) == 0u);
  CHECK(out(*r, 2) == 0x0C003C00u);
  CHECK(out(*r, 3) == 0xFBFF3C00u);
  CHECK(out(*r, 4) == 0u);
  CHECK(out(*r, 5) == 0u);
  CHECK(out(*r, 6) == 0u);
  CHECK(out(*r, 7) == 0x40000000u);
}

TEST_CASE("sufromui: symmetric unbiased conversions") {
  auto r = run_w(R"(
  ld64   $a0:1, $m8, $mzero, 4     // words 8, 9 of `in`
  f32sufromui $a2, $a0             // 0x80000000 -> +2^-33
  st32   $a2, $mzero, $m9, 0
  f32v2sufromui $a2:3, $a0:1       // {+2^-33, -2^-33}
  st64   $a2:3, $mzero, $m9, 1
  ld64   $a0:1, $m8, $mzero, 5     // words 10, 11
  f32v2sufromui $a2:3, $a0:1       // {-0.5 + 2^-33 -> -0.5, 0.5 - 2^-33 -> 0.5}
  st64   $a2:3, $mzero, $m9, 2
  ld64   $a0:1, $m8, $mzero, 6     // words 12, 13
  f16v2sufromui $a2, $a0           // {0x7FFF -> -2^-17, 0x8000 -> +2^-17}
  st32   $a2, $mzero, $m9, 6
  f16v4sufromui $a2:3, $a0:1       // adds {0 -> -0.5 + 2^-17 -> -0.5, 0xFFFF -> 0.5}
  st64   $a2:3, $mzero, $m9, 4
)",
                 "  .word 0x80000000, 0x7FFFFFFF, 0x00000000, 0xFFFFFFFF, 0x80007FFF, 0xFFFF0000\n");
  CHECK(out(*r, 0) == 0x2F000000u);
  CHECK(out(*r, 2) == 0x2F000000u);
  CHECK(out(*r, 3) == 0xAF000000u);
  CHECK(out(*r, 4) == 0xBF000000u);
  CHECK(out(*r, 5) == 0x3F000000u);
  CHECK(out(*r, 6) == 0x00808080u);
  CHECK(out(*r, 8) == 0x00808080u);
  CHECK(out(*r, 9) == 0x3800B800u);
}

// ---- stochastic rounding ---------------------------------------------------------------

TEST_CASE("stochastic rounding uses the context's PRNG bits") {
  // 1 + 2^-12 lies a quarter ulp above 1.0 in fp16: it rounds up when
  // 0x40000000 + the 32 random bits carries past 2^32. Seed 1: the first
  // instruction gets the low word of output 0 (0x00004000: down), the second
  // of output 1 (0xf103bfde: up).
  auto r = run_w(R"(
  setzi  $a0, 0x80000             // $FP_CTL.ESR
  uput   $FP_CTL, $a0
  setzi  $a1, 1
  uput   $PRNG_SEED, $a1
  ld32   $a2, $m8, $mzero, 5       // 1 + 2^-12
  f32tof16 $a3, $a2
  st32   $a3, $mzero, $m9, 0
  f32tof16 $a3, $a2
  st32   $a3, $mzero, $m9, 1
  ld32   $a4, $m8, $mzero, 6       // {1.0, 2^-12}
  f16v2add $a5, $a4, $a4           // {2, 2^-11}: exact, so unchanged (output 2 drawn)
  st32   $a5, $mzero, $m9, 3
  sort4x16hi $a6, $a4, $a4         // {2^-12, 2^-12}
  uput   $PRNG_SEED, $a1
  f16v2add $a5, $a4, $a6           // {1 + 2^-12 with low word 0x00004000: 1.0, 2^-11 exact}
  st32   $a5, $mzero, $m9, 2
  f16v2add $a5, $a4, $a6           // output 1: low word 0xf103bfde rounds up
  st32   $a5, $mzero, $m9, 4
)");
  CHECK(out(*r, 0) == 0x3C003C00u);
  CHECK(out(*r, 1) == 0x3C013C01u);
  CHECK(out(*r, 2) == 0x10003C00u);
  CHECK(out(*r, 3) == 0x10004000u);
  CHECK(out(*r, 4) == 0x10003C01u);
}

namespace {
// Converts 1 + 2^-12 to fp16 4096 times and sums the results in fp32 (exact:
// each is 1 or 1 + 2^-10, and the sum needs 22 bits); returns the mean.
double mean_of_conversions(bool esr, uint32_t seed) {
  char body[1024];
  std::snprintf(body, sizeof body, R"(
  setzi  $a0, 0x%x
  uput   $FP_CTL, $a0
  setzi  $a1, 0x%x
  uput   $PRNG_SEED, $a1
  ld32   $a2, $m8, $mzero, 5
  mov    $a4, $azero
  setzi  $m0, 4095
loop:
  f32tof16 $a3, $a2
  f16tof32 $a3, $a3
  f32add $a4, $a4, $a3
  brnzdec $m0, loop
  st32   $a4, $mzero, $m9, 0
)",
                esr ? 0x80000u : 0u, seed);
  auto r = run_w(body);
  return double(f32_from_bits(out(*r, 0))) / 4096.0;
}
} // namespace

TEST_CASE("stochastically rounded values average to the exact value") {
  const double exact = 1.0 + std::ldexp(1.0, -12);
  // Round to nearest always gives 1.0.
  CHECK(mean_of_conversions(false, 1) == 1.0);
  // Each result is 1 + 2^-10 with probability 1/4: the mean's standard
  // deviation is 2^-10 * sqrt(3/16) / 64 = 6.6e-6, the rounding bias 2.4e-4.
  const double m = mean_of_conversions(true, 1);
  CHECK(std::fabs(m - exact) < 5 * 6.6e-6);
  CHECK(std::fabs(mean_of_conversions(true, 0xBEEF) - exact) < 5 * 6.6e-6);
  // Same seed, same bits.
  CHECK(mean_of_conversions(true, 1) == m);
}

TEST_CASE("the same seed gives the same stochastically rounded bits, another seed others") {
  auto bits_for = [](uint32_t seed) {
    char body[512];
    std::snprintf(body, sizeof body, R"(
  setzi  $a0, 0x80000
  uput   $FP_CTL, $a0
  setzi  $a1, 0x%x
  uput   $PRNG_SEED, $a1
  ld32   $a2, $m8, $mzero, 6       // {1.0, 2^-12}
  sort4x16hi $a3, $a2, $a2         // {2^-12, 2^-12}
  mov    $a4, $a2
  mov    $a5, $a2
  setzi  $m0, 15
loop:
  f16v4add $a4:5, $a4:5, $a2:3     // {x + 1, y + 2^-12, ...} rounded stochastically
  st64step $a4:5, $mzero, $m9+=, 1
  brnzdec $m0, loop
)",
                  seed);
    auto r = run_w(body);
    std::vector<uint32_t> v;
    for (unsigned k = 0; k < 32; ++k) v.push_back(out(*r, k));
    return v;
  };
  const auto a = bits_for(7), b = bits_for(7), c = bits_for(8);
  CHECK(a == b);
  CHECK(a != c);
}

// ---- accumulators ------------------------------------------------------------------------

namespace {
float acc(const test::TileRun &r, unsigned k) { return f32_from_bits(worker0(r).aacc[k]); }
void check_odd_zero(const test::TileRun &r) {
  for (unsigned k = 1; k < 32; k += 2) CHECK(worker0(r).aacc[k] == 0u);
}
// Eight halves {1, 2, -0.5, 65504, 0.25, 3, -1, 2^-24} and four singles {1.5, -2, 1e30, 0.125}.
const char *kAccData = R"(
  .word 0x40003C00, 0x7BFFB800, 0x42003400, 0x0001BC00
  .word 0x3FC00000, 0xC0000000, 0x7149F2CA, 0x3E000000
)";
} // namespace

TEST_CASE("f16v8acc, f16v4acc and f32v4acc accumulate lane j into $AACC[2j]") {
  auto r = run_w(R"(
  setzi  $a0, 8                    // $FP_CLR.ZAACC
  uput   $FP_CLR, $a0
  ld64   $a0:1, $m8, $mzero, 4
  ld64   $a2:3, $m8, $mzero, 5
  f16v8acc $a0:3
  f16v8acc $a0:3
  f16v4acc $a0:1                   // lanes 0..3 once more
)",
                 kAccData);
  CHECK(acc(*r, 0) == 3.0f);
  CHECK(acc(*r, 2) == 6.0f);
  CHECK(acc(*r, 4) == -1.5f);
  CHECK(acc(*r, 6) == 3 * 65504.0f);
  CHECK(acc(*r, 8) == 0.5f);
  CHECK(acc(*r, 10) == 6.0f);
  CHECK(acc(*r, 12) == -2.0f);
  CHECK(acc(*r, 14) == std::ldexp(1.0f, -23));
  check_odd_zero(*r);

  auto s = run_w(R"(
  ld64   $a0:1, $m8, $mzero, 6
  ld64   $a2:3, $m8, $mzero, 7
  f32v4acc $a0:3
  f32v4acc $a0:3
)",
                 kAccData);
  CHECK(acc(*s, 0) == 3.0f);
  CHECK(acc(*s, 2) == -4.0f);
  CHECK(acc(*s, 4) == 2e30f);
  CHECK(acc(*s, 6) == 0.25f);
  check_odd_zero(*s);
}

TEST_CASE("squared and absolute accumulation") {
  auto r = run_w(R"(
  ld64   $a0:1, $m8, $mzero, 4
  ld64   $a2:3, $m8, $mzero, 5
  f16v8sqacc $a0:3
)",
                 kAccData);
  CHECK(acc(*r, 0) == 1.0f);
  CHECK(acc(*r, 2) == 4.0f);
  CHECK(acc(*r, 4) == 0.25f);
  CHECK(acc(*r, 6) == 65504.0f * 65504.0f);  // exact in fp32 (22 significant bits)
  CHECK(acc(*r, 14) == std::ldexp(1.0f, -48));
  auto a = run_w(R"(
  ld64   $a0:1, $m8, $mzero, 4
  ld64   $a2:3, $m8, $mzero, 5
  f16v8absacc $a0:3
  f16v4absacc $a0:1
  ld64   $a0:1, $m8, $mzero, 6
  ld64   $a2:3, $m8, $mzero, 7
  f32v4absacc $a0:3
)",
                 kAccData);
  CHECK(acc(*a, 0) == 2.0f + 1.5f);
  CHECK(acc(*a, 4) == 1.0f + 1e30f);   // |-0.5| twice, then + 1e30 (rounded)
  CHECK(acc(*a, 2) == 4.0f + 2.0f);
  CHECK(acc(*a, 12) == 1.0f);
  auto q = run_w(R"(
  ld64   $a0:1, $m8, $mzero, 6
  ld64   $a2:3, $m8, $mzero, 7
  f32v4sqacc $a0:3
)",
                 kAccData);
  CHECK(acc(*q, 0) == 2.25f);
  CHECK(acc(*q, 2) == 4.0f);
  CHECK(acc(*q, 4) == 1e30f * 1e30f);  // +inf: overflow
  CHECK(std::isinf(acc(*q, 4)));
  CHECK(worker0(*q).fp_sts == 4u);
  CHECK(acc(*q, 6) == 0.015625f);
}

TEST_CASE("f32mac, f32v2mac, f16v2cmac and f16v4cmac") {
  auto r = run_w(R"(
  ld64   $a0:1, $m8, $mzero, 6     // {1.5, -2}
  ld64   $a2:3, $m8, $mzero, 7     // {1e30, 0.125}
  f32v2mac $a0:1, $a0:1            // $AACC[0] = 2.25, [2] = 4
  f32mac $a1, $a3                  // $AACC[0] += -2 * 0.125 -> 2.0
)",
                 kAccData);
  CHECK(acc(*r, 0) == 2.0f);
  CHECK(acc(*r, 2) == 4.0f);
  check_odd_zero(*r);
  auto h = run_w(R"(
  ld64   $a0:1, $m8, $mzero, 4     // halves {1, 2, -0.5, 65504}
  f16v2cmac $a0, $a0               // 1*1 + 2*2 = 5
  f16v4cmac $a0:1, $a0:1           // [0] += 5, [2] += 0.25 + 65504^2
)",
                 kAccData);
  CHECK(acc(*h, 0) == 10.0f);
  CHECK(acc(*h, 2) == 0.25f + 65504.0f * 65504.0f);  // p2 + p3 rounded to fp32
  check_odd_zero(*h);
}

TEST_CASE("f32v2axpy and f16v4mix: state in $AACC, destination gets the previous state") {
  auto r = run_w(R"(
  ld32   $a0, $m8, $mzero, 7       // 2.0f
  uput   $TAS, $a0
  ld64   $a0:1, $m8, $mzero, 6     // x = {1.5, -2}
  ld64   $a2:3, $m8, $mzero, 7     // y = {1e30, 0.125}
  f32v2axpy $a4:5, $a0:1, $a2:3    // state {3 + 1e30, -3.875}; a4:5 = {0, 0}
  st64   $a4:5, $mzero, $m9, 0
  f32v2axpy $a4:5, $azeros, $azeros
  st64   $a4:5, $mzero, $m9, 1
)",
                 "  .word 0, 0, 0, 0\n  .word 0x3FC00000, 0xC0000000, 0x7149F2CA, 0x3E000000\n");
  CHECK(out(*r, 0) == 0u);
  CHECK(out(*r, 1) == 0u);
  CHECK(out(*r, 2) == fbits(1e30f));  // 3 + 1e30 rounds to 1e30
  CHECK(out(*r, 3) == fbits(-3.875f));
  CHECK(worker0(*r).aacc[0] == 0u);
  CHECK(worker0(*r).aacc[2] == 0u);

  auto m = run_w(R"(
  ld32   $a6, $m8, $mzero, 8       // $TAS = {a = 2.0, b = 0.5}
  uput   $TAS, $a6
  ld64   $a0:1, $m8, $mzero, 6     // x = {1, 2, 3, 4}
  ld64   $a2:3, $m8, $mzero, 7     // y = {4, 4, -8, 0.5}
  f16v4mix $azeros, $a0:1, $a2:3   // state {4, 6, 2, 8.25}
  f16v4mix $a4:5, $azeros, $azeros
  st64   $a4:5, $mzero, $m9, 0
  ld32   $a6, $m8, $mzero, 9       // $TAS = {a = 65504, b = 65504}
  uput   $TAS, $a6
  f16v4mix $azeros, $a0:1, $a0:1   // 65504 * 2x: {131008, 262016, 393024, 524032}
  f16v4mix $a4:5, $azeros, $azeros
  st64   $a4:5, $mzero, $m9, 1
  uget   $a6, $FP_STS
  st32   $a6, $mzero, $m9, 4
)",
                 "  .word 0x38004000, 0x7BFF7BFF, 0, 0\n  .word 0x40003C00, 0x44004200\n"
                 "  .word 0x44004400, 0x3800C800\n");
  CHECK(out(*m, 0) == 0x46004400u);  // {4, 6}
  CHECK(out(*m, 1) == 0x48204000u);  // {2, 8.25}
  // The state is fine in fp32, but every readout as a half clips to 65504 (OFLO).
  CHECK(out(*m, 2) == 0x7BFF7BFFu);
  CHECK(out(*m, 3) == 0x7BFF7BFFu);
  CHECK(out(*m, 4) == 4u);
}

// ---- transcendentals on the tile ------------------------------------------------------------

TEST_CASE("f32 transcendental instructions") {
  auto r = run_w(R"(
  ld32   $a0, $m8, $mzero, 0       // 1.0
  f32exp $a1, $a0
  st32   $a1, $mzero, $m9, 0
  f32ln  $a1, $a0
  st32   $a1, $mzero, $m9, 1
  f32sigm $a1, $azero
  st32   $a1, $mzero, $m9, 2
  ld32   $a2, $m8, $mzero, 7       // 2.0
  f32exp2 $a1, $a2
  st32   $a1, $mzero, $m9, 3
  f32log2 $a1, $a2
  st32   $a1, $mzero, $m9, 4
  f32oox $a1, $a2
  st32   $a1, $mzero, $m9, 5
  f32oorx $a1, $a2
  st32   $a1, $mzero, $m9, 6
  f32tanh $a1, $a0
  st32   $a1, $mzero, $m9, 7
  f32sqrt $a1, $a2
  st32   $a1, $mzero, $m9, 8
  f32div $a1, $a0, $a2
  st32   $a1, $mzero, $m9, 9
  uget   $a3, $FP_STS
  st32   $a3, $mzero, $m9, 10
  or     $a4, $azero, 0xBF800000   // -1.0
  f32ln  $a1, $a4                  // NaN, INV
  st32   $a1, $mzero, $m9, 11
  uget   $a3, $FP_STS
  st32   $a3, $mzero, $m9, 12
)");
  CHECK(out(*r, 0) == 0x402DF854u);  // e
  CHECK(out(*r, 1) == 0u);
  CHECK(out(*r, 2) == 0x3F000000u);  // 0.5
  CHECK(out(*r, 3) == 0x40800000u);  // 4
  CHECK(out(*r, 4) == 0x3F800000u);  // 1
  CHECK(out(*r, 5) == 0x3F000000u);  // 0.5
  CHECK(out(*r, 6) == 0x3F3504F3u);  // 1/sqrt(2) = 0.70710677
  CHECK(out(*r, 7) == 0x3F42F7D6u);  // tanh(1) = 0.7615942
  CHECK(out(*r, 8) == 0x3FB504F3u);  // sqrt(2)
  CHECK(out(*r, 9) == 0x3F000000u);
  CHECK(out(*r, 10) == 0u);
  CHECK(out(*r, 11) == 0x7FC00000u);
  CHECK(out(*r, 12) == 1u);
}

TEST_CASE("f16v2 transcendental instructions") {
  auto r = run_w(R"(
  ld32   $a0, $m8, $mzero, 8       // halves {0, 1}
  f16v2exp $a1, $a0                // {1, e -> 2.71875}
  st32   $a1, $mzero, $m9, 0
  f16v2ln $a2, $a1                 // {0, ln(2.71875) = 1.00017 -> 1.0}
  st32   $a2, $mzero, $m9, 1
  f16v2sigm $a1, $a0               // {0.5, 0.7310586 -> 0.731}
  st32   $a1, $mzero, $m9, 2
  f16v2tanh $a1, $a0               // {0, 0.7615942 -> 0.7617}
  st32   $a1, $mzero, $m9, 3
  ld32   $a0, $m8, $mzero, 9       // halves {3, -1}
  f16v2exp2 $a1, $a0               // {8, 0.5}
  st32   $a1, $mzero, $m9, 4
  f16v2log2 $a2, $a1               // {3, -1}
  st32   $a2, $mzero, $m9, 5
  ld32   $a0, $m8, $mzero, 10      // halves {12, -0}
  f16v2exp $a1, $a0                // {e^12 = 162755 -> clipped 65504, 1}
  st32   $a1, $mzero, $m9, 6
  f16v2ln $a1, $a0                 // {2.4849 -> 2.484, -inf: DIV0}
  st32   $a1, $mzero, $m9, 7
  uget   $a3, $FP_STS
  st32   $a3, $mzero, $m9, 8
)",
                 "  .word 0x3C000000, 0xBC004200, 0x80004A00\n");
  CHECK(out(*r, 0) == 0x41703C00u);
  CHECK(out(*r, 1) == 0x3C000000u);
  CHECK(out(*r, 2) == 0x39D93800u);
  CHECK(out(*r, 3) == 0x3A180000u);
  CHECK(out(*r, 4) == 0x38004800u);
  CHECK(out(*r, 5) == 0xBC004200u);
  CHECK(out(*r, 6) == 0x3C007BFFu);
  CHECK(out(*r, 7) == 0xFC0040F8u);
  CHECK(out(*r, 8) == 6u);  // DIV0 | OFLO
}
