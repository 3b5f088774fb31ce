// gas expressions: 64-bit two's-complement integers, symbols, `.` (the
// statement's own address) and character literals.
//
// Operators, with gas's precedence (not C's), highest first:
//   unary  - + ~ !
//   5      * / % << >>           (>> is arithmetic)
//   4      | & ^ !               (binary ! is "or not": a | ~b)
//   3      + -
//   2      == != <> < <= > >=    (true is 1)
//   1      &&   then  ||         (result 1 or 0)
//   0      c ? a : b             (an ipusim extension; gas has no ?:)
// Parenthesise when in doubt: `1 + 2 << 3` is 17 here, 24 in C.
//
// Values are absolute, relative to a section (a label, label + constant), or
// an undefined external symbol + constant. label - label in the same section
// is absolute, which `(2f - 1f) / 8 - 1` and `.size x, . - x_START` rely on.
#pragma once

#include "sim/assembler/unit.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace ipusim::assembler {

struct Value {
  int section = -1;     // -1: not section-relative
  int64_t offset = 0;   // the constant, or the offset in `section`
  std::string external; // non-empty: an undefined (.extern/.globl) symbol + offset
  bool absolute() const { return section < 0 && external.empty(); }
};

struct EvalContext {
  const AssemblyUnit *unit = nullptr; // symbol table (may be null: no symbols)
  int section = -1;          // section of the statement, for `.`
  int64_t dot = 0;           // offset of the statement in it
  uint32_t seq = UINT32_MAX; // picks the .set definition in force; default: the last
  SourcePos pos;             // where text[0] is
  bool track_columns = true; // pos.column + offset locates each token
  std::string note;          // appended to messages ("in expansion of macro ...")
  // How evaluate() treats a symbol that is not defined in this unit and
  // was not declared .extern/.globl/.weak: false, an error; true, an
  // external reference left to the linker (what gas does; poplibs calls
  // functions of other files, e.g. `call $lr, convNx1ZeroOutField_half`,
  // without declaring them).
  bool undefined_is_external = false;

  // The context of an instruction or data item: `.` is the item's address
  // and `pos` is operands[operand_offset].
  static EvalContext for_item(const AssemblyUnit &unit, int section, const Item &item,
                              size_t operand_offset = 0);
  // The context of a data fixup: `.` is the address of the fixed-up bytes.
  static EvalContext for_fixup(const AssemblyUnit &unit, int section, const Item &item, const Fixup &fixup);
};

// Evaluates `text` after layout. Undefined symbols that were declared
// .extern/.globl/.weak (or any, with undefined_is_external) give an external
// Value; any other undefined symbol, a syntax error, division by zero or a
// meaningless relocatable operation is an InputError at the offending token.
Value evaluate(std::string_view text, const EvalContext &context);

// evaluate() that also requires an absolute result.
int64_t evaluate_absolute(std::string_view text, const EvalContext &context);

// Layout-time evaluation: symbols not defined YET make the result unknown
// instead of an error (syntax errors still throw).
struct PartialValue {
  bool known = false;
  Value value;
  std::string unknown_symbol; // first undefined symbol met, as the user wrote it
  SourcePos unknown_pos;
};
PartialValue evaluate_partial(std::string_view text, const EvalContext &context);

// The definition of `symbol` in force at statement `seq`: the last one at or
// before it, else the first (a forward reference). Null if never defined.
const SymbolDef *definition_at(const Symbol &symbol, uint32_t seq);

} // namespace ipusim::assembler
