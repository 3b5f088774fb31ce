#include "sim/engine/simulation.hpp"

#include <chrono>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <systemc>
#include <thread>

#include "models/chip/chip_module.hpp"
#include "models/chip/reference_chip.hpp"
#include "models/tile/tile_module.hpp"
#include "sim/config/emit.hpp"
#include "sim/config/loader.hpp"
#include "sim/config/machine_schema.hpp"
#include "sim/config/presets.hpp"
#include "sim/config/run_schema.hpp"
#include "sim/engine/manifest.hpp"
#include "sim/engine/run_directory.hpp"
#include "sim/engine/run_stats.hpp"
#include "sim/io/npy.hpp"
#include "sim/loader/graph_loader.hpp"
#include "sim/loader/host_streams.hpp"
#include "sim/loader/machine_params.hpp"
#include "sim/loader/program_loader.hpp"
#include "traces/compact_trace.hpp"
#include "traces/json_trace.hpp"
#include "traces/trace_output.hpp"

namespace ipusim::engine {

std::vector<std::string> preset_dirs() {
  return {std::string(IPUSIM_SOURCE_DIR) + "/configs/machines"};
}

namespace {

// Returns the heap's free pages to the system (glibc keeps them otherwise),
// so peak memory is what the run holds, not what it once parsed.
void release_free_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

// Host threads for a chip of `tiles` tiles: as asked, else one per hardware
// thread; never more than the tiles.
unsigned threads_for(unsigned asked, unsigned tiles) {
  unsigned n = asked ? asked : std::max(1u, std::thread::hardware_concurrency());
  return std::min(n, std::max(1u, tiles));
}

void write_text(const RunDirectory &dir, const std::string &name, const std::string &text) {
  write_file_atomic(dir.path(name), text);
}

// The BSP phases of every tile as slices on its "BSP" track: compute from
// the previous release to its arrival at the sync, then the sync itself.
// Host exchanges also appear on a "host link" process of their own.
void write_bsp_phases(traces::TraceOutput &w, const chip::ChipCore &chip, const chip::HostExchange *host) {
  bool any_host = false;
  for (const chip::Superstep &s : chip.supersteps()) any_host = any_host || s.host_sync;
  w.bsp_tracks(any_host);
  for (size_t k = 0; k < chip.supersteps().size(); ++k) {
    const chip::Superstep &s = chip.supersteps()[k];
    const std::string host_label =
        !s.host_sync ? std::string() : host ? host->label(s.host_index) : std::string("sync with the host");
    for (unsigned t = 0; t < chip.tiles(); ++t) {
      uint64_t compute = chip.compute_cycles()[k][t];
      if (compute) w.bsp_phase({t, traces::BspKind::compute, s.start, compute, k, s.release, {}});
      if (s.ends_program) continue;
      uint64_t sync_end = s.release - s.host_cycles;
      w.bsp_phase({t, s.host_sync ? traces::BspKind::host_sync : traces::BspKind::sync, s.start + compute,
                   sync_end - s.start - compute, k, s.release, {}});
      if (s.host_sync && s.host_cycles)
        w.bsp_phase({t, traces::BspKind::host_exchange, sync_end, s.host_cycles, k, s.release, host_label});
    }
    if (s.host_sync && s.host_cycles)
      w.host_transfer({s.release - s.host_cycles, s.host_cycles, host_label, s.host_to_device_bytes,
                       s.host_from_device_bytes});
  }
}

} // namespace

RunResult run_simulation(const RunRequest &req) {
  // 1. Configs.
  std::vector<std::string> run_overrides, machine_overrides;
  for (const std::string &o : req.overrides) {
    if (o.rfind("machine.", 0) == 0) machine_overrides.push_back(o.substr(8));
    else run_overrides.push_back(o);
  }
  config::ConfigTree run = config::load_config(config::run_schema(), req.run_yaml, run_overrides);
  std::string machine_file =
      config::find_preset(run.get_string("machine"), run.location("machine"), preset_dirs());
  std::vector<config::Override> mo = config::overrides_from_map(run.node("machine_overrides"));
  for (const std::string &o : machine_overrides) mo.push_back({o, SourceLocation{"-p machine." + o, 0, 0}});
  config::ConfigTree machine = config::load_config_with(config::machine_schema(), machine_file, mo);
  tile::TileParams params = loader::tile_params_from(machine);
  params.max_cycles = run.get_uint("max_cycles");
  params.internal_sync_latency_cycles = machine.get_uint("chip.sync.internal_latency_cycles");

  // 2. The results folder (staged until the run completes).
  std::string out = req.output_dir;
  if (out.empty() && run.has("outputs.dir")) out = run.get_path("outputs.dir");
  // A program (one codelet, SPMD over `tiles`) or a compiled graph.
  const bool is_graph = run.has("graph");
  const std::string tiles_key = is_graph ? "graph.tiles" : "program.tiles";
  const unsigned tiles = static_cast<unsigned>(run.get_uint(tiles_key));
  if (tiles > machine.get_uint("chip.tiles"))
    run.fail(tiles_key, fmt::format("{} tiles requested, but machine '{}' has {} (chip.tiles)", tiles,
                                    params.machine_name, machine.get_uint("chip.tiles")));
  const bool vcd = run.get_bool("outputs.vcd.enabled");
  if (vcd && (tiles > 1 || is_graph))
    run.fail("outputs.vcd.enabled", "the VCD of tile signals is available for single-tile programs (program.tiles: 1)");
  if (run.get_uint("outputs.trace.start_cycle") >= run.get_uint("outputs.trace.end_cycle"))
    run.fail("outputs.trace.end_cycle", "the trace window ends before it starts (end_cycle <= start_cycle)");

  RunDirectory dir = RunDirectory::create(out, "runs", run.get_string("name"));
  try {
    write_text(dir, "config.yaml", config::to_yaml(run));
    write_text(dir, "machine.yaml", config::to_yaml(machine));

    // 3. Model and program: one tile, or a chip of `tiles` tiles running the
    // same program (SPMD) with their own data.
    const uint64_t seed = run.get_uint("seed");
    const unsigned arch = static_cast<unsigned>(machine.get_uint("arch_version"));
    loader::LoadedProgram program;
    loader::GraphProgram graph;
    std::unique_ptr<loader::HostStreams> streams;
    if (is_graph) {
      graph = loader::prepare_graph(run.node("graph"), arch, params);
      streams = std::make_unique<loader::HostStreams>(graph, run.node("graph"), seed);
    }
    else program = loader::prepare_program(run.node("program"), arch, params);
    // Reading a large run description leaves a heap of freed memory behind;
    // hand it back before the tiles' SRAM is allocated next to it.
    release_free_memory();
    std::unique_ptr<tile::TileCore> single;
    std::unique_ptr<chip::ChipCore> chip;
    std::vector<tile::TileCore *> cores;
    if (tiles == 1 && !is_graph) {
      single = std::make_unique<tile::TileCore>(params);
      cores.push_back(single.get());
    } else {
      exchange::ExchangeParams xp;
      xp.bytes_per_cycle = static_cast<unsigned>(machine.get_uint("chip.exchange.bytes_per_cycle"));
      xp.send_cycles = static_cast<unsigned>(machine.get_uint("chip.exchange.send_cycles"));
      xp.receive_cycles = static_cast<unsigned>(machine.get_uint("chip.exchange.receive_cycles"));
      xp.cross_column_cycles = static_cast<unsigned>(machine.get_uint("chip.exchange.cross_column_cycles"));
      xp.supertile_cycles = static_cast<unsigned>(machine.get_uint("chip.exchange.supertile_cycles"));
      xp.tiles_per_supertile = static_cast<unsigned>(machine.get_uint("chip.exchange.tiles_per_supertile"));
      xp.columns = static_cast<unsigned>(machine.get_uint("chip.exchange.columns"));
      chip = std::make_unique<chip::ChipCore>(
          params, tiles, chip::SyncParams{machine.get_uint("chip.sync.internal_latency_cycles")}, xp);
      for (unsigned t = 0; t < tiles; ++t) cores.push_back(&chip->tile(t));
      host::HostLinkParams link;
      link.bytes_per_second = machine.get_float("chip.host_link.bytes_per_second");
      link.efficiency = machine.get_float("chip.host_link.efficiency");
      link.latency_ns = machine.get_float("chip.host_link.latency_ns");
      link.clock_hz = params.clock_hz;
      link.tile_bytes_per_cycle = xp.bytes_per_cycle;
      chip->set_host(streams.get(), link);
    }
    if (is_graph) {
      loader::install_graph(graph, run.node("graph"), seed, cores);
      std::string report;
      for (const loader::GraphTile &gt : graph.per_tile) report += gt.memory.report() + "\n";
      write_text(dir, "memory.txt", report);
    } else {
      for (unsigned t = 0; t < tiles; ++t) loader::install_program(program, run.node("program"), seed, t, *cores[t]);
      write_text(dir, "memory.txt", loader::memory_report(program));
    }

    release_free_memory(); // and the whole tensors the loaders generated
    TraceWindow window{run.get_uint("outputs.trace.start_cycle"), run.get_uint("outputs.trace.end_cycle")};
    std::unique_ptr<traces::TraceOutput> trace;
    // Only the trace's BSP phases need every tile's compute cycles of every superstep.
    if (chip) chip->keep_compute_cycles(run.get_bool("outputs.trace.enabled"));
    if (run.get_bool("outputs.trace.enabled")) {
      traces::TraceHeader th;
      th.machine = params.machine_name;
      th.tiles = tiles;
      th.workers = params.workers;
      th.clock_hz = params.clock_hz;
      th.window = window;
      th.max_events = run.get_uint("outputs.trace.max_events");
      std::unique_ptr<traces::TraceSink> sink;
      if (run.get_string("outputs.trace.format") == "compact")
        sink = std::make_unique<traces::CompactTraceWriter>(dir.path("trace.ipt.zst"));
      else
        sink = std::make_unique<traces::JsonTraceSink>(dir.path("trace.json"), traces::format::CodeNamer());
      // A chip's tiles may run on several threads: each records into its own
      // buffer, passed on to the trace in tile order at the end of every superstep.
      trace = std::make_unique<traces::TraceOutput>(std::move(sink), th, chip != nullptr);
      for (unsigned t = 0; t < tiles; ++t) cores[t]->set_observer(&trace->recorder(t), window.begin, window.end);
      if (chip)
        chip->set_superstep_end([&trace, tiles](const chip::TileError *stop) {
          for (unsigned t = 0; t < tiles; ++t)
            trace->flush_tile(t, !stop ? UINT64_MAX : stop->cycle + (t < stop->tile ? 1 : 0));
          trace->flushed_all();
        });
    }
    const bool reference = req.engine == RunRequest::Engine::reference;
    if (chip) chip->set_threads(reference ? 1 : threads_for(req.threads, tiles));

    // 4. Simulate under the SystemC kernel.
    sc_core::sc_time cycle(1.0 / params.clock_hz, sc_core::SC_SEC);
    std::unique_ptr<tile::TileModule> tile_module;
    std::unique_ptr<chip::ChipModule> chip_module;
    std::unique_ptr<chip::ReferenceChipModule> reference_module;
    sc_core::sc_trace_file *vcd_file = nullptr;
    if (single) {
      tile_module = std::make_unique<tile::TileModule>("tile0", *single, cycle, vcd || reference);
      if (vcd) {
        std::string base = dir.path("tile");
        vcd_file = sc_core::sc_create_vcd_trace_file(base.c_str());
        vcd_file->set_time_unit(1, sc_core::SC_PS);
        for (const std::string &sig : run.get_string_list("outputs.vcd.signals")) {
          if (sig == "pc") sc_core::sc_trace(vcd_file, tile_module->issue_pc, "tile0.issue_pc");
          else if (sig == "issue") sc_core::sc_trace(vcd_file, tile_module->issued, "tile0.issued");
          else if (sig == "context") sc_core::sc_trace(vcd_file, tile_module->issue_context, "tile0.issue_context");
          else if (sig == "stall") sc_core::sc_trace(vcd_file, tile_module->stalled, "tile0.stalled");
        }
      }
    } else if (reference) {
      reference_module = std::make_unique<chip::ReferenceChipModule>("chip", *chip, cycle);
    } else {
      chip_module = std::make_unique<chip::ChipModule>("chip", *chip, cycle);
    }
    auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    double host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (vcd_file) sc_core::sc_close_vcd_trace_file(vcd_file);
    std::exception_ptr error = single      ? tile_module->error()
                               : reference ? reference_module->error()
                                           : chip_module->error();
    if (error) {
      if (trace) trace->finish();
      std::rethrow_exception(error);
    }
    bool done = single ? single->finished() : chip->finished();
    if (!done)
      throw SimulationError(fmt::format("cycle {}: the simulation stopped before the program ended",
                                        single ? single->cycle() : chip->cycle()));
    if (trace && chip) write_bsp_phases(*trace, *chip, streams.get());
    if (trace) trace->finish();
    const uint64_t trace_events = trace ? trace->events_written() : 0;

    // 5. Results: output tensors (stacked over tiles for a chip), stats, summary, manifest.
    for (const loader::GraphTensor &t : graph.tensors)
      if (t.info.output) {
        std::filesystem::create_directories(dir.path("outputs"));
        loader::write_tensor_npy(dir.path("outputs/" + t.info.name + ".npy"), t, cores);
      }
    if (streams)
      for (const auto &[name, data] : streams->received()) {
        std::filesystem::create_directories(dir.path("outputs"));
        write_npy(dir.path("outputs/" + name + ".npy"), data);
      }
    for (const loader::PlacedTensor &t : program.tensors)
      if (t.output) {
        std::filesystem::create_directories(dir.path("outputs"));
        // Stacked over the tiles for a chip, straight from their memories.
        std::vector<size_t> shape(t.shape.begin(), t.shape.end());
        if (tiles > 1) shape.insert(shape.begin(), tiles);
        std::vector<NpyPiece> pieces;
        for (unsigned k = 0; k < tiles; ++k) pieces.push_back({cores[k]->sram().ptr(t.address), t.bytes});
        write_npy_pieces(dir.path("outputs/" + t.name + ".npy"), t.dtype.npy, shape, pieces);
      }
    Stats stats = single ? collect_run_stats(*single, host_seconds, trace ? &trace_events : nullptr)
                         : collect_chip_stats(*chip, host_seconds, trace ? &trace_events : nullptr);
    write_text(dir, "stats.json", stats.to_json());
    std::string summary = run_summary(stats, *cores[0], run.get_string("name"), params.machine_name, tiles);
    write_text(dir, "summary.txt", summary);
    ManifestInfo mi;
    mi.command_line = req.command_line;
    mi.seed = seed;
    mi.run_name = run.get_string("name");
    mi.machine_name = params.machine_name;
    mi.input_files = {req.run_yaml, machine_file};
    for (const auto &s : run.get_string_list(is_graph ? "graph.sources" : "program.sources"))
      mi.input_files.push_back(s);
    mi.hostname = host_name();
    mi.started_utc = utc_timestamp_now();
    write_text(dir, "manifest.json", make_manifest_json(mi));
    dir.commit();
    return {dir.final_path(), summary};
  } catch (const std::exception &e) {
    dir.fail(e.what());
    throw;
  }
}

} // namespace ipusim::engine
