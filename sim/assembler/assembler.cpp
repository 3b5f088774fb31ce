#include "sim/assembler/assembler.hpp"

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>

#include "sim/assembler/expr.hpp"
#include "sim/assembler/operands.hpp"

namespace ipusim::assembler {

std::string sdk_include_dir() {
  if (const char *env = std::getenv("IPUSIM_SDK_INCLUDE")) return env;
  return std::string(IPUSIM_SOURCE_DIR) + "/sim/assembler/sdk_include";
}

LayoutOptions layout_options() {
  LayoutOptions lo;
  // The real assembler pads a bundle that would start at 4 mod 8 with a nop
  // (graphcore/ipu_assembly_support's notes on its auto-nop insertion);
  // poplibs' codelets rely on it (about a third of their bundles need it).
  lo.pad_bundles = true;
  lo.instruction_size = [](const Item &item, const EvalContext &ctx) -> uint32_t {
    if (item.mnemonic != "ldconst") return 4;
    // ldconst is one setzi when the constant fits 20 bits, else setzi + or.
    auto ops = split_operands(item.operands);
    if (ops.size() != 2) return 4; // the back end reports the error
    EvalContext c = ctx;
    PartialValue v = evaluate_partial(ops[1].text, c);
    if (!v.known || !v.value.absolute()) return 8;
    return (v.value.offset >= 0 && v.value.offset < (1 << 20)) ? 4 : 8;
  };
  return lo;
}

std::vector<AssemblyUnit> assemble_sources(const AssembleOptions &options) {
  std::vector<AssemblyUnit> units;
  for (const std::string &src : options.sources) {
    if (!std::filesystem::is_regular_file(src)) throw InputError(src + ": error: no such source file");
    FrontEndOptions fe;
    fe.source = src;
    // The codelet's own folder first, as the real toolchain's cpp does for quotes.
    fe.include_dirs = options.include_dirs;
    fe.include_dirs.push_back(sdk_include_dir());
    fe.defines = {"__IPU__", "__IPU_ARCH_VERSION__=" + std::to_string(options.arch_version)};
    fe.defines.insert(fe.defines.end(), options.defines.begin(), options.defines.end());
    fe.layout = layout_options();
    units.push_back(assemble_front_end(fe));
  }
  return units;
}

std::string format_listing(const LinkedProgram &program) {
  std::string out;
  std::string current;
  for (const ListingLine &l : program.listing) {
    if (l.section != current) {
      current = l.section;
      for (const LinkedSection &s : program.sections)
        if (s.name == l.section && l.address >= s.address && l.address < s.address + s.bytes.size() + 1) {
          out += fmt::format("\nsection {} at 0x{:05x}, {} bytes, {}{}\n", s.name, s.address, s.bytes.size(),
                             s.code ? "code" : "data",
                             s.context == ContextKind::worker       ? " (worker)"
                             : s.context == ContextKind::supervisor ? " (supervisor)"
                                                                    : "");
          break;
        }
    }
    for (const std::string &label : l.labels) out += fmt::format("{}:\n", label);
    std::string enc;
    if (!l.words.empty()) {
      for (uint32_t w : l.words) enc += fmt::format("{:08x} ", w);
    } else {
      for (size_t i = 0; i < l.data.size() && i < 8; ++i) enc += fmt::format("{:02x}", l.data[i]);
      if (l.data.size() > 8) enc += "..";
    }
    std::string where = std::filesystem::path(l.pos.file).filename().string() + ":" + std::to_string(l.pos.line);
    out += fmt::format("  {:05x}  {:<18} {:<60} {}\n", l.address, enc, l.text, where);
  }
  return out;
}

} // namespace ipusim::assembler
