// The assembler back end's first step: turn one instruction's mnemonic and
// raw operand text into an isa::Instruction, choosing the first form of the
// ISA table whose operands fit, after expanding the pseudo-instructions real
// codelets use (nop, fnop, mov, zero, sub with an immediate, 3-operand loads
// and stores with an implicit $mzero delta).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/assembler/expr.hpp"
#include "sim/isa/encoding.hpp"

namespace ipusim::assembler {

// Evaluates an operand expression to an absolute number or a final address
// (labels are resolved through the placement of sections).
using OperandEvaluator = std::function<int64_t(std::string_view text, size_t operand_offset)>;

struct OperandText {
  std::string text;
  size_t offset; // in the item's operand string, for error columns
};

// Split at top-level commas, trimming blanks.
std::vector<OperandText> split_operands(const std::string &operands);

// Throws the item's InputError when no form fits.
isa::Instruction parse_instruction(const Item &item, const OperandEvaluator &eval);

// `ldconst $reg, value`: a 32-bit constant in item.length / 4 instructions
// (setzi, then `or` with the top 12 bits when they are not zero).
std::vector<isa::Instruction> expand_ldconst(const Item &item, const OperandEvaluator &eval);

} // namespace ipusim::assembler
