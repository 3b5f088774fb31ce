// The ISA table: every form encodes and decodes to itself, opcodes are
// prefix-free, and the disassembler prints assembler syntax.
#include <doctest/doctest.h>

#include <set>

#include "sim/isa/encoding.hpp"
#include "sim/isa/isa.hpp"

using namespace ipusim::isa;

namespace {
// The smallest and largest legal value of an operand kind.
std::pair<int32_t, int32_t> extremes(const OperandSpec &s) {
  switch (s.kind) {
  case OperandKind::MReg: case OperandKind::MRegInc: case OperandKind::AReg: case OperandKind::ABcast:
  case OperandKind::ABcastLo: case OperandKind::ABcastHi: return {0, 15};
  case OperandKind::MPair: case OperandKind::MPairInc: case OperandKind::APair: return {0, 14};
  case OperandKind::AQuad: return {0, 12};
  case OperandKind::UImm: return {0, static_cast<int32_t>((1u << s.bits) - 1)};
  case OperandKind::SImm: return {-(1 << (s.bits - 1)), (1 << (s.bits - 1)) - 1};
  case OperandKind::ImmZ: return {0, static_cast<int32_t>(0xFFF00000u)};
  case OperandKind::Target: return {0, static_cast<int32_t>(((1u << s.bits) - 1) << 2)};
  case OperandKind::Csr: return {0, 255};
  case OperandKind::CsrUpper: return {256, 511};
  }
  return {0, 0};
}
} // namespace

TEST_CASE("every form round-trips through its encoding at the operand extremes") {
  for (const Form &f : forms()) {
    for (int pick = 0; pick < 2; ++pick) {
      Instruction insn;
      insn.op = f.op;
      for (size_t k = 0; k < f.operands.size(); ++k) {
        auto [lo, hi] = extremes(f.operands[k]);
        insn.v[k] = ((k + pick) % 2) ? hi : lo;
      }
      for (bool bundle : {false, true}) {
        uint32_t word = encode(insn, bundle);
        CHECK(((word & kBundleBit) != 0) == bundle);
        auto back = decode(word);
        REQUIRE_MESSAGE(back.has_value(), f.id);
        CHECK_MESSAGE(back->op == f.op, f.id);
        for (size_t k = 0; k < f.operands.size(); ++k) CHECK_MESSAGE(back->v[k] == insn.v[k], f.id);
      }
    }
  }
}

TEST_CASE("opcodes are prefix-free and fit the word") {
  for (const Form &a : forms()) {
    CHECK(a.opcode_bits + a.operand_bits == 31u);
    for (const Form &b : forms()) {
      if (&a == &b) continue;
      unsigned n = std::min(a.opcode_bits, b.opcode_bits);
      uint32_t pa = a.opcode >> (a.opcode_bits - n), pb = b.opcode >> (b.opcode_bits - n);
      CHECK_MESSAGE(pa != pb, a.id << " is a prefix of " << b.id);
    }
  }
}

TEST_CASE("disassembly uses assembler syntax") {
  Instruction i;
  i.op = Op::LD32STEP_AI;
  i.v = {0, 15, 2, 1, 0};
  CHECK(disassemble(i) == "ld32step $a0, $mzero, $m2+=, 1");
  i.op = Op::LD2XST64PACE;
  i.v = {4, 2, 8, 3, 0b110110};
  CHECK(disassemble(i) == "ld2xst64pace $a4:7, $a2:3, $m8:9+=, $m3, 54");
  i.op = Op::UPUT;
  i.v = {0x101, 3, 0, 0, 0};
  CHECK(disassemble(i) == "uput $FP_CLR, $a3");
  i.op = Op::GET;
  i.v = {1, 0x1, 0, 0, 0};
  CHECK(disassemble(i, false) == "get $m1, $WSR");
  CHECK(disassemble(i, true) == "get $m1, $SSR");
}

TEST_CASE("forms_for lists every form of a mnemonic in table order") {
  const auto &ld32 = forms_for("ld32");
  REQUIRE(ld32.size() == 4u);
  CHECK(ld32[0]->op == Op::LD32_MR);
  CHECK(ld32[3]->op == Op::LD32_AI);
  CHECK(forms_for("nosuch").empty());
}
