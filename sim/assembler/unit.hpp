// What the assembler front end produces: sections laid out as 4-byte
// instructions (raw operand text, not yet encoded) and data bytes, plus the
// symbol table. The front end knows nothing about the ISA; the back end
// parses each instruction's operands against the ISA table, evaluates their
// expressions with evaluate() (expr.hpp) and encodes them.
//
// Layout is final when the front end returns: offsets within a section never
// change. An instruction is 4 bytes unless the back end's size hook says
// otherwise (a pseudo-instruction such as `ldconst` that becomes two). Addresses are offsets within a
// section; where a section lands in tile memory is the loader's business.
#pragma once

#include "sim/common/error.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ipusim::assembler {

// A position in the ORIGINAL source (through the C preprocessor's line
// markers, so lines from #included headers name the header). Inside a macro
// expansion this is the invocation site.
using SourcePos = SourceLocation;

// The mode selected by `.worker` / `.supervisor`, in force when an item or a
// label was assembled. `unknown` before either directive was seen.
enum class ContextKind { unknown, worker, supervisor };

// A data value that is an address: a label (+ constant) or an external
// symbol. (Forward references that turn out constant, like `.word end -
// start`, are written into the bytes when layout ends.) The back end
// evaluates `expression` (EvalContext::for_fixup) once sections have
// addresses and writes `size` little-endian bytes at `offset` in the item.
struct Fixup {
  uint32_t offset = 0;    // within Item::bytes
  uint32_t size = 0;      // 1, 2, 4 or 8
  std::string expression; // local labels (1f/1b) already rewritten; `.` is
                          // the address of these bytes (EvalContext::for_fixup)
  SourcePos pos;          // where the expression starts
};

struct Item {
  enum class Kind { instruction, data };
  Kind kind = Kind::instruction;
  SourcePos pos;       // the mnemonic / directive
  std::string note;    // "" or "in expansion of macro 'X' at file:line"
  uint32_t offset = 0; // within the section
  uint32_t seq = 0;    // statement order; selects the `.set` value in force
  ContextKind context = ContextKind::unknown;

  // Instruction.
  uint32_t length = 4;      // bytes: 4, or what LayoutOptions::instruction_size said
  std::string mnemonic;     // as written
  std::string operands;     // raw text, trimmed, macro-substituted, 1f/1b rewritten
  int operands_column = 0;  // column of operands[0]; 0 when unknown (macro expansion)
  bool bundle_first = false;  // main-pipeline half of `{ A ; B }`
  bool bundle_second = false; // auxiliary half (offset = first's offset + 4)
  bool padding = false;       // a `nop` the front end inserted: by `.align` in a code
                              // section, or (LayoutOptions::pad_bundles) before a bundle

  // Data: the bytes (zero where a fixup will write).
  std::vector<uint8_t> bytes;
  std::vector<Fixup> fixups;

  uint32_t size() const { return kind == Kind::instruction ? length : static_cast<uint32_t>(bytes.size()); }

  // Where operands[offset] is in the source (the item's own position when
  // columns are unknown).
  SourcePos pos_at(size_t operand_offset) const {
    SourcePos p = pos;
    if (operands_column > 0) p.column = operands_column + static_cast<int>(operand_offset);
    return p;
  }

  // An InputError at `where` that carries the macro-expansion note.
  InputError error(const SourcePos &where, const std::string &message) const {
    return InputError(where, note.empty() ? message : message + " (" + note + ")");
  }
  InputError error(const std::string &message) const { return error(pos, message); }
};

struct Section {
  std::string name;      // e.g. ".text.foo" (quotes removed)
  std::string flags;     // e.g. "ax" (quotes removed); "" when not given
  std::string type;      // e.g. "@progbits"; "" when not given
  bool code = false;     // flags contain 'x', or no flags and name starts ".text"
  uint32_t alignment = 1; // largest `.align` seen (4 at least for code, 8 with bundles)
  uint32_t size = 0;
  std::vector<Item> items; // in offset order, no gaps
};

// One definition of a symbol. A label has one; `.set`/`.equ`/`=` may
// redefine an absolute symbol, and each use sees the definition in force at
// that statement (or the first one, for a forward reference).
struct SymbolDef {
  uint32_t seq = 0;
  int section = -1;  // -1: absolute
  int64_t value = 0; // offset in section, or the constant
  SourcePos pos;
};

struct Symbol {
  std::string name;
  bool defined = false;
  bool label = false;  // defined by `name:` (else by .set/.equ/=)
  int section = -1;    // final definition: section index, -1 = absolute
  int64_t value = 0;   // final definition: offset or constant
  std::vector<SymbolDef> defs; // every definition, in order
  bool global = false;   // .globl / .global
  bool weak = false;     // .weak
  bool hidden = false;   // .hidden
  bool external = false; // .extern
  std::string type;      // from `.type sym, @function` -> "function"
  bool has_size = false;
  uint32_t size = 0;     // from `.size`
  ContextKind context = ContextKind::unknown; // mode in force at the label
  SourcePos pos;         // first definition (or first declaration)
};

struct AssemblyUnit {
  std::string source; // the file given to the front end
  std::vector<Section> sections;
  std::map<std::string, Symbol> symbols;
  // Internal names of numeric local labels ("1f" refers to ".L.1.3") back to
  // what the user wrote, for messages.
  std::map<std::string, std::string> local_label_names;
  // One-line "file:line:col: warning: ..." texts (.warning, cpp warnings).
  std::vector<std::string> warnings;
  // `nop`s inserted before bundles that would not have been 8-byte aligned
  // (only with LayoutOptions::pad_bundles).
  uint32_t bundle_padding_nops = 0;

  // Index of the section called `name`, or -1.
  int find_section(const std::string &name) const {
    for (size_t i = 0; i < sections.size(); ++i)
      if (sections[i].name == name) return static_cast<int>(i);
    return -1;
  }
};

struct EvalContext; // expr.hpp

struct LayoutOptions {
  // What to do with a bundle that would start at 4 mod 8. false (default):
  // lay it out where it falls and record it (Item::bundle_first at an offset
  // that is not a multiple of 8); the back end decides. true: insert a `nop`
  // (an Item with `padding`, counted in bundle_padding_nops) before it,
  // during layout, so `.` and label differences include it.
  // Why the default keeps them: laid out as written, all 579 `rpt` bodies in
  // poplibs come out 8-byte aligned (given a two-word `ldconst` when its
  // constant needs more than 20 bits), and poplibs' hand-placed "rpt
  // alignment" fillers only matter in that layout; with nop insertion 72 rpt
  // bodies would break. But 4107 of poplibs' 11404 bundles then sit at 4 mod
  // 8, so the back end must accept them.
  bool pad_bundles = false;
  // Size in bytes of an instruction, asked when it is laid out (symbols
  // defined so far are visible through the context). Null: always 4.
  std::function<uint32_t(const Item &, const EvalContext &)> instruction_size;
};

struct FrontEndOptions {
  std::string source;                     // the .S file
  std::vector<std::string> include_dirs;  // -I, in order
  std::vector<std::string> defines;       // "NAME" or "NAME=VALUE" (-D)
  std::string cpp;                        // the C preprocessor program (PATH searched);
                                          // empty: default_preprocessor() (preprocess.hpp)
  bool preprocess = true;                 // false: read the file as is (no cpp)
  LayoutOptions layout;
};

// Preprocess and lay out one source file. Throws InputError.
AssemblyUnit assemble_front_end(const FrontEndOptions &options);

// Lay out assembly text that needs no preprocessing (it may contain cpp line
// markers). `file` names it in messages. Throws InputError.
AssemblyUnit assemble_text(const std::string &text, const std::string &file, const LayoutOptions &layout = {});

} // namespace ipusim::assembler
