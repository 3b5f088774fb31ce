// The instruction set as data: every form of instructions.def, with its operands
// parsed, its encoding assigned and its timing class resolved. Built once at
// start-up; everything else (assembler, decoder, disassembler, executor,
// describe) reads it from here.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ipusim::isa {

// One enumerator per row of instructions.def.
enum class Op : uint16_t {
#define INSN(id, mn, ops, pipe, cls, flags, desc) id,
#include "sim/isa/instructions.def"
#undef INSN
  count
};
constexpr size_t kOpCount = static_cast<size_t>(Op::count);

enum class Pipe : uint8_t { MAIN, AUX };

// Timing classes: each names a key of the machine config's tile.timing map.
enum class TimingClass : uint8_t {
  alu, mul, load, store, branch, control, system, csr, fp32, fp16, fpconv, transcendental, count
};
constexpr size_t kTimingClassCount = static_cast<size_t>(TimingClass::count);
const char *timing_class_name(TimingClass c);

enum Flags : uint8_t {
  F_NONE = 0,
  F_NORPT = 1,      // not allowed inside a rpt body
  F_BRANCH = 2,     // changes control flow
  F_SUPERVISOR = 4, // supervisor only
  F_WORKER = 8,     // worker only
  F_SOLO = 16,
};

enum class OperandKind : uint8_t {
  MReg,       // $mN
  MRegInc,    // $mN+=
  MPair,      // $mN:N+1
  MPairInc,   // $mN:N+1+=
  AReg,       // $aN
  APair,      // $aN:N+1
  AQuad,      // $aN:N+3
  ABcast,     // $aN:B   one register broadcast to both 32-bit lanes
  ABcastLo,   // $aN:BL  its low half broadcast to every 16-bit lane
  ABcastHi,   // $aN:BU  its high half broadcast to every 16-bit lane
  UImm,       // zero-extended immediate of `bits`
  SImm,       // sign-extended immediate of `bits`
  ImmZ,       // 32-bit value with low 20 bits zero, stored >> 20 in `bits`
  Target,     // branch target byte address, stored >> 2 in `bits`
  Csr,        // lower CSR space (0..255)
  CsrUpper,   // upper CSR space (256..511), stored - 256
};

struct OperandSpec {
  OperandKind kind;
  uint8_t bits; // width of the encoded field
};

// One instruction form.
struct Form {
  Op op;
  std::string_view id;       // e.g. "LD32STEP_AI"
  std::string_view mnemonic; // e.g. "ld32step"
  std::string_view operand_text;
  Pipe pipe;
  TimingClass timing;
  uint8_t flags;
  std::string_view description;
  std::vector<OperandSpec> operands;
  unsigned operand_bits = 0; // sum of the operand fields
  // Encoding: bits [30 : operand_bits] hold `opcode` (a prefix-free code whose
  // length depends on how many operand bits the form needs); bit 31 marks the
  // first instruction of a bundle.
  uint32_t opcode = 0;
  unsigned opcode_bits = 0;
};

// All forms, indexed by Op.
const std::vector<Form> &forms();
inline const Form &form(Op op) { return forms()[static_cast<size_t>(op)]; }

// Forms with the given mnemonic, in table order (the order the assembler tries them).
const std::vector<const Form *> &forms_for(std::string_view mnemonic);
bool is_mnemonic(std::string_view mnemonic);

// Operand kinds spelled as in instructions.def ("m", "a2", "s16", ...).
std::string operand_kind_text(const OperandSpec &s);

} // namespace ipusim::isa
