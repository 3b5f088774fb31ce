#include "models/tile/tile_module.hpp"

namespace ipusim::tile {

namespace {
// Cycles simulated per SystemC activation when no signal is traced. Large
// enough that the kernel's cost per activation (tens of ns) vanishes.
constexpr uint64_t kQuantumCycles = 4096;
} // namespace

TileModule::TileModule(sc_core::sc_module_name name, TileCore &core, sc_core::sc_time cycle_time, bool per_cycle)
    : sc_core::sc_module(name), core_(core), cycle_time_(cycle_time), per_cycle_(per_cycle) {
  SC_HAS_PROCESS(TileModule);
  SC_THREAD(run_thread);
}

void TileModule::run_thread() {
  try {
    while (!core_.finished()) {
      uint64_t before = core_.cycle();
      uint64_t issues_before = 0;
      for (unsigned c = 0; c <= core_.workers(); ++c) issues_before += core_.context(c).stats.issues;
      uint64_t stall_before = core_.stats().conflict_stall_cycles;
      core_.run(before + (per_cycle_ ? 1 : kQuantumCycles));
      uint64_t advanced = core_.cycle() - before;
      if (per_cycle_) {
        uint64_t issues_after = 0;
        uint32_t ctx = 0, pc = 0;
        for (unsigned c = 0; c <= core_.workers(); ++c) {
          const Context &x = core_.context(c);
          issues_after += x.stats.issues;
          if (x.stats.issues && x.last_issue_cycle == before) {
            ctx = c;
            pc = core_.current_pc();
          }
        }
        issued.write(issues_after != issues_before);
        if (issues_after != issues_before) {
          issue_pc.write(pc);
          issue_context.write(ctx);
        }
        stalled.write(core_.stats().conflict_stall_cycles != stall_before);
      }
      if (advanced == 0) break;
      wait(cycle_time_ * static_cast<double>(advanced));
    }
  } catch (...) {
    error_ = std::current_exception();
  }
  sc_core::sc_stop();
}

} // namespace ipusim::tile
