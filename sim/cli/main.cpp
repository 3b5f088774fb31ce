// The ipusim command line: run, asm, describe, trace. Every error is one line on
// stderr and a distinct exit code (docs/cli.md).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <systemc>

#include "sim/assembler/assembler.hpp"
#include "sim/cli/describe.hpp"
#include "sim/common/error.hpp"
#include "sim/config/loader.hpp"
#include "sim/config/machine_schema.hpp"
#include "sim/config/presets.hpp"
#include "sim/engine/simulation.hpp"
#include "traces/trace_inspect.hpp"

using namespace ipusim;

namespace {

int cmd_run(const std::string &yaml, const std::vector<std::string> &params, const std::string &out,
            const std::vector<std::string> &argv, unsigned threads, const std::string &engine_name) {
  engine::RunRequest req{yaml, params, out, argv, threads};
  req.engine = engine_name == "reference" ? engine::RunRequest::Engine::reference : engine::RunRequest::Engine::fast;
  engine::RunResult r = engine::run_simulation(req);
  std::cout << r.summary << "\nresults: " << r.directory << "\n";
  return 0;
}

int cmd_asm(const std::string &file, const std::vector<std::string> &includes, const std::vector<std::string> &defines,
            const std::string &arch) {
  std::string preset = config::find_preset(arch, SourceLocation{"--arch", 0, 0}, engine::preset_dirs());
  config::ConfigTree machine = config::load_config(config::machine_schema(), preset);
  assembler::AssembleOptions ao;
  ao.sources = {file};
  ao.include_dirs = includes;
  ao.defines = defines;
  ao.arch_version = static_cast<unsigned>(machine.get_uint("arch_version"));
  auto units = assembler::assemble_sources(ao);
  assembler::LinkOptions lo;
  lo.base_address = static_cast<uint32_t>(machine.get_uint("tile.sram.base_address"));
  lo.limit_address = lo.base_address + static_cast<uint32_t>(machine.get_uint("tile.sram.size_bytes"));
  lo.allow_undefined = true;
  assembler::LinkedProgram p = assembler::link(units, lo);
  for (const auto &u : units)
    for (const auto &w : u.warnings) std::cerr << w << "\n";
  std::cout << assembler::format_listing(p);
  if (!p.unresolved.empty()) {
    std::cout << "\nunresolved symbols (defined in other sources; listed as 0 + offset):";
    for (const auto &name : p.unresolved) std::cout << " " << name;
    std::cout << "\n";
  }
  return 0;
}

} // namespace

// The command line proper, called by sc_elab_and_sim (see main below).
int sc_main(int argc, char **argv) {
  // sc_stop() reports an informational "simulation stopped by user": not news here.
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  CLI::App app{"ipusim: a cycle-level simulator of the Graphcore IPU"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(IPUSIM_VERSION));
  std::vector<std::string> args(argv, argv + argc);

  std::string run_yaml, out_dir;
  std::vector<std::string> params;
  auto *run = app.add_subcommand("run", "Simulate a run described by a YAML file");
  run->add_option("RUN.yaml", run_yaml, "Run description")->required();
  run->add_option("-p,--param", params, "Override a config key: key.path=value (machine.* for the machine)");
  run->add_option("-o,--output", out_dir, "Results folder (must not exist or be empty)");
  unsigned threads = 0;
  run->add_option("-j,--threads", threads,
                  "Host threads running a chip's tiles (default: one per hardware thread); results do not depend on it")
      ->check(CLI::Range(1u, 1024u));
  std::string engine_name = "fast";
  run->add_option("--engine", engine_name,
                  "fast: each tile runs on its own to its next sync, on --threads host threads; reference: every tile "
                  "cycle by cycle under the SystemC kernel (slow; for checking). Results do not depend on it")
      ->check(CLI::IsMember({"fast", "reference"}));

  std::string asm_file, arch = "gc200";
  std::vector<std::string> includes, defines;
  auto *as = app.add_subcommand("asm", "Assemble a .S file and print a listing");
  as->add_option("FILE.S", asm_file, "Assembly source")->required();
  as->add_option("-I", includes, "Include directory");
  as->add_option("-D", defines, "Define NAME or NAME=VALUE");
  as->add_option("--arch", arch, "Machine preset (gc2, gc200, bow, c600) or a machine YAML");

  std::string topic = "all";
  bool markdown = false;
  auto *desc = app.add_subcommand("describe", "Print config keys, instructions, CSRs and statistics");
  desc->add_option("TOPIC", topic, "all, machine, run, isa, csr or stats");
  desc->add_flag("--markdown", markdown, "Markdown tables (for docs/)");

  traces::InspectOptions inspect;
  std::string tile_list, context_list;
  auto *tr = app.add_subcommand("trace", "Print or convert a compact instruction trace (trace.ipt.zst)");
  tr->add_option("FILE", inspect.file, "The trace (trace.ipt.zst, or trace.ipt decompressed)")->required();
  tr->add_option("--tile", tile_list, "Only these tiles: 3, 0-15, 0,2,5-7");
  tr->add_option("--context", context_list,
                 "Only these contexts: supervisor, worker0..worker5 (w0..w5) or numbers 0..6, comma-separated");
  tr->add_option("--from", inspect.from, "Only cycles from this one on");
  tr->add_option("--to", inspect.to, "Only cycles before this one");
  tr->add_flag("--summary", inspect.summary, "Issue counts per tile and context, top instructions, stall cycles");
  tr->add_option("--top", inspect.top, "Instructions listed by --summary (default 10)");
  tr->add_option("--json", inspect.json_out, "Write the Perfetto JSON trace (as outputs.trace.format: json does)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "ipusim: usage error: " << e.what() << " (try --help)\n";
    return static_cast<int>(ExitCode::usage);
  }
  try {
    if (*run) return cmd_run(run_yaml, params, out_dir, args, threads, engine_name);
    if (*as) return cmd_asm(asm_file, includes, defines, arch);
    if (*tr) {
      if (!tile_list.empty()) inspect.tiles = traces::parse_tile_list(tile_list);
      if (!context_list.empty()) inspect.contexts = traces::parse_context_list(context_list);
      return traces::inspect_trace(inspect, std::cout);
    }
    if (*desc) {
      std::cout << cli::describe(topic, markdown);
      return 0;
    }
  } catch (const Error &e) {
    std::cerr << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception &e) {
    std::cerr << "ipusim: internal error: " << e.what() << "\n";
    return static_cast<int>(ExitCode::internal);
  }
  return 0;
}

// Our own main: silence SystemC's banner (stdout is for results), then let the
// kernel set itself up and call sc_main above.
int main(int argc, char **argv) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
