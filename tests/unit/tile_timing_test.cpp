// Timing of the barrel scheduler, rpt and memory conflicts. Expected cycle
// counts follow from the model's rules: every context issues at most once per
// 6 cycles (one thread cycle), rpt bodies loop with no overhead, and each
// conflicting access stalls the pipeline by conflict_penalty_cycles.
#include <doctest/doctest.h>

#include "tile_harness.hpp"

using namespace ipusim;
using test::worker_program;

namespace {
// $COUNT_L read before and after `body`; out[0] = difference.
std::unique_ptr<test::TileRun> time_body(const std::string &body, tile::TileParams p = test::default_params()) {
  std::string code = "  setzi $m9, out\n  get $m7, $COUNT_L\n" + body +
                     "\n  get $m8, $COUNT_L\n  sub $m8, $m8, $m7\n  st32 $m8, $mzero, $m9, 0\n";
  auto r = test::run(worker_program(code, ".align 8\nout:\n .space 16\n.align 8\nbuf:\n .space 64\n"), p);
  REQUIRE(r->core.finished());
  return r;
}
} // namespace

TEST_CASE("a lone worker issues once every 6 cycles") {
  auto r = time_body("  nop\n  nop\n  nop");
  // get ... 3 nops ... get: 4 thread cycles between the two reads.
  CHECK(r->word("out") == 24u);
}

TEST_CASE("six workers each still issue once every 6 cycles") {
  std::string prog = R"(
.section .text.sup, "ax"
.supervisor
.align 8
main:
  setzi $m0, worker
  setzi $m1, out
  runall $m0, $m1, 0
  sync 2
  bri done
done:
  nop
.section .text.w, "ax"
.worker
.align 8
worker:
  get   $m2, $WSR
  and   $m2, $m2, 7
  shl   $m2, $m2, 2
  get   $m7, $COUNT_L
  nop
  nop
  get   $m8, $COUNT_L
  sub   $m8, $m8, $m7
  st32  $m8, $mvertex_base, $m2, 0
  exitz $mzero
.section .data, "aw"
.align 8
out:
  .space 32
)";
  auto r = test::run(prog);
  REQUIRE(r->core.finished());
  for (unsigned w = 0; w < 6; ++w) CHECK(r->word("out", w) == 18u);
  // Every worker ran 10 instructions; the supervisor 5 (setzi, setzi, runall, sync, bri; `done` ends it).
  for (unsigned w = 1; w <= 6; ++w) CHECK(r->core.context(w).stats.issues == 10u);
  CHECK(r->core.context(0).stats.issues == 5u);
}

TEST_CASE("rpt loops with zero overhead; a zero count skips the body") {
  // Each rpt is a single instruction at 8n+4, so its one-bundle body is aligned.
  auto r = time_body(R"(
  setzi $m2, 10
  rpt $m2, 0
  { add $m3, $m3, 1
    fnop }
  setzi $m4, 0
  rpt $m4, 0
  { add $m3, $m3, 100
    fnop }
  st32 $m3, $mzero, $m9, 1
)");
  // setzi, rpt, 10 bodies, setzi, rpt (skips), st32: the final get is the 16th issue.
  CHECK(r->word("out", 1) == 10u);
  CHECK(r->word("out", 0) == 6u * 16u);
}

TEST_CASE("rpt counts wider than $REPEAT_COUNT fault") {
  tile::TileParams p = test::default_params();
  p.repeat_count_bits = 4;
  CHECK_THROWS_WITH_AS(time_body("  setzi $m2, 16\n  rpt $m2, 0\n  { nop\n    fnop }", p),
                       doctest::Contains("rpt count 16 exceeds the 4-bit $REPEAT_COUNT"), SimulationError);
}

TEST_CASE("two accesses to one memory element conflict and stall the pipeline") {
  // buf is in region 0 (non-interleaved, 16 KiB elements): buf and buf+16 share an element.
  tile::TileParams p = test::default_params();
  p.sram.conflict_penalty_cycles = 3;
  auto r = time_body(R"(
  setzi $m0, buf
  add   $m1, $m0, 16
  tapack $m4:5, $m0, $m1, $mzero
  ld2x64pace $a0:1, $a2:3, $m4:5+=, $mzero, 0
)", p);
  // setzi, add, tapack, ld2x64pace, get: 5 thread cycles plus a 3-cycle stall.
  CHECK(r->word("out") == 5u * 6u + 3u);
  CHECK(r->core.stats().conflicts == 1u);
  CHECK(r->core.stats().conflict_stall_cycles == 3u);
}

TEST_CASE("the two elements of an interleaved pair serve one access each") {
  // In the interleaved region (0x60000 up), 64-bit granules alternate between
  // the two elements of a pair: base and base+8 do not conflict, base and base+16 do.
  auto r = time_body(R"(
  setzi $m0, 0x60000
  add   $m1, $m0, 8
  add   $m2, $m0, 16
  tapack $m4:5, $m0, $m1, $mzero
  ld2x64pace $a0:1, $a2:3, $m4:5+=, $mzero, 0
  tapack $m4:5, $m0, $m2, $mzero
  ld2x64pace $a0:1, $a2:3, $m4:5+=, $mzero, 0
)");
  CHECK(r->core.stats().conflicts == 1u);
  CHECK(r->word("out") == 8u * 6u + 1u);
}

TEST_CASE("instruction classes with longer issue times delay only their context") {
  tile::TileParams p = test::default_params();
  p.issue_cycles[static_cast<size_t>(isa::TimingClass::transcendental)] = 4;
  auto r = time_body("  f32sqrt $a0, $a1", p);
  CHECK(r->word("out") == 6u * 5u); // f32sqrt takes 4 thread cycles, then the get
  CHECK(r->core.stats().multicycle_extra_cycles == 3u);
}

TEST_CASE("a memory latency longer than the barrel delays the loading context") {
  tile::TileParams p = test::default_params();
  p.sram.latency_cycles = 9;
  auto r = time_body("  ld32 $m0, $m9, $mzero, 0\n  nop", p);
  // get at t, ld32 at t+6 with its result at t+15 (not t+12), so the nop waits
  // for the worker's slot at t+18 and the second get issues at t+24 (t+18 without the extra latency).
  CHECK(r->word("out") == 24u);
  CHECK(r->core.stats().load_latency_stall_cycles == 3u);
}

TEST_CASE("an unbundled rpt at 8n: the word at 8n+4 runs once, outside the loop, for any count") {
  for (uint32_t count : {0u, 3u}) {
    auto r = time_body("  setzi $m2, " + std::to_string(count) + R"(
  setzi $m4, 0
  rpt   $m2, 0
  add   $m4, $m4, 1       // at 8n+4: once
  { add $m3, $m3, 1
    fnop }
  st32  $m4, $mzero, $m9, 1
  st32  $m3, $mzero, $m9, 2
)");
    CHECK(r->word("out", 1) == 1u);
    CHECK(r->word("out", 2) == count);
  }
}

TEST_CASE("a lone tile's internal sync costs the same latency as a chip's") {
  tile::TileParams p = test::default_params();
  p.internal_sync_latency_cycles = 40;
  std::string prog = ".section .text.s, \"ax\"\n.supervisor\n.align 8\nmain:\n  get $m7, $COUNT_L\n  sync 3\n"
                     "  get $m8, $COUNT_L\n  sub $m8, $m8, $m7\n  setzi $m9, out\n  st32 $m8, $mzero, $m9, 0\n"
                     "  bri done\ndone:\n  nop\n.section .data, \"aw\"\n.align 8\nout:\n  .word 0\n";
  auto s = test::run(prog, p);
  REQUIRE(s->core.finished());
  // get at 0, sync at 6 (arrival), released at 6 + 40, the next get issues then.
  CHECK(s->word("out") == 46u);
}
