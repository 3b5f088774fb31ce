#include "sim/engine/run_stats.hpp"

#include <fmt/format.h>

namespace ipusim::engine {

IPUSIM_STAT(sim_cycles, "sim.cycles", "cycles", "Tile cycles from the start of the boot stub to the end of the program");
IPUSIM_STAT(sim_seconds, "sim.simulated_seconds", "s", "sim.cycles at the machine's clock");
IPUSIM_STAT(slot_util, "tile[*].slot_utilisation", "ratio", "Issue slots used / cycles");
IPUSIM_STAT(idle_slots, "tile[*].idle_slots", "slots", "Cycles in which no context could issue");
IPUSIM_STAT(conflicts, "tile[*].memory.conflicts", "accesses", "Accesses to a memory element already busy in that cycle");
IPUSIM_STAT(conflict_stall, "tile[*].stall.memory_conflict_cycles", "cycles", "Pipeline stall cycles from memory-element conflicts");
IPUSIM_STAT(branch_stall, "tile[*].stall.branch_thread_cycles", "thread cycles", "Thread cycles added by taken branches");
IPUSIM_STAT(multi_stall, "tile[*].stall.multicycle_thread_cycles", "thread cycles", "Thread cycles beyond one for multi-cycle instruction classes");
IPUSIM_STAT(latency_stall, "tile[*].stall.load_latency_cycles", "cycles", "Cycles contexts waited for load results (latency above the barrel depth)");
IPUSIM_STAT(ctx_issues, "tile[*].<context>.issues", "issues", "Issue slots used by the context (a bundle is one)");
IPUSIM_STAT(ctx_insns, "tile[*].<context>.instructions", "instructions", "Instructions executed (a bundle is two)");
IPUSIM_STAT(ctx_loads, "tile[*].<context>.loads", "accesses", "Load accesses");
IPUSIM_STAT(ctx_stores, "tile[*].<context>.stores", "accesses", "Store accesses");
IPUSIM_STAT(ctx_branches, "tile[*].<context>.branches_taken", "branches", "Taken branches");
IPUSIM_STAT(ctx_runs, "tile[*].worker[*].runs", "launches", "Times the worker was started by run/runall");
IPUSIM_STAT(ctx_active, "tile[*].worker[*].active_cycles", "cycles", "Cycles from each run/runall to the worker's exit, summed (thread cycles = this / 6)");
IPUSIM_STAT(sup_sync, "tile[*].supervisor.sync_wait_cycles", "cycles", "Cycles the supervisor waited in sync");
IPUSIM_STAT(exit_status, "tile[*].exit_status", "", "AND of all worker exit statuses (1 = success)");
IPUSIM_STAT(host_s, "host.seconds", "s", "Host wall-clock seconds spent in the simulation kernel");
IPUSIM_STAT(host_rate, "host.cycles_per_second", "cycles/s", "Simulated tile cycles per host second");
IPUSIM_STAT(trace_events, "trace.events", "events", "Events written to trace.json");

Stats collect_run_stats(const tile::TileCore &core, double host_seconds, const PerfettoJsonWriter *trace) {
  Stats s;
  const auto &ts = core.stats();
  uint64_t cycles = core.cycle();
  s.set("sim.cycles", cycles, "cycles", "Tile cycles from the start of the boot stub to the end of the program");
  s.set("sim.simulated_seconds", static_cast<double>(cycles) / core.params().clock_hz, "s",
        "sim.cycles at the machine's clock");
  std::string t = fmt::format("tile{}", core.params().tile_id);
  uint64_t issues = 0;
  for (unsigned c = 0; c <= core.workers(); ++c) {
    const tile::Context &x = core.context(c);
    std::string p = c == 0 ? t + ".supervisor" : fmt::format("{}.worker{}", t, c - 1);
    issues += x.stats.issues;
    s.set(p + ".issues", x.stats.issues, "issues", "Issue slots used by the context (a bundle is one)");
    s.set(p + ".instructions", x.stats.instructions, "instructions", "Instructions executed (a bundle is two)");
    s.set(p + ".loads", x.stats.loads, "accesses", "Load accesses");
    s.set(p + ".stores", x.stats.stores, "accesses", "Store accesses");
    s.set(p + ".branches_taken", x.stats.branches_taken, "branches", "Taken branches");
    if (c == 0)
      s.set(p + ".sync_wait_cycles", x.stats.sync_wait_cycles, "cycles", "Cycles the supervisor waited in sync");
    else {
      s.set(p + ".runs", x.stats.runs, "launches", "Times the worker was started by run/runall");
      s.set(p + ".active_cycles", x.stats.active_cycles, "cycles",
            "Cycles from each run/runall to the worker's exit, summed (thread cycles = this / 6)");
    }
  }
  s.set(t + ".slot_utilisation", cycles ? static_cast<double>(issues) / static_cast<double>(cycles) : 0.0, "ratio",
        "Issue slots used / cycles");
  s.set(t + ".idle_slots", ts.idle_slots, "slots", "Cycles in which no context could issue");
  s.set(t + ".memory.conflicts", ts.conflicts, "accesses", "Accesses to a memory element already busy in that cycle");
  s.set(t + ".stall.memory_conflict_cycles", ts.conflict_stall_cycles, "cycles",
        "Pipeline stall cycles from memory-element conflicts");
  s.set(t + ".stall.branch_thread_cycles", ts.branch_penalty_cycles, "thread cycles",
        "Thread cycles added by taken branches");
  s.set(t + ".stall.multicycle_thread_cycles", ts.multicycle_extra_cycles, "thread cycles",
        "Thread cycles beyond one for multi-cycle instruction classes");
  s.set(t + ".stall.load_latency_cycles", ts.load_latency_stall_cycles, "cycles",
        "Cycles contexts waited for load results (latency above the barrel depth)");
  s.set(t + ".exit_status", static_cast<uint64_t>(core.all_workers_exit_status()), "",
        "AND of all worker exit statuses (1 = success)");
  if (trace) s.set("trace.events", trace->events_written(), "events", "Events written to trace.json");
  s.set("host.seconds", host_seconds, "s", "Host wall-clock seconds spent in the simulation kernel");
  s.set("host.cycles_per_second", host_seconds > 0 ? static_cast<double>(cycles) / host_seconds : 0.0, "cycles/s",
        "Simulated tile cycles per host second");
  return s;
}

std::string run_summary(const Stats &stats, const tile::TileCore &core, const std::string &run_name,
                        const std::string &machine) {
  return stats.summary_text(fmt::format("ipusim run '{}' on {} ({} workers, {:.3g} GHz)", run_name, machine,
                                        core.workers(), core.params().clock_hz / 1e9));
}

} // namespace ipusim::engine
