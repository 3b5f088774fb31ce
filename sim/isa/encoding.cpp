#include "sim/isa/encoding.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "sim/isa/csr.hpp"
#include "sim/isa/registers.hpp"

namespace ipusim::isa {

namespace {

uint32_t field_value(const OperandSpec &s, int32_t v) {
  uint32_t mask = s.bits >= 32 ? 0xFFFFFFFFu : ((1u << s.bits) - 1);
  switch (s.kind) {
  case OperandKind::ImmZ: return (static_cast<uint32_t>(v) >> 20) & mask;
  case OperandKind::Target: return (static_cast<uint32_t>(v) >> 2) & mask;
  case OperandKind::CsrUpper: return static_cast<uint32_t>(v - 256) & mask;
  default: return static_cast<uint32_t>(v) & mask;
  }
}

int32_t operand_value(const OperandSpec &s, uint32_t field) {
  switch (s.kind) {
  case OperandKind::SImm: {
    uint32_t sign = 1u << (s.bits - 1);
    return static_cast<int32_t>((field ^ sign) - sign);
  }
  case OperandKind::ImmZ: return static_cast<int32_t>(field << 20);
  case OperandKind::Target: return static_cast<int32_t>(field << 2);
  case OperandKind::CsrUpper: return static_cast<int32_t>(field + 256);
  default: return static_cast<int32_t>(field);
  }
}

// Forms grouped by opcode length for decoding (canonical code: each length's
// codes are a contiguous range).
struct LengthGroup {
  unsigned bits;
  std::vector<const Form *> forms; // sorted by opcode
};

const std::vector<LengthGroup> &groups() {
  static const std::vector<LengthGroup> g = [] {
    std::vector<LengthGroup> out;
    for (const Form &f : forms()) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const LengthGroup &x) { return x.bits == f.opcode_bits; });
      if (it == out.end()) {
        out.push_back({f.opcode_bits, {}});
        it = out.end() - 1;
      }
      it->forms.push_back(&f);
    }
    for (auto &grp : out)
      std::sort(grp.forms.begin(), grp.forms.end(),
                [](const Form *a, const Form *b) { return a->opcode < b->opcode; });
    std::sort(out.begin(), out.end(),
              [](const LengthGroup &a, const LengthGroup &b) { return a.bits < b.bits; });
    return out;
  }();
  return g;
}

} // namespace

uint32_t encode(const Instruction &insn, bool bundle_first) {
  const Form &f = form(insn.op);
  uint32_t word = bundle_first ? kBundleBit : 0;
  word |= f.opcode << f.operand_bits;
  unsigned shift = f.operand_bits;
  for (size_t i = 0; i < f.operands.size(); ++i) {
    shift -= f.operands[i].bits;
    word |= field_value(f.operands[i], insn.v[i]) << shift;
  }
  return word;
}

std::optional<Instruction> decode(uint32_t word) {
  for (const LengthGroup &g : groups()) {
    uint32_t code = (word & ~kBundleBit) >> (31 - g.bits);
    auto it = std::lower_bound(g.forms.begin(), g.forms.end(), code,
                               [](const Form *f, uint32_t c) { return f->opcode < c; });
    if (it == g.forms.end() || (*it)->opcode != code) continue;
    const Form &f = **it;
    Instruction insn;
    insn.op = f.op;
    unsigned shift = f.operand_bits;
    for (size_t i = 0; i < f.operands.size(); ++i) {
      shift -= f.operands[i].bits;
      uint32_t mask = (1u << f.operands[i].bits) - 1;
      insn.v[i] = operand_value(f.operands[i], (word >> shift) & mask);
    }
    return insn;
  }
  return std::nullopt;
}

std::string disassemble(const Instruction &insn, bool supervisor) {
  const Form &f = form(insn.op);
  std::string out(f.mnemonic);
  for (size_t i = 0; i < f.operands.size(); ++i) {
    out += i == 0 ? " " : ", ";
    int32_t v = insn.v[i];
    unsigned r = static_cast<unsigned>(v);
    switch (f.operands[i].kind) {
    case OperandKind::MReg: out += mreg_name(r); break;
    case OperandKind::MRegInc: out += mreg_name(r) + "+="; break;
    case OperandKind::MPair: out += fmt::format("$m{}:{}", r, r + 1); break;
    case OperandKind::MPairInc: out += fmt::format("$m{}:{}+=", r, r + 1); break;
    case OperandKind::AReg: out += areg_name(r, 1); break;
    case OperandKind::APair: out += areg_name(r, 2); break;
    case OperandKind::AQuad: out += areg_name(r, 4); break;
    case OperandKind::ABcast: out += fmt::format("$a{}:B", r); break;
    case OperandKind::ABcastLo: out += fmt::format("$a{}:BL", r); break;
    case OperandKind::ABcastHi: out += fmt::format("$a{}:BU", r); break;
    case OperandKind::UImm:
    case OperandKind::SImm: out += std::to_string(v); break;
    case OperandKind::ImmZ:
    case OperandKind::Target: out += fmt::format("0x{:x}", static_cast<uint32_t>(v)); break;
    case OperandKind::Csr:
    case OperandKind::CsrUpper: {
      auto name = csr::name_of(r, supervisor);
      out += name.empty() ? fmt::format("0x{:x}", r) : "$" + std::string(name);
      break;
    }
    }
  }
  return out;
}

} // namespace ipusim::isa
