// The assembler back end's second step: place the sections of one or more
// assembled units in tile memory, resolve symbols (globals across units),
// encode every instruction, apply data fixups and check bundles.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/assembler/unit.hpp"
#include "sim/isa/encoding.hpp"

namespace ipusim::assembler {

struct LinkedSection {
  std::string name;
  uint32_t address = 0;
  uint32_t alignment = 1;
  bool code = false;
  ContextKind context = ContextKind::unknown;
  std::vector<uint8_t> bytes;
  std::string unit; // source file
};

// One line of an assembly listing: an instruction (or bundle) or a data item.
struct ListingLine {
  uint32_t address = 0;
  std::vector<uint32_t> words; // 1 or 2 encoded instruction words; empty for data
  std::vector<uint8_t> data;   // data bytes
  std::string text;            // disassembly, or the data directive summary
  SourcePos pos;
  std::string section;
  std::vector<std::string> labels; // labels at this address
};

struct LinkedProgram {
  std::vector<LinkedSection> sections;
  std::map<std::string, uint32_t> symbols; // every label (locals as "file:name" are not kept)
  std::map<std::string, ContextKind> symbol_context;
  std::vector<ListingLine> listing;
  uint32_t end_address = 0; // first free address after the last section
  std::vector<std::string> unresolved; // symbols left as relocations (allow_undefined)
};

// Decides where each section goes: called in order with the section and the
// next free address; returns the chosen address (the default packs sections
// one after another at their alignment, with bundles needing 8 bytes).
using SectionPlacer = std::function<uint32_t(const Section &, uint32_t next_free)>;

struct LinkOptions {
  uint32_t base_address = 0x40000;
  uint32_t limit_address = 0x80000; // first address past the memory
  SectionPlacer placer;             // optional
  // `ipusim asm` lists one file as an object: a symbol defined in another
  // file (poplibs codelets call across files) is then listed as an
  // unresolved relocation with value 0 instead of being an error.
  bool allow_undefined = false;
};

LinkedProgram link(const std::vector<AssemblyUnit> &units, const LinkOptions &options);

} // namespace ipusim::assembler
