// Exceptions stop the run with one line naming tile, context, PC, the
// disassembled instruction and the cycle; the watchdog catches deadlocks.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "tile_harness.hpp"

using namespace ipusim;
using test::worker_program;

namespace {
std::string fault_of(const std::string &text, tile::TileParams p = test::default_params()) {
  try {
    test::run(text, p);
  } catch (const SimulationError &e) {
    return e.what();
  }
  return "no fault";
}
} // namespace

TEST_CASE("misaligned load names tile, worker, pc, instruction and cycle") {
  std::string msg = fault_of(worker_program("  setzi $m0, 0x40002\n  ld32 $m1, $m0, $mzero, 0"));
  CHECK(msg.find("tile 0, worker 0, pc 0x") == 0);
  CHECK(msg.find("(ld32 $m1, $m0, $mzero, 0)") != std::string::npos);
  CHECK(msg.find("cycle ") != std::string::npos);
  CHECK(msg.find("misaligned access: 32-bit load at 0x40002 is not 4-byte aligned") != std::string::npos);
  CHECK(msg.find('\n') == std::string::npos);
}

TEST_CASE("out-of-range store") {
  std::string msg = fault_of(worker_program("  setzi $m0, 0x80000\n  st32 $m0, $m0, $mzero, 0"));
  CHECK(msg.find("address out of range: 32-bit store at 0x80000 is outside the tile's SRAM [0x40000, 0x80000)") !=
        std::string::npos);
}

TEST_CASE("128-bit loads need the interleaved region") {
  std::string msg = fault_of(worker_program("  setzi $m0, 0x40000\n  ld128 $a0:3, $m0, $mzero, 0"));
  CHECK(msg.find("outside the interleaved region") != std::string::npos);
}

TEST_CASE("control instructions are illegal in a rpt body") {
  std::string msg = fault_of(worker_program(R"(
  nop
  rpt 2, 0
  { brz $m0, worker
    fnop })"));
  CHECK(msg.find("illegal instruction in rpt body: brz is not allowed in a rpt body") != std::string::npos);
}

TEST_CASE("runall while a worker is running") {
  // With all six workers running the supervisor owns no slot, so use run (one worker) first.
  std::string prog = R"(
.section .text.sup, "ax"
.supervisor
.align 8
main:
  setzi $m0, worker
  run    $m0, $mzero, 0
  runall $m0, $mzero, 0
  sync 2
  bri done
done:
  nop
.section .text.w, "ax"
.worker
.align 8
worker:
  nop
  rpt 50, 0
  { nop
    fnop }
  exitz $mzero
)";
  std::string msg = fault_of(prog);
  CHECK(msg.find("tile 0, supervisor, pc 0x") == 0);
  CHECK(msg.find("worker busy: runall while worker 0 is still running") != std::string::npos);
}

TEST_CASE("jumping to data is not executable") {
  auto r = test::load(worker_program("  setzi $m0, vstate\n  br $m0"));
  uint32_t br_pc = r->sym("worker") + 4;
  std::string msg = fault_of(worker_program("  setzi $m0, vstate\n  br $m0"));
  CHECK(msg.find("not executable: no instruction at 0x") != std::string::npos);
  CHECK(msg.find(fmt::format("(reached from the instruction at 0x{:x})", br_pc)) != std::string::npos);
}

TEST_CASE("worker-only and supervisor-only instructions") {
  CHECK(fault_of(worker_program("  sync 2")).find("sync is supervisor-only") != std::string::npos);
}

TEST_CASE("a supervisor waiting on a sync nobody completes trips the watchdog") {
  std::string prog = ".section .text.s, \"ax\"\n.supervisor\n.align 8\nmain:\n  sync 4\n  bri done\ndone:\n  nop\n";
  std::string msg = fault_of(prog);
  CHECK(msg.find("deadlock: no instruction issued for 10000 cycles (supervisor waits on sync zone 4") !=
        std::string::npos);
}

TEST_CASE("a program that never ends stops at max_cycles") {
  tile::TileParams p = test::default_params();
  p.max_cycles = 600;
  std::string msg = fault_of(worker_program("loop:\n  bri loop"), p);
  CHECK(msg.find("the run reached max_cycles (600) without finishing") != std::string::npos);
  CHECK(msg.find("worker 0 at pc 0x") != std::string::npos);
}

TEST_CASE("runall gives worker n the vertex base plus n times the stride") {
  std::string prog = R"(
.section .text.sup, "ax"
.supervisor
.align 8
main:
  setzi  $m0, worker
  setzi  $m1, out
  runall $m0, $m1, 1       // worker n: out + 4n
  sync   2
  bri    done
done:
  nop
.section .text.w, "ax"
.worker
.align 8
worker:
  st32   $mvertex_base, $mzero, $mvertex_base, 0
  exitz  $mzero
.section .data, "aw"
.align 8
out:
  .space 24
)";
  auto r = test::run(prog);
  REQUIRE(r->core.finished());
  for (unsigned w = 0; w < 6; ++w) CHECK(r->word("out", w) == r->sym("out") + 4 * w);
}

TEST_CASE("the supervisor has no ARF") {
  std::string prog = ".section .text.s, \"ax\"\n.supervisor\n.align 8\nmain:\n  f32add $a0, $a1, $a2\n  bri done\ndone:\n  nop\n";
  CHECK(fault_of(prog).find("illegal instruction: f32add needs the ARF, which only workers have") != std::string::npos);
}

TEST_CASE("a store into code faults (self-modifying code is not modelled)") {
  std::string msg = fault_of(worker_program("  setzi $m0, worker\n  st32 $m0, $m0, $mzero, 0"));
  CHECK(msg.find("which holds code") != std::string::npos);
}

TEST_CASE("send on a lone tile (no exchange fabric) faults") {
  std::string prog = ".section .text.s, \"ax\"\n.supervisor\n.align 8\nmain:\n  send $mzero, 1\n  bri done\ndone:\n  nop\n";
  CHECK(fault_of(prog).find("send needs the chip's exchange") != std::string::npos);
}
