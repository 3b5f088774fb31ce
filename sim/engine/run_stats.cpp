#include "sim/engine/run_stats.hpp"

#include <fmt/format.h>

namespace ipusim::engine {

// Every statistic a run writes, declared once: name pattern ("*" stands for
// one name part), unit and description. Stats::set fills units and
// descriptions from here, and `ipusim describe stats` lists them.
IPUSIM_STAT(sim_cycles, "sim.cycles", "cycles", "Tile cycles from the start of the boot stub to the end of the program");
IPUSIM_STAT(sim_seconds, "sim.simulated_seconds", "s", "sim.cycles at the machine's clock");
IPUSIM_STAT(ctx_issues, "tile*.*.issues", "issues", "Issue slots used by the context (a bundle is one)");
IPUSIM_STAT(ctx_insns, "tile*.*.instructions", "instructions", "Instructions executed (a bundle is two)");
IPUSIM_STAT(ctx_loads, "tile*.*.loads", "accesses", "Load accesses");
IPUSIM_STAT(ctx_stores, "tile*.*.stores", "accesses", "Store accesses");
IPUSIM_STAT(ctx_branches, "tile*.*.branches_taken", "branches", "Taken branches");
IPUSIM_STAT(sup_sync, "tile*.*.sync_wait_cycles", "cycles", "Cycles the supervisor waited in sync");
IPUSIM_STAT(ctx_runs, "tile*.worker*.runs", "launches", "Times the worker was started by run/runall");
IPUSIM_STAT(ctx_active, "tile*.worker*.active_cycles", "cycles",
            "Cycles from each run/runall to the worker's exit, summed (thread cycles = this / 6)");
IPUSIM_STAT(tile_cycles, "tile*.cycles", "cycles", "Cycles the tile ran (to its program's end)");
IPUSIM_STAT(tile_issues, "tile*.issues", "issues", "Issue slots used by all of the tile's contexts");
IPUSIM_STAT(tile_sync, "tile*.sync_wait_cycles", "cycles", "Cycles the supervisor waited in sync");
IPUSIM_STAT(slot_util, "tile*.slot_utilisation", "ratio", "Issue slots used / cycles");
IPUSIM_STAT(idle_slots, "tile*.idle_slots", "slots", "Cycles in which no context could issue");
IPUSIM_STAT(conflicts, "tile*.memory.conflicts", "accesses", "Accesses to a memory element already busy in that cycle");
IPUSIM_STAT(conflict_stall, "tile*.stall.memory_conflict_cycles", "cycles",
            "Pipeline stall cycles from memory-element conflicts");
IPUSIM_STAT(branch_stall, "tile*.stall.branch_thread_cycles", "thread cycles", "Thread cycles added by taken branches");
IPUSIM_STAT(multi_stall, "tile*.stall.multicycle_thread_cycles", "thread cycles",
            "Thread cycles beyond one for multi-cycle instruction classes");
IPUSIM_STAT(latency_stall, "tile*.stall.load_latency_cycles", "cycles",
            "Cycles contexts waited for load results (latency above the barrel depth)");
IPUSIM_STAT(exit_status, "tile*.exit_status", "", "AND of all worker exit statuses (1 = success)");
IPUSIM_STAT(chip_tiles, "chip.tiles", "tiles", "Tiles that ran the program");
IPUSIM_STAT(chip_steps, "chip.supersteps", "syncs", "Syncs completed: internal (zone 3) and with the host (zone 5)");
IPUSIM_STAT(chip_issues, "chip.issues", "issues", "Issue slots used on all tiles");
IPUSIM_STAT(chip_insns, "chip.instructions", "instructions", "Instructions executed on all tiles (a bundle is two)");
IPUSIM_STAT(host_threads, "host.threads", "threads", "Host threads that ran the tiles (ipusim run --threads)");
IPUSIM_STAT(chip_syncw, "chip.sync_wait_cycles", "cycles", "Supervisor cycles spent waiting in sync, summed over tiles");
IPUSIM_STAT(chip_recv, "chip.receive_wait_cycles", "cycles",
            "Of chip.sync_wait_cycles, those spent in sync 0 waiting for exchanged words");
IPUSIM_STAT(chip_xb, "chip.exchange_bytes", "bytes", "Bytes sent on the exchange over the run");
IPUSIM_STAT(chip_xd, "chip.exchange_delivered_bytes", "bytes",
            "Bytes stored by receivers over the run (a broadcast counts once per receiver)");
IPUSIM_STAT(chip_compute, "chip.compute_cycles", "cycles", "Sum over supersteps of the slowest tile's compute cycles");
IPUSIM_STAT(chip_synccyc, "chip.sync_cycles", "cycles", "Cycles spent completing internal syncs (latency x supersteps)");
IPUSIM_STAT(ss_release, "superstep*.release_cycle", "cycles",
            "Cycle at which the internal sync released every tile (the last phase: the program's end)");
IPUSIM_STAT(ss_max, "superstep*.compute_cycles_max", "cycles", "Compute cycles of the slowest tile (it sets the pace)");
IPUSIM_STAT(ss_mean, "superstep*.compute_cycles_mean", "cycles", "Mean compute cycles over tiles");
IPUSIM_STAT(ss_pace, "superstep*.pacing_tile", "", "The tile that arrived last at the sync");
IPUSIM_STAT(ss_bal, "superstep*.load_balance", "ratio", "Mean / max compute cycles (1 = perfectly balanced)");
IPUSIM_STAT(ss_sync, "superstep*.sync_cycles", "cycles",
            "Cycles from the last arrival to the release (0 for the phase that ends the program)");
IPUSIM_STAT(ss_xbytes, "superstep*.exchange_bytes", "bytes", "Bytes sent on the exchange during the superstep");
IPUSIM_STAT(ss_xdel, "superstep*.exchange_delivered_bytes", "bytes",
            "Bytes stored by receivers (a broadcast counts once per receiver)");
IPUSIM_STAT(chip_hx, "chip.host_link.exchanges", "exchanges", "Syncs with the host (zone 5), each a host exchange");
IPUSIM_STAT(chip_hin, "chip.host_link.to_device_bytes", "bytes", "Bytes streamed from the host to the tiles");
IPUSIM_STAT(chip_hout, "chip.host_link.from_device_bytes", "bytes", "Bytes streamed from the tiles to the host");
IPUSIM_STAT(chip_hcyc, "chip.host_link.cycles", "cycles",
            "Cycles the tiles waited on the host link beyond the sync (latency + transfer), summed over exchanges");
IPUSIM_STAT(ss_hin, "superstep*.host_link_to_device_bytes", "bytes",
            "Bytes from the host in the host exchange ending the superstep (0: it ended at an internal sync)");
IPUSIM_STAT(ss_hout, "superstep*.host_link_from_device_bytes", "bytes",
            "Bytes to the host in the host exchange ending the superstep");
IPUSIM_STAT(ss_hcyc, "superstep*.host_link_cycles", "cycles",
            "Cycles of the host link's latency and transfer after the sync (release = last arrival + sync + these)");
IPUSIM_STAT(trace_events, "trace.events", "events", "Timed events written to the trace (trace.json or trace.ipt.zst)");

void add_tile_stats(Stats &s, const tile::TileCore &core, bool per_context) {
  const auto &ts = core.stats();
  uint64_t cycles = core.cycle();
  std::string t = fmt::format("tile{}", core.params().tile_id);
  uint64_t issues = 0;
  for (unsigned c = 0; c <= core.workers(); ++c) {
    const tile::Context &x = core.context(c);
    issues += x.stats.issues;
    if (!per_context) continue;
    std::string p = c == 0 ? t + ".supervisor" : fmt::format("{}.worker{}", t, c - 1);
    s.set(p + ".issues", x.stats.issues);
    s.set(p + ".instructions", x.stats.instructions);
    s.set(p + ".loads", x.stats.loads);
    s.set(p + ".stores", x.stats.stores);
    s.set(p + ".branches_taken", x.stats.branches_taken);
    if (c == 0) {
      s.set(p + ".sync_wait_cycles", x.stats.sync_wait_cycles);
    } else {
      s.set(p + ".runs", x.stats.runs);
      s.set(p + ".active_cycles", x.stats.active_cycles);
    }
  }
  if (!per_context) {
    s.set(t + ".cycles", cycles);
    s.set(t + ".issues", issues);
    s.set(t + ".sync_wait_cycles", core.context(0).stats.sync_wait_cycles);
  }
  s.set(t + ".slot_utilisation", cycles ? static_cast<double>(issues) / static_cast<double>(cycles) : 0.0);
  s.set(t + ".idle_slots", ts.idle_slots);
  s.set(t + ".memory.conflicts", ts.conflicts);
  s.set(t + ".stall.memory_conflict_cycles", ts.conflict_stall_cycles);
  s.set(t + ".stall.branch_thread_cycles", ts.branch_penalty_cycles);
  s.set(t + ".stall.multicycle_thread_cycles", ts.multicycle_extra_cycles);
  s.set(t + ".stall.load_latency_cycles", ts.load_latency_stall_cycles);
  s.set(t + ".exit_status", static_cast<uint64_t>(core.all_workers_exit_status()));
}

namespace {
// host.seconds, host.max_rss and host.cycles_per_second (simulated tile
// cycles, summed over tiles, per host second) come from traces/stats.
void add_host_stats(Stats &s, uint64_t tile_cycles, double host_seconds, const uint64_t *trace_events) {
  if (trace_events) s.set("trace.events", *trace_events);
  set_host_stats(s, host_seconds, tile_cycles);
}
void add_sim_stats(Stats &s, uint64_t cycles, double clock_hz) {
  s.set("sim.cycles", cycles);
  s.set("sim.simulated_seconds", static_cast<double>(cycles) / clock_hz);
}
} // namespace

Stats collect_run_stats(const tile::TileCore &core, double host_seconds, const uint64_t *trace_events) {
  Stats s;
  add_sim_stats(s, core.cycle(), core.params().clock_hz);
  add_tile_stats(s, core, true);
  add_host_stats(s, core.cycle(), host_seconds, trace_events);
  return s;
}

Stats collect_chip_stats(const chip::ChipCore &chip, double host_seconds, const uint64_t *trace_events) {
  Stats s;
  uint64_t cycles = chip.cycle();
  add_sim_stats(s, cycles, chip.tile(0).params().clock_hz);
  s.set("chip.tiles", static_cast<uint64_t>(chip.tiles()));
  s.set("chip.supersteps", static_cast<uint64_t>(chip.syncs()));
  uint64_t issues = 0, instructions = 0, sync_wait = 0, receive_wait = 0, compute_max_sum = 0;
  uint64_t host_exchanges = 0, host_in = 0, host_out = 0, host_cycles = 0;
  for (unsigned t = 0; t < chip.tiles(); ++t) {
    for (unsigned c = 0; c <= chip.tile(t).workers(); ++c) {
      issues += chip.tile(t).context(c).stats.issues;
      instructions += chip.tile(t).context(c).stats.instructions;
    }
    sync_wait += chip.tile(t).context(0).stats.sync_wait_cycles;
    receive_wait += chip.tile(t).context(0).stats.receive_wait_cycles;
  }
  s.set("chip.issues", issues);
  s.set("chip.instructions", instructions);
  s.set("chip.sync_wait_cycles", sync_wait);
  s.set("chip.receive_wait_cycles", receive_wait);
  s.set("chip.exchange_bytes", 4 * chip.exchange_words());
  s.set("chip.exchange_delivered_bytes", 4 * chip.exchange_deliveries());
  for (size_t k = 0; k < chip.supersteps().size(); ++k) {
    const chip::Superstep &st = chip.supersteps()[k];
    std::string p = fmt::format("superstep{}", k);
    compute_max_sum += st.max_compute;
    s.set(p + ".release_cycle", st.release);
    s.set(p + ".compute_cycles_max", st.max_compute);
    s.set(p + ".compute_cycles_mean", st.mean_compute);
    s.set(p + ".pacing_tile", static_cast<uint64_t>(st.pacing_tile));
    s.set(p + ".load_balance", st.max_compute ? st.mean_compute / static_cast<double>(st.max_compute) : 1.0);
    s.set(p + ".sync_cycles", st.ends_program ? uint64_t(0) : chip.sync_params().internal_latency_cycles);
    s.set(p + ".exchange_bytes", 4 * st.exchange_words);
    s.set(p + ".exchange_delivered_bytes", 4 * st.exchange_deliveries);
    s.set(p + ".host_link_to_device_bytes", st.host_to_device_bytes);
    s.set(p + ".host_link_from_device_bytes", st.host_from_device_bytes);
    s.set(p + ".host_link_cycles", st.host_cycles);
    host_exchanges += st.host_sync;
    host_in += st.host_to_device_bytes;
    host_out += st.host_from_device_bytes;
    host_cycles += st.host_cycles;
  }
  s.set("chip.host_link.exchanges", host_exchanges);
  s.set("chip.host_link.to_device_bytes", host_in);
  s.set("chip.host_link.from_device_bytes", host_out);
  s.set("chip.host_link.cycles", host_cycles);
  s.set("chip.compute_cycles", compute_max_sum);
  s.set("chip.sync_cycles", chip.sync_params().internal_latency_cycles * chip.syncs());
  bool detail = chip.tiles() <= 16;
  for (unsigned t = 0; t < chip.tiles(); ++t) add_tile_stats(s, chip.tile(t), detail);
  add_host_stats(s, cycles * chip.tiles(), host_seconds, trace_events);
  s.set("host.threads", static_cast<uint64_t>(chip.threads()));
  return s;
}

std::string run_summary(const Stats &stats, const tile::TileCore &core, const std::string &run_name,
                        const std::string &machine, unsigned tiles) {
  std::string title = fmt::format("ipusim run '{}' on {} ({} tile{}, {} workers each, {:.3g} GHz)", run_name, machine,
                                  tiles, tiles == 1 ? "" : "s", core.workers(), core.params().clock_hz / 1e9);
  if (tiles <= 16) return stats.summary_text(title);
  Stats brief;
  for (const Stat *st : stats.all())
    if (st->name.rfind("tile", 0) != 0) brief.put_stat(*st);
  return brief.summary_text(title) + fmt::format("(per-tile statistics of all {} tiles are in stats.json)\n", tiles);
}

} // namespace ipusim::engine
