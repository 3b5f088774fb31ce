#include "sim/engine/simulation.hpp"

#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <systemc>

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
#include "sim/loader/machine_params.hpp"
#include "sim/loader/program_loader.hpp"
#include "traces/instruction_trace.hpp"

namespace ipusim::engine {

std::vector<std::string> preset_dirs() {
  return {std::string(IPUSIM_SOURCE_DIR) + "/configs/machines"};
}

namespace {

void write_text(const RunDirectory &dir, const std::string &name, const std::string &text) {
  write_file_atomic(dir.path(name), text);
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

  // 2. The results folder (staged until the run completes).
  std::string out = req.output_dir;
  if (out.empty() && run.has("outputs.dir")) out = run.get_path("outputs.dir");
  RunDirectory dir = RunDirectory::create(out, "runs", run.get_string("name"));
  try {
    write_text(dir, "config.yaml", config::to_yaml(run));
    write_text(dir, "machine.yaml", config::to_yaml(machine));

    // 3. Model and program.
    tile::TileCore core(params);
    loader::LoadedProgram program = loader::load_program(
        run.node("program"), static_cast<unsigned>(machine.get_uint("arch_version")), run.get_uint("seed"), core);
    write_text(dir, "memory.txt", loader::memory_report(program, core));

    std::unique_ptr<traces::InstructionTrace> trace;
    if (run.get_uint("outputs.trace.start_cycle") >= run.get_uint("outputs.trace.end_cycle"))
      run.fail("outputs.trace.end_cycle", "the trace window ends before it starts (end_cycle <= start_cycle)");
    if (run.get_bool("outputs.trace.enabled")) {
      TraceWindow w{run.get_uint("outputs.trace.start_cycle"), run.get_uint("outputs.trace.end_cycle")};
      trace = std::make_unique<traces::InstructionTrace>(dir.path("trace.json"), w,
                                                         run.get_uint("outputs.trace.max_events"),
                                                         params.tile_id, params.workers);
      core.set_observer(trace.get());
    }

    // 4. Simulate under the SystemC kernel.
    bool vcd = run.get_bool("outputs.vcd.enabled");
    sc_core::sc_time cycle(1.0 / params.clock_hz, sc_core::SC_SEC);
    tile::TileModule module("tile0", core, cycle, vcd);
    sc_core::sc_trace_file *vcd_file = nullptr;
    if (vcd) {
      std::string base = dir.path("tile");
      vcd_file = sc_core::sc_create_vcd_trace_file(base.c_str());
      vcd_file->set_time_unit(1, sc_core::SC_PS);
      for (const std::string &sig : run.get_string_list("outputs.vcd.signals")) {
        if (sig == "pc") sc_core::sc_trace(vcd_file, module.issue_pc, "tile0.issue_pc");
        else if (sig == "issue") sc_core::sc_trace(vcd_file, module.issued, "tile0.issued");
        else if (sig == "context") sc_core::sc_trace(vcd_file, module.issue_context, "tile0.issue_context");
        else if (sig == "stall") sc_core::sc_trace(vcd_file, module.stalled, "tile0.stalled");
      }
    }
    auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    double host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (vcd_file) sc_core::sc_close_vcd_trace_file(vcd_file);
    if (trace) trace->finish();
    if (module.error()) std::rethrow_exception(module.error());
    if (!core.finished())
      throw SimulationError(fmt::format("tile 0, cycle {}: the simulation stopped before the program ended",
                                        core.cycle()));

    // 5. Results.
    for (const loader::PlacedTensor &t : program.tensors)
      if (t.output) {
        std::filesystem::create_directories(dir.path("outputs"));
        write_npy(dir.path("outputs/" + t.name + ".npy"), loader::read_tensor(core, t));
      }
    Stats stats = collect_run_stats(core, host_seconds, trace ? &trace->writer() : nullptr);
    write_text(dir, "stats.json", stats.to_json());
    std::string summary = run_summary(stats, core, run.get_string("name"), params.machine_name);
    write_text(dir, "summary.txt", summary);
    ManifestInfo mi;
    mi.command_line = req.command_line;
    mi.seed = run.get_uint("seed");
    mi.run_name = run.get_string("name");
    mi.machine_name = params.machine_name;
    mi.input_files = {req.run_yaml, machine_file};
    for (const auto &s : run.get_string_list("program.sources")) mi.input_files.push_back(s);
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
