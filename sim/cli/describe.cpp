#include "sim/cli/describe.hpp"

#include <fmt/format.h>

#include "sim/common/error.hpp"
#include "sim/config/describe.hpp"
#include "sim/config/machine_schema.hpp"
#include "sim/config/run_schema.hpp"
#include "sim/isa/csr.hpp"
#include "sim/isa/isa.hpp"
#include "traces/stats.hpp"

namespace ipusim::cli {

namespace {

std::string describe_isa(bool md) {
  std::string s;
  if (md) {
    s += "| mnemonic | operands | pipe | class | flags | encoding | description |\n|---|---|---|---|---|---|---|\n";
  } else {
    s += fmt::format("{:<14} {:<22} {:<4} {:<14} {:<16} {}\n", "mnemonic", "operands", "pipe", "class", "flags",
                     "description");
  }
  for (const isa::Form &f : isa::forms()) {
    std::string ops;
    for (const auto &o : f.operands) ops += (ops.empty() ? "" : ", ") + isa::operand_kind_text(o);
    std::string flags;
    if (f.flags & isa::F_NORPT) flags += "no-rpt ";
    if (f.flags & isa::F_SUPERVISOR) flags += "supervisor ";
    if (f.flags & isa::F_WORKER) flags += "worker ";
    if (f.flags & isa::F_BRANCH) flags += "branch ";
    if (!flags.empty()) flags.pop_back();
    const char *pipe = f.pipe == isa::Pipe::MAIN ? "main" : "aux";
    if (md)
      s += fmt::format("| `{}` | `{}` | {} | {} | {} | {} opcode bits | {} |\n", f.mnemonic, ops, pipe,
                       isa::timing_class_name(f.timing), flags, f.opcode_bits, f.description);
    else
      s += fmt::format("{:<14} {:<22} {:<4} {:<14} {:<16} {}\n", f.mnemonic, ops, pipe,
                       isa::timing_class_name(f.timing), flags, f.description);
  }
  return s;
}

std::string describe_csr(bool md) {
  std::string s = md ? "| CSR | number | owner |\n|---|---|---|\n" : "";
  for (const auto *e = isa::csr::begin(); e != isa::csr::end(); ++e) {
    const char *owner = e->supervisor ? "supervisor" : (e->number >= 0x100 ? "worker (uget/uput)" : "worker/common");
    s += md ? fmt::format("| `${}` | 0x{:03x} | {} |\n", e->name, e->number, owner)
            : fmt::format("${:<18} 0x{:03x}  {}\n", e->name, e->number, owner);
  }
  return s;
}

std::string describe_stats(bool md) {
  // Two declarations of one statistic that disagree are a bug; the unit
  // tests see only the objects they link, so the full binary checks here.
  if (!conflicting_stat_definitions().empty())
    throw Error(ExitCode::internal, "statistic declared twice with different units or descriptions: " +
                                        conflicting_stat_definitions().front());
  std::string s = md ? "| statistic | unit | description |\n|---|---|---|\n" : "";
  for (const StatDef &d : stat_definitions())
    s += md ? fmt::format("| `{}` | {} | {} |\n", d.name, d.unit, d.description)
            : fmt::format("{:<42} {:<14} {}\n", d.name, d.unit, d.description);
  return s;
}

} // namespace

std::string describe(const std::string &what, bool md) {
  auto heading = [&](const std::string &h) { return md ? "\n## " + h + "\n\n" : "\n== " + h + " ==\n"; };
  std::string s;
  bool all = what == "all";
  bool known = false;
  if (all || what == "machine") {
    known = true;
    s += heading("Machine config keys (configs/machines/*.yaml)");
    s += md ? config::describe_schema_markdown(config::machine_schema(), "machine")
            : config::describe_schema(config::machine_schema(), "machine");
  }
  if (all || what == "run") {
    known = true;
    s += heading("Run config keys (configs/runs/*.yaml)");
    s += md ? config::describe_schema_markdown(config::run_schema(), "run")
            : config::describe_schema(config::run_schema(), "run");
  }
  if (all || what == "isa") {
    known = true;
    s += heading("Instructions");
    s += describe_isa(md);
  }
  if (all || what == "csr") {
    known = true;
    s += heading("Control and status registers");
    s += describe_csr(md);
  }
  if (all || what == "stats") {
    known = true;
    s += heading("Statistics (stats.json)");
    s += describe_stats(md);
  }
  if (!known) throw UsageError("describe: unknown topic '" + what + "' (all, machine, run, isa, csr, stats)");
  return s;
}

} // namespace ipusim::cli
