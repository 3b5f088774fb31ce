#include "sim/assembler/operands.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <optional>

#include "sim/isa/csr.hpp"
#include "sim/isa/registers.hpp"
#include "sim/numeric/half.hpp"

namespace ipusim::assembler {

namespace {

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// A half-precision literal such as "-1.0h" or "0.5h": its binary16 bits.
std::optional<int64_t> half_literal(const std::string &t) {
  if (t.size() < 2 || t.back() != 'h') return std::nullopt;
  std::string num = t.substr(0, t.size() - 1);
  bool digit = false, dot = false;
  for (size_t i = 0; i < num.size(); ++i) {
    char ch = num[i];
    if (std::isdigit(static_cast<unsigned char>(ch))) digit = true;
    else if (ch == '.' && !dot) dot = true;
    else if (!((ch == '-' || ch == '+') && i == 0)) return std::nullopt;
  }
  if (!digit || !dot) return std::nullopt; // "0x1h" or a symbol ending in h is not a half literal
  return f16_from_double(std::strtod(num.c_str(), nullptr));
}

// Why an operand did not fit a form; the message of the best-matching form is
// reported when none fits.
struct Mismatch {
  size_t operand;
  std::string why;
};

struct Candidate {
  std::optional<isa::Instruction> insn;
  Mismatch mismatch;
};

bool ends_with(const std::string &s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string kind_name(isa::OperandKind k) {
  using K = isa::OperandKind;
  switch (k) {
  case K::MReg: return "an MRF register ($m0..$m15)";
  case K::MRegInc: return "an MRF register with '+=' ($mN+=)";
  case K::MPair: return "an MRF pair ($mN:N+1, N even)";
  case K::MPairInc: return "an MRF pair with '+=' ($mN:N+1+=)";
  case K::AReg: return "an ARF register ($a0..$a15)";
  case K::APair: return "an ARF pair ($aN:N+1, N even)";
  case K::AQuad: return "an ARF quad ($aN:N+3, N a multiple of 4)";
  default: return "an immediate";
  }
}

// Try one operand against one spec. Returns an error text or "".
std::string fit(const isa::OperandSpec &spec, const OperandText &op, const OperandEvaluator &eval,
                int32_t &out) {
  using K = isa::OperandKind;
  std::string t = op.text;
  bool is_reg_text = !t.empty() && t[0] == '$';
  switch (spec.kind) {
  case K::MReg: case K::MRegInc: case K::MPair: case K::MPairInc:
  case K::AReg: case K::APair: case K::AQuad: {
    bool inc = spec.kind == K::MRegInc || spec.kind == K::MPairInc;
    if (inc) {
      if (!ends_with(t, "+=")) return "expected " + kind_name(spec.kind) + ", got '" + op.text + "'";
      t = trim(t.substr(0, t.size() - 2));
    } else if (ends_with(t, "+=")) {
      return "'+=' is not allowed here";
    }
    if (!is_reg_text) return "expected " + kind_name(spec.kind) + ", got '" + op.text + "'";
    auto r = isa::parse_register(t);
    if (!r) return "unknown register '" + t + "'";
    bool want_arf = spec.kind == K::AReg || spec.kind == K::APair || spec.kind == K::AQuad;
    unsigned want_count = (spec.kind == K::APair || spec.kind == K::MPair || spec.kind == K::MPairInc) ? 2
                          : spec.kind == K::AQuad                                                 ? 4
                                                                                                  : 1;
    if (r->arf != want_arf || r->count != want_count)
      return "expected " + kind_name(spec.kind) + ", got '" + op.text + "'";
    if (r->index % want_count != 0)
      return fmt::format("register group '{}' must start at a multiple of {}", t, want_count);
    out = static_cast<int32_t>(r->index);
    return "";
  }
  case K::ABcast: case K::ABcastLo: case K::ABcastHi: {
    const char *suffix = spec.kind == K::ABcast ? ":B" : spec.kind == K::ABcastLo ? ":BL" : ":BU";
    if (!is_reg_text || !ends_with(t, suffix)) return std::string("expected $aN") + suffix + ", got '" + op.text + "'";
    auto r = isa::parse_register(t.substr(0, t.size() - std::strlen(suffix)));
    if (!r || !r->arf || r->count != 1) return "unknown register '" + t + "'";
    out = static_cast<int32_t>(r->index);
    return "";
  }
  case K::Csr: case K::CsrUpper: {
    int64_t v;
    if (is_reg_text) {
      auto n = isa::csr::lookup(t);
      if (!n) return "unknown CSR '" + t + "'";
      v = *n;
    } else {
      v = eval(t, op.offset);
    }
    if (spec.kind == K::CsrUpper && v >= 0 && v < 256) v += 256;
    bool ok = spec.kind == K::Csr ? (v >= 0 && v < 256) : (v >= 256 && v < 512);
    if (!ok)
      return fmt::format("CSR 0x{:x} is not in the {} CSR space", v, spec.kind == K::Csr ? "lower (get/put)"
                                                                                        : "upper (uget/uput)");
    out = static_cast<int32_t>(v);
    return "";
  }
  default: break;
  }
  if (is_reg_text) return "expected " + isa::operand_kind_text(spec) + ", got register '" + op.text + "'";
  int64_t v = 0;
  if (auto h = half_literal(t)) v = *h; // `setzi $a0, -1.0h` (poplibs): the binary16 bits of the value
  else v = eval(t, op.offset);
  switch (spec.kind) {
  case K::UImm:
    if (v < 0 || v >= (int64_t(1) << spec.bits))
      return fmt::format("value {} does not fit zimm{} [0, {}]", v, spec.bits, (int64_t(1) << spec.bits) - 1);
    break;
  case K::SImm: {
    int64_t lo = -(int64_t(1) << (spec.bits - 1)), hi = (int64_t(1) << (spec.bits - 1)) - 1;
    if (v < lo || v > hi) return fmt::format("value {} does not fit simm{} [{}, {}]", v, spec.bits, lo, hi);
    break;
  }
  case K::ImmZ:
    if (v < INT32_MIN || v > UINT32_MAX || (v & 0xFFFFF) != 0)
      return fmt::format("value 0x{:x} is not an immz{} (a 32-bit value with the low 20 bits clear)", v, spec.bits);
    break;
  case K::Target:
    if (v & 3) return fmt::format("branch target 0x{:x} is not 4-byte aligned", v);
    if (v < 0 || v >= (int64_t(1) << (spec.bits + 2)))
      return fmt::format("branch target 0x{:x} is out of range", v);
    break;
  default: break;
  }
  out = static_cast<int32_t>(static_cast<uint32_t>(v));
  return "";
}

Candidate try_form(const isa::Form &f, const std::vector<OperandText> &ops, const OperandEvaluator &eval) {
  Candidate c;
  if (ops.size() != f.operands.size()) {
    c.mismatch = {ops.size(), fmt::format("{} takes {} operands ({}), got {}", f.mnemonic, f.operands.size(),
                                          f.operand_text, ops.size())};
    return c;
  }
  isa::Instruction insn;
  insn.op = f.op;
  for (size_t k = 0; k < ops.size(); ++k) {
    std::string why = fit(f.operands[k], ops[k], eval, insn.v[k]);
    if (!why.empty()) {
      c.mismatch = {k, why};
      return c;
    }
  }
  c.insn = insn;
  return c;
}

bool is_load_store(std::string_view mn) {
  static const char *names[] = {"ld32", "ld64", "ld128", "ldb16", "ldz8", "ldz16", "lds8", "lds16", "st32", "st64"};
  for (auto n : names)
    if (mn == n) return true;
  return false;
}

// Rewrite pseudo-instructions into real forms (mnemonic and operand list).
void expand_pseudo(std::string &mn, std::vector<OperandText> &ops) {
  auto reg_of = [](const OperandText &o) { return o.text.size() > 1 && o.text[0] == '$' ? isa::parse_register(o.text) : std::nullopt; };
  OperandText zero_imm{"0", 0};
  if (mn == "nop" && ops.empty()) {
    mn = "or";
    ops = {{"$mzero", 0}, {"$mzero", 0}, zero_imm};
  } else if (mn == "fnop" && ops.empty()) {
    mn = "or";
    ops = {{"$azero", 0}, {"$azero", 0}, zero_imm};
  } else if (mn == "mov" && ops.size() == 2) {
    auto d = reg_of(ops[0]), s = reg_of(ops[1]);
    if (d && s && !d->arf && s->arf) {
      mn = "atom";
    } else if (d && d->arf && d->count == 2) {
      mn = "or64";
      ops.push_back({"$azeros", ops[1].offset});
    } else if (d && s && d->arf == s->arf) {
      mn = "or";
      ops.push_back({"0", ops[1].offset});
    }
  } else if (mn == "zero" && ops.size() == 1) {
    auto d = reg_of(ops[0]);
    if (d && d->arf && d->count == 2) {
      mn = "or64";
      ops = {ops[0], {"$azeros", ops[0].offset}, {"$azeros", ops[0].offset}};
    } else if (d) {
      mn = "or";
      ops = {ops[0], {d->arf ? "$azero" : "$mzero", ops[0].offset}, {"0", ops[0].offset}};
    }
  } else if (mn == "sub" && ops.size() == 3 && !ops[2].text.empty() && ops[2].text[0] != '$') {
    // sub $d, $s, imm == add $d, $s, -(imm)
    mn = "add";
    ops[2].text = "-(" + ops[2].text + ")";
  } else if (is_load_store(mn) && ops.size() == 3) {
    // ld32 $d, $base, offset: the delta register is $mzero.
    ops.insert(ops.begin() + 2, OperandText{"$mzero", ops[1].offset});
  }
}

} // namespace

std::vector<OperandText> split_operands(const std::string &operands) {
  std::vector<OperandText> out;
  int depth = 0;
  size_t start = 0;
  auto push = [&](size_t end) {
    std::string_view piece(operands.data() + start, end - start);
    size_t lead = 0;
    while (lead < piece.size() && std::isspace(static_cast<unsigned char>(piece[lead]))) ++lead;
    out.push_back({trim(piece), start + lead});
  };
  if (trim(operands).empty()) return out;
  for (size_t i = 0; i < operands.size(); ++i) {
    char ch = operands[i];
    if (ch == '(') ++depth;
    else if (ch == ')') --depth;
    else if (ch == ',' && depth == 0) {
      push(i);
      start = i + 1;
    }
  }
  push(operands.size());
  return out;
}

isa::Instruction parse_instruction(const Item &item, const OperandEvaluator &eval) {
  std::string mn = item.mnemonic;
  for (auto &ch : mn) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::vector<OperandText> ops = split_operands(item.operands);
  for (auto &o : ops) {
    if (!o.text.empty() && o.text[0] == '$') // "$a4: 5" (seen in poplibs headers) is "$a4:5"
      o.text.erase(std::remove_if(o.text.begin(), o.text.end(), [](char ch) { return std::isspace(static_cast<unsigned char>(ch)); }),
                   o.text.end());
  }
  for (const auto &o : ops)
    if (o.text.empty()) throw item.error(item.pos_at(o.offset), "empty operand in '" + item.operands + "'");
  expand_pseudo(mn, ops);
  const auto &forms = isa::forms_for(mn);
  if (forms.empty()) throw item.error(item.pos, "unknown instruction '" + item.mnemonic + "'");

  // The best mismatch is the one that got furthest through the operands; on
  // a tie, one that understood the operand's kind ("does not fit zimm12")
  // beats one that expected another kind ("expected an MRF register").
  auto rank = [](const Mismatch &m) { return 2 * m.operand + (m.why.rfind("expected ", 0) == 0 ? 0 : 1); };
  Mismatch best{0, ""};
  bool have_best = false;
  for (const isa::Form *f : forms) {
    Candidate c = try_form(*f, ops, eval);
    if (c.insn) return *c.insn;
    if (!have_best || rank(c.mismatch) > rank(best)) {
      best = c.mismatch;
      have_best = true;
    }
  }
  std::string expected;
  for (const isa::Form *f : forms) expected += (expected.empty() ? "" : " | ") + std::string(f->operand_text);
  size_t where = best.operand < ops.size() ? ops[best.operand].offset : 0;
  throw item.error(item.pos_at(where), fmt::format("{} in '{} {}'; {} forms: {}", best.why, item.mnemonic,
                                                   item.operands, mn, expected));
}

std::vector<isa::Instruction> expand_ldconst(const Item &item, const OperandEvaluator &eval) {
  std::vector<OperandText> ops = split_operands(item.operands);
  if (ops.size() != 2) throw item.error(item.pos, "ldconst takes a register and a 32-bit constant");
  auto r = isa::parse_register(ops[0].text);
  if (!r || r->count != 1) throw item.error(item.pos_at(ops[0].offset), "ldconst needs an $m or $a register");
  int64_t v = eval(ops[1].text, ops[1].offset);
  if (v < INT32_MIN || v > UINT32_MAX)
    throw item.error(item.pos_at(ops[1].offset), fmt::format("ldconst value {} does not fit 32 bits", v));
  uint32_t value = static_cast<uint32_t>(v);
  isa::Instruction lo, hi;
  lo.op = r->arf ? isa::Op::SETZI_A : isa::Op::SETZI_M;
  lo.v[0] = static_cast<int32_t>(r->index);
  lo.v[1] = static_cast<int32_t>(value & 0xFFFFF);
  if (item.length == 4) {
    if (value >> 20)
      throw item.error(item.pos_at(ops[1].offset), fmt::format("ldconst value 0x{:x} needs two instructions", value));
    return {lo};
  }
  hi.op = r->arf ? isa::Op::OR_AZ12 : isa::Op::OR_Z12;
  hi.v[0] = hi.v[1] = static_cast<int32_t>(r->index);
  hi.v[2] = static_cast<int32_t>(value & 0xFFF00000u);
  return {lo, hi};
}

} // namespace ipusim::assembler
