// The assembler as the rest of ipusim uses it: preprocess and lay out each
// source with the toolchain's predefines and ipusim's SDK headers, then link.
#pragma once

#include <string>
#include <vector>

#include "sim/assembler/linker.hpp"
#include "sim/assembler/unit.hpp"

namespace ipusim::assembler {

struct AssembleOptions {
  std::vector<std::string> sources;
  std::vector<std::string> include_dirs;
  std::vector<std::string> defines; // NAME or NAME=VALUE
  unsigned arch_version = 2;        // __IPU_ARCH_VERSION__
};

// The folder of ipusim's own versions of the Poplar SDK headers codelets include.
std::string sdk_include_dir();

std::vector<AssemblyUnit> assemble_sources(const AssembleOptions &options);

// How ipusim lays out sources: misaligned bundles padded with a nop, ldconst sized.
LayoutOptions layout_options();

// A listing: per section a header, then one line per instruction, bundle or data item:
// address, encoding, disassembly, source position.
std::string format_listing(const LinkedProgram &program);

} // namespace ipusim::assembler
