// The GNU-as compatible layout pass: macros, conditionals, repeats,
// directives, labels, bundles and the location counter, over lines that the
// C preprocessor has already produced. ISA-agnostic: an instruction is a
// mnemonic, raw operand text and 4 bytes.
//
// Conventions of this target (checked against how poplibs uses them):
// * `.align N` and `.balign N` take a byte count; `.p2align N` a power of 2.
//   Code sections are padded with `nop` instructions (Item::padding), data
//   sections with zero bytes.
// * `.word`, `.int`, `.long` are 4 bytes; `.short`, `.hword` 2; `.quad` 8.
// * `#` starts a comment; `;` separates statements, except inside `{ }`
//   where it separates the two instructions of a bundle; a bundle may span
//   lines. A bundle is laid out where it falls, even at 4 mod 8, unless
//   LayoutOptions::pad_bundles asks for a `nop` before it (see unit.hpp).
//   A section with a bundle gets 8-byte alignment.
// * Numeric local labels `N:` become `.L.N.<instance>`; `Nb`/`Nf` in
//   operands and expressions are rewritten to those names.
// * `.worker` / `.supervisor` set the context kind of what follows, in
//   every section, until changed.
// * Macro names and parameters are case-sensitive; directive names are not.
#pragma once

#include "sim/assembler/expr.hpp"
#include "sim/assembler/lexer.hpp"
#include "sim/assembler/macros.hpp"
#include "sim/assembler/source_lines.hpp"
#include "sim/assembler/unit.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ipusim::assembler {

class Gas {
public:
  Gas(std::string source_name, LayoutOptions options);
  // Lays out `lines` (see read_lines) and returns the unit. Throws InputError.
  AssemblyUnit run(std::vector<Line> lines);

private:
  // Where a statement is: its line and byte range in the line's text.
  struct Stmt {
    const Line *line = nullptr;
    size_t begin = 0, end = 0;
    std::string_view text() const { return std::string_view(line->text).substr(begin, end - begin); }
  };
  struct Frame {
    std::vector<Line> lines;
    size_t next = 0;
    bool macro = false;     // a macro expansion (`.exitm` ends it)
    std::string macro_name;
    size_t cond_depth = 0;  // conditionals open when it started
  };
  struct Cond {
    SourcePos pos;
    std::string note;
    std::string directive;
    bool parent_active = true;
    bool active = true;
    bool taken = false;     // some branch was (or could have been) taken
    bool seen_else = false;
  };
  struct Recording {
    enum class Kind { none, macro, rept } kind = Kind::none;
    int depth = 0;
    std::string directive; // .macro .rept .irp .irpc
    Macro macro;
    long count = 0;                  // .rept
    std::string param;               // .irp / .irpc
    std::vector<std::string> values; // .irp / .irpc
    std::vector<Line> body;
    SourcePos pos;
    std::string note;
  };
  struct PendingEquate {
    std::string name, expr;
    SourcePos pos;
    std::string note;
    bool track_columns = true;
    int section = -1;
    int64_t dot = 0;
    uint32_t seq = 0;
  };
  struct PendingSize {
    std::string name, expr;
    SourcePos pos;
    std::string note;
    bool track_columns = true;
    int section = -1;
    int64_t dot = 0;
    uint32_t seq = 0;
  };
  struct LocalRef {
    std::string internal, shown;
    SourcePos pos;
    std::string note;
  };
  enum class Flow { next, stop_line };

  // gas.cpp: the statement loop
  void process_line(const Line &line);
  void record_line(const Line &line);
  Flow process_piece(const Line &line, const Piece &piece, size_t rest_begin);
  Flow process_statement(const Stmt &s, size_t rest_begin, bool before_brace);
  void handle_conditional(const Stmt &s, const std::string &directive, size_t args_begin);
  void start_bundle(const Stmt &s, size_t at);
  void close_bundle(const Stmt &s, size_t at);
  void expand_macro(const Stmt &s, const Macro &macro, size_t name_at, size_t args_begin);
  void charge_expansion(const Frame &f, const SourcePos &pos, const std::string &note);
  static constexpr size_t kMaxExpandedBytes = size_t(64) << 20;
  size_t expanded_bytes_ = 0;
  void push_remainder(const Line &line, size_t from);
  void finish_recording();
  void exit_macro(const Stmt &s);
  void end_frame();
  void finish();

  // gas_directives.cpp
  Flow directive(const Stmt &s, const std::string &name, size_t name_at, size_t args_begin);
  void define_label(const Stmt &s, size_t at, const std::string &name);
  void assign(const Stmt &s, size_t name_at, const std::string &name, size_t expr_begin, bool only_if_new);
  void section_directive(const Stmt &s, size_t args_begin, bool push);
  void switch_section(const std::string &name, const std::string &flags, const std::string &type);
  void align_directive(const Stmt &s, size_t args_begin, int kind);
  void data_directive(const Stmt &s, size_t args_begin, unsigned size);
  void float_directive(const Stmt &s, size_t args_begin, unsigned size);
  void string_directive(const Stmt &s, size_t args_begin, bool terminate);
  void space_directive(const Stmt &s, size_t args_begin, bool fill_form);
  void symbol_list_directive(const Stmt &s, size_t args_begin, const std::string &name);
  void type_directive(const Stmt &s, size_t args_begin);
  void size_directive(const Stmt &s, size_t args_begin);
  void instruction(const Stmt &s, size_t mnemonic_at, size_t mnemonic_end);
  void emit_instruction(Item item);
  void emit_data(const Stmt &s, size_t at, std::vector<uint8_t> bytes, std::vector<Fixup> fixups = {});

  // helpers
  int current_section();
  Section &section() { return unit_.sections[static_cast<size_t>(current_section())]; }
  void grow(Section &sec, uint32_t bytes, const Stmt &s, size_t at);
  Symbol &symbol(const std::string &name);
  SourcePos pos_at(const Stmt &s, size_t at, std::string_view token = {});
  [[noreturn]] void fail(const Stmt &s, size_t at, const std::string &message, std::string_view token = {});
  [[noreturn]] void fail_at(const SourcePos &pos, const std::string &note, const std::string &message);
  EvalContext eval_context(const Stmt &s, size_t at);
  int64_t absolute(const Stmt &s, size_t begin, size_t end, const std::string &what);
  std::string rewrite_local_refs(const Stmt &s, size_t begin, size_t end);
  bool active() const { return conds_.empty() || conds_.back().active; }

  AssemblyUnit unit_;
  LayoutOptions options_;
  ColumnFinder columns_;
  std::vector<Frame> frames_;
  std::vector<Cond> conds_;
  Recording rec_;
  std::map<std::string, Macro> macros_;
  long macro_counter_ = 0;
  uint32_t seq_ = 0;
  uint64_t lines_processed_ = 0;
  int current_ = -1;
  int previous_ = -1;
  std::vector<int> section_stack_;
  ContextKind mode_ = ContextKind::unknown;
  std::map<std::string, int> local_counts_;
  std::vector<LocalRef> forward_refs_;
  std::vector<PendingEquate> pending_equates_;
  std::vector<PendingSize> pending_sizes_;
  bool in_bundle_ = false;
  SourcePos bundle_pos_;
  std::string bundle_note_;
  std::vector<Item> bundle_;
  bool ended_ = false;
};

} // namespace ipusim::assembler
