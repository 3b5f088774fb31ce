// The architectural state of one hardware context (the supervisor or a worker)
// plus the bookkeeping the barrel scheduler needs.
#pragma once

#include <array>
#include <cstdint>

namespace ipusim::tile {

enum class ContextState : uint8_t {
  idle,        // worker not running (slot belongs to the supervisor)
  running,     // issuing instructions
  waiting_sync,// supervisor blocked in `sync`
  halted,      // supervisor returned to the loader's exit address
};

struct RepeatState {
  uint32_t remaining = 0; // body executions left after the current one ($REPEAT_COUNT)
  uint32_t body_start = 0;
  uint32_t body_end = 0;  // first address after the body
  bool active() const { return remaining != 0 || body_end != 0; }
};

// A rpt at 8n that is not bundled: the word at 8n+4 runs once, outside the
// loop, and the loop starts when execution reaches the body at 8n+8.
struct ArmedRepeat {
  bool armed = false;
  uint32_t count = 0;
  uint32_t body_start = 0, body_end = 0;
};

struct ContextStats {
  uint64_t issues = 0;        // issue slots used (a bundle is one issue)
  uint64_t instructions = 0;  // instructions executed (a bundle is two)
  uint64_t branches_taken = 0;
  uint64_t loads = 0, stores = 0;
  uint64_t sync_wait_cycles = 0;    // all sync zones
  uint64_t receive_wait_cycles = 0; // of which in `sync 0`, waiting for exchanged words
  uint64_t runs = 0;          // workers: times started
  uint64_t active_cycles = 0; // workers: cycles from launch to the exit's issue, summed over runs
};

struct Context {
  // MRF and ARF. $m15, $a14 and $a15 read as zero: writes to them are dropped
  // by the register write helpers.
  std::array<uint32_t, 16> m{};
  std::array<uint32_t, 16> a{};
  uint32_t pc = 0;
  uint32_t last_pc = 0; // the last instruction issued (for faults at a branch target)
  ContextState state = ContextState::idle;
  bool supervisor = false;
  unsigned index = 0; // 0 = supervisor, 1..6 = worker contexts

  RepeatState rpt;
  ArmedRepeat armed_rpt;
  uint64_t ready_cycle = 0; // earliest cycle at which this context may issue again
  uint64_t last_issue_cycle = 0;
  uint64_t launch_cycle = 0; // workers: when the current run started

  // Worker CSRs.
  uint32_t vertex_base = 0, worker_base = 0;
  uint32_t fp_ctl = 0, fp_sts = 0, tas = 0;
  // FP8 (C600): $FP_NFMT (bit 0 CWEI_FMT, bit 1 ARF_FMT; 1 = 1.4.3) and
  // $FP_SCL (6-bit signed scale), set at launch from $FP_INFMT / $FP_ISCL.
  uint32_t fp_nfmt = 0, fp_scl = 0;
  // The accumulator state ($AACC[0..31], fp32 bit patterns): the AMP's
  // partial sums and the state of the accumulating instructions (f16v8acc,
  // f32v4acc, f32v2axpy, f16v4mix, ...). [16..31] belong to the second AMP
  // set (Mk2, Bow). Zeroed by writing $FP_CLR.ZAACC.
  std::array<uint32_t, 32> aacc{};
  // $PRNG_0_0, $PRNG_0_1, $PRNG_1_0, $PRNG_1_1: the xoroshiro128+ state
  // (sim/numeric/prng.hpp), kept between worker runs.
  std::array<uint32_t, 4> prng{};
  bool exit_status = true;

  // Supervisor waiting on a sync zone.
  unsigned sync_zone = 0;
  uint64_t sync_since = 0;

  ContextStats stats;
};

} // namespace ipusim::tile
