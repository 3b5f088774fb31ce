// Instruction words. The real IPU encoding is not public, so ipusim uses its
// own (documented in docs/isa.md): bit 31 = "first instruction of a bundle",
// then a prefix-free opcode, then the operand fields from the first operand
// (highest bits) to the last. Decoding happens once, when a program is loaded.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "sim/isa/isa.hpp"

namespace ipusim::isa {

constexpr size_t kMaxOperands = 5;
constexpr uint32_t kBundleBit = 1u << 31;

// An instruction with its operands as values: register indices, immediates
// (sign-extended for SImm, full 32-bit value for ImmZ, byte address for
// Target, CSR number 0..511 for Csr/CsrUpper).
struct Instruction {
  Op op = Op::count;
  std::array<int32_t, kMaxOperands> v{};
};

// Encode; operand values must already be in range (the assembler checks).
uint32_t encode(const Instruction &insn, bool bundle_first);
// Decode a word; nullopt if no form has that opcode.
std::optional<Instruction> decode(uint32_t word);

// "ld32step $a0, $mzero, $m2+=, 1"; supervisor selects CSR names.
std::string disassemble(const Instruction &insn, bool supervisor = false);

} // namespace ipusim::isa
