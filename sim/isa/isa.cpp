#include "sim/isa/isa.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace ipusim::isa {

namespace {

struct Row {
  Op op;
  const char *id, *mnemonic, *operands;
  Pipe pipe;
  TimingClass timing;
  uint8_t flags;
  const char *description;
};

constexpr Pipe MAIN = Pipe::MAIN;
constexpr Pipe AUX = Pipe::AUX;

const Row kRows[] = {
#define INSN(id, mn, ops, pipe, cls, flags, desc)                                                  \
  {Op::id, #id, mn, ops, pipe, TimingClass::cls, static_cast<uint8_t>(flags), desc},
#include "sim/isa/instructions.def"
#undef INSN
};

OperandSpec parse_operand(std::string_view t, std::string_view id) {
  auto bits_after = [&](size_t prefix) {
    return static_cast<uint8_t>(std::stoi(std::string(t.substr(prefix))));
  };
  if (t == "m") return {OperandKind::MReg, 4};
  if (t == "m+=") return {OperandKind::MRegInc, 4};
  if (t == "m2") return {OperandKind::MPair, 4};
  if (t == "m2+=") return {OperandKind::MPairInc, 4};
  if (t == "a") return {OperandKind::AReg, 4};
  if (t == "a2") return {OperandKind::APair, 4};
  if (t == "a4") return {OperandKind::AQuad, 4};
  if (t == "aB") return {OperandKind::ABcast, 4};
  if (t == "aBL") return {OperandKind::ABcastLo, 4};
  if (t == "aBU") return {OperandKind::ABcastHi, 4};
  if (t == "c") return {OperandKind::Csr, 8};
  if (t == "cu") return {OperandKind::CsrUpper, 8};
  if (t.size() > 1 && t[0] == 'u') return {OperandKind::UImm, bits_after(1)};
  if (t.size() > 1 && t[0] == 's') return {OperandKind::SImm, bits_after(1)};
  if (t.size() > 1 && t[0] == 'z') return {OperandKind::ImmZ, bits_after(1)};
  if (t.size() > 1 && t[0] == 't') return {OperandKind::Target, bits_after(1)};
  throw std::logic_error("instructions.def: bad operand kind '" + std::string(t) + "' in " +
                         std::string(id));
}

std::vector<OperandSpec> parse_operands(std::string_view text, std::string_view id) {
  std::vector<OperandSpec> out;
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    size_t comma = text.find(',', start);
    std::string_view tok = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    out.push_back(parse_operand(tok, id));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// Assign a canonical prefix-free opcode to every form. A form with w operand
// bits gets an opcode of (31 - w) bits; forms are numbered in order of
// increasing opcode length (canonical-Huffman style), so decoding needs no
// table of the real (unpublished) encoding. The Kraft sum must stay <= 1.
void assign_opcodes(std::vector<Form> &fs) {
  std::vector<Form *> order;
  for (auto &f : fs) order.push_back(&f);
  std::stable_sort(order.begin(), order.end(),
                   [](const Form *a, const Form *b) { return a->operand_bits > b->operand_bits; });
  uint64_t code = 0;
  unsigned len = 0;
  for (Form *f : order) {
    unsigned want = 31 - f->operand_bits;
    if (len == 0) {
      len = want;
    } else {
      code += 1;
      code <<= (want - len);
      len = want;
    }
    if (code >> len) throw std::logic_error("instructions.def: opcode space exhausted");
    f->opcode = static_cast<uint32_t>(code);
    f->opcode_bits = len;
  }
}

std::vector<Form> build() {
  std::vector<Form> fs;
  fs.reserve(kOpCount);
  for (const Row &r : kRows) {
    Form f;
    f.op = r.op;
    f.id = r.id;
    f.mnemonic = r.mnemonic;
    f.operand_text = r.operands;
    f.pipe = r.pipe;
    f.timing = r.timing;
    f.flags = r.flags;
    f.description = r.description;
    f.operands = parse_operands(r.operands, r.id);
    for (auto &o : f.operands) f.operand_bits += o.bits;
    if (f.operand_bits > 27)
      throw std::logic_error("instructions.def: too many operand bits in " + std::string(r.id));
    fs.push_back(std::move(f));
  }
  assign_opcodes(fs);
  return fs;
}

} // namespace

const char *timing_class_name(TimingClass c) {
  static const char *names[] = {"alu",  "mul",  "load", "store",  "branch", "control",
                                "system", "csr", "fp32", "fp16", "fpconv", "transcendental"};
  return names[static_cast<size_t>(c)];
}

const std::vector<Form> &forms() {
  static const std::vector<Form> table = build();
  return table;
}

const std::vector<const Form *> &forms_for(std::string_view mnemonic) {
  static const std::map<std::string, std::vector<const Form *>, std::less<>> by_name = [] {
    std::map<std::string, std::vector<const Form *>, std::less<>> m;
    for (const Form &f : forms()) m[std::string(f.mnemonic)].push_back(&f);
    return m;
  }();
  static const std::vector<const Form *> none;
  auto it = by_name.find(mnemonic);
  return it == by_name.end() ? none : it->second;
}

bool is_mnemonic(std::string_view mnemonic) { return !forms_for(mnemonic).empty(); }

std::string operand_kind_text(const OperandSpec &s) {
  switch (s.kind) {
  case OperandKind::MReg: return "$m";
  case OperandKind::MRegInc: return "$m+=";
  case OperandKind::MPair: return "$m:m+1";
  case OperandKind::MPairInc: return "$m:m+1+=";
  case OperandKind::AReg: return "$a";
  case OperandKind::APair: return "$a:a+1";
  case OperandKind::AQuad: return "$a:a+3";
  case OperandKind::ABcast: return "$a:B";
  case OperandKind::ABcastLo: return "$a:BL";
  case OperandKind::ABcastHi: return "$a:BU";
  case OperandKind::UImm: return "zimm" + std::to_string(s.bits);
  case OperandKind::SImm: return "simm" + std::to_string(s.bits);
  case OperandKind::ImmZ: return "immz" + std::to_string(s.bits);
  case OperandKind::Target: return "target" + std::to_string(s.bits);
  case OperandKind::Csr: return "csr";
  case OperandKind::CsrUpper: return "ucsr";
  }
  return "?";
}

} // namespace ipusim::isa
