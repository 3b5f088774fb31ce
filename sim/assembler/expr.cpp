#include "sim/assembler/expr.hpp"

#include "sim/assembler/lexer.hpp"

#include <vector>

namespace ipusim::assembler {
namespace {

constexpr int max_depth = 200;

// A value during evaluation; `known` is false when a symbol is not yet
// defined (layout-time evaluation only).
struct V {
  bool known = true;
  Value v;
};

int64_t wrap_add(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); }
int64_t wrap_sub(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b)); }
int64_t wrap_mul(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b)); }

class Parser {
public:
  Parser(std::string_view text, const EvalContext &ctx, bool partial)
      : text_(text), tokens_(tokenize(text)), ctx_(ctx), partial_(partial) {}

  PartialValue run() {
    if (tokens_.front().kind == TokKind::end) fail(0, "expected an expression");
    V result = ternary();
    if (peek().kind != TokKind::end) fail(peek().offset, "unexpected '" + std::string(peek().text) + "' after the expression");
    PartialValue out;
    out.known = result.known;
    out.value = result.v;
    out.unknown_symbol = unknown_symbol_;
    out.unknown_pos = unknown_pos_;
    return out;
  }

private:
  std::string_view text_;
  std::vector<Token> tokens_;
  const EvalContext &ctx_;
  bool partial_;
  size_t next_ = 0;
  int depth_ = 0;
  std::string unknown_symbol_;
  SourcePos unknown_pos_;

  const Token &peek() const { return tokens_[next_]; }
  bool is_op(const char *op) const { return peek().kind == TokKind::op && peek().text == op; }

  SourcePos pos_of(size_t offset) const {
    SourcePos p = ctx_.pos;
    if (ctx_.track_columns && p.column > 0) p.column += static_cast<int>(offset);
    return p;
  }

  [[noreturn]] void fail(size_t offset, const std::string &message) const {
    std::string m = message;
    if (!ctx_.note.empty()) m += " (" + ctx_.note + ")";
    throw InputError(pos_of(offset), m);
  }

  std::string describe(const Token &t) const {
    if (t.kind == TokKind::end) return "the end of the expression";
    return "'" + std::string(t.text) + "'";
  }

  struct DepthGuard {
    Parser &p;
    explicit DepthGuard(Parser &parser, size_t offset) : p(parser) {
      if (++p.depth_ > max_depth) p.fail(offset, "expression nested too deeply");
    }
    ~DepthGuard() { --p.depth_; }
  };

  V ternary() {
    DepthGuard guard(*this, peek().offset);
    V cond = binary(0);
    if (!is_op("?")) return cond;
    size_t at = peek().offset;
    ++next_;
    V a = ternary();
    if (!is_op(":")) fail(peek().offset, "expected ':' in '?:', found " + describe(peek()));
    ++next_;
    V b = ternary();
    if (!cond.known) return V{false, {}};
    if (!cond.v.absolute()) fail(at, "the condition of '?:' is not an absolute value");
    return cond.v.offset != 0 ? a : b;
  }

  static int level_of(std::string_view op) {
    if (op == "||") return 0;
    if (op == "&&") return 1;
    if (op == "==" || op == "!=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=") return 2;
    if (op == "+" || op == "-") return 3;
    if (op == "|" || op == "&" || op == "^" || op == "!") return 4;
    if (op == "*" || op == "/" || op == "%" || op == "<<" || op == ">>") return 5;
    return -1;
  }

  V binary(int level) {
    if (level > 5) return unary();
    V lhs = binary(level + 1);
    while (peek().kind == TokKind::op && level_of(peek().text) == level) {
      Token op = peek();
      ++next_;
      V rhs = binary(level + 1);
      lhs = apply(op, lhs, rhs);
    }
    return lhs;
  }

  V unary() {
    DepthGuard guard(*this, peek().offset);
    const Token &t = peek();
    if (t.kind == TokKind::op && (t.text == "-" || t.text == "+" || t.text == "~" || t.text == "!")) {
      Token op = t;
      ++next_;
      V x = unary();
      if (!x.known) return x;
      if (op.text == "+") return x;
      if (!x.v.absolute()) fail(op.offset, "operand of unary '" + std::string(op.text) + "' is not an absolute value");
      int64_t v = x.v.offset;
      if (op.text == "-") v = wrap_sub(0, v);
      else if (op.text == "~") v = ~v;
      else v = v == 0;
      return V{true, Value{-1, v, {}}};
    }
    return primary();
  }

  V primary() {
    const Token t = peek();
    switch (t.kind) {
    case TokKind::number:
      ++next_;
      return V{true, Value{-1, number(t), {}}};
    case TokKind::character:
      ++next_;
      return V{true, Value{-1, character(t), {}}};
    case TokKind::identifier:
      ++next_;
      return symbol(t);
    case TokKind::op:
      if (t.text == "(") {
        ++next_;
        V x = ternary();
        if (!is_op(")")) fail(peek().offset, "expected ')' to match the '(' at column " +
                                                 std::to_string(pos_of(t.offset).column) + ", found " + describe(peek()));
        ++next_;
        return x;
      }
      break;
    default:
      break;
    }
    fail(t.offset, "expected a number, symbol or '(', found " + describe(t));
  }

  int64_t number(const Token &t) const {
    std::string_view s = t.text;
    uint64_t v = 0;
    unsigned base = 10;
    size_t i = 0;
    if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      base = 16;
      i = 2;
    } else if (s.size() > 1 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
      base = 2;
      i = 2;
    } else if (s.size() > 1 && s[0] == '0') {
      base = 8;
      i = 1;
    }
    bool local_ref = s.size() >= 2 && (s.back() == 'f' || s.back() == 'b');
    for (size_t k = 0; k + 1 < s.size() && local_ref; ++k) local_ref = is_digit(s[k]);
    if (local_ref) fail(t.offset, "local label reference '" + std::string(s) + "' cannot be resolved here");
    if (i == s.size()) fail(t.offset, "invalid number '" + std::string(s) + "'");
    for (; i < s.size(); ++i) {
      char c = s[i];
      unsigned d;
      if (is_digit(c)) d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
      else d = 99;
      if (d >= base) fail(t.offset, "invalid number '" + std::string(s) + "'");
      if (v > (UINT64_MAX - d) / base) fail(t.offset, "number '" + std::string(s) + "' does not fit in 64 bits");
      v = v * base + d;
    }
    return static_cast<int64_t>(v);
  }

  int64_t character(const Token &t) const {
    std::string_view s = t.text; // 'c' or 'c
    std::string_view body = s.substr(1);
    if (!body.empty() && body.back() == '\'' && body.size() > 1) body.remove_suffix(1);
    std::string out;
    size_t bad = 0;
    if (body.empty() || !decode_string(body, out, bad) || out.size() != 1)
      fail(t.offset, "invalid character literal " + std::string(s));
    return static_cast<unsigned char>(out[0]);
  }

  V symbol(const Token &t) {
    std::string name(t.text);
    if (name == ".") {
      if (ctx_.section < 0) return V{true, Value{-1, ctx_.dot, {}}};
      return V{true, Value{ctx_.section, ctx_.dot, {}}};
    }
    const Symbol *sym = nullptr;
    if (ctx_.unit) {
      auto it = ctx_.unit->symbols.find(name);
      if (it != ctx_.unit->symbols.end()) sym = &it->second;
    }
    if (sym && sym->defined) {
      const SymbolDef *def = definition_at(*sym, ctx_.seq);
      return V{true, Value{def->section, def->value, {}}};
    }
    std::string shown = name;
    bool local = false;
    if (ctx_.unit) {
      auto it = ctx_.unit->local_label_names.find(name);
      if (it != ctx_.unit->local_label_names.end()) {
        shown = it->second;
        local = true;
      }
    }
    if (partial_) {
      if (unknown_symbol_.empty()) {
        unknown_symbol_ = shown;
        unknown_pos_ = pos_of(t.offset);
      }
      return V{false, {}};
    }
    if (!local && (ctx_.undefined_is_external || (sym && (sym->external || sym->global || sym->weak))))
      return V{true, Value{-1, 0, name}};
    if (local) fail(t.offset, "undefined local label '" + shown + "'");
    fail(t.offset, "undefined symbol '" + shown + "'");
  }

  [[noreturn]] void not_absolute(const Token &op) const {
    fail(op.offset, "operands of '" + std::string(op.text) + "' must be absolute values (not addresses)");
  }

  V apply(const Token &op, const V &a, const V &b) {
    if (!a.known || !b.known) return V{false, {}};
    const Value &x = a.v, &y = b.v;
    std::string_view o = op.text;
    if (o == "+") {
      if (x.absolute() && y.absolute()) return abs(wrap_add(x.offset, y.offset));
      if (y.absolute()) return V{true, Value{x.section, wrap_add(x.offset, y.offset), x.external}};
      if (x.absolute()) return V{true, Value{y.section, wrap_add(x.offset, y.offset), y.external}};
      fail(op.offset, "cannot add two addresses");
    }
    if (o == "-") {
      if (y.absolute()) return V{true, Value{x.section, wrap_sub(x.offset, y.offset), x.external}};
      if (x.section >= 0 && x.section == y.section) return abs(wrap_sub(x.offset, y.offset));
      if (!x.external.empty() && x.external == y.external) return abs(wrap_sub(x.offset, y.offset));
      if (x.absolute()) fail(op.offset, "cannot subtract an address from a constant");
      fail(op.offset, "cannot subtract addresses in different sections");
    }
    if (level_of(o) == 2) {
      bool comparable = (x.absolute() && y.absolute()) || (x.section >= 0 && x.section == y.section);
      if (!comparable) fail(op.offset, "cannot compare addresses in different sections");
      int64_t l = x.offset, r = y.offset;
      bool res = o == "==" ? l == r : (o == "!=" || o == "<>") ? l != r : o == "<" ? l < r : o == "<=" ? l <= r
                                                                   : o == ">" ? l > r : l >= r;
      return abs(res ? 1 : 0);
    }
    if (!x.absolute() || !y.absolute()) not_absolute(op);
    int64_t l = x.offset, r = y.offset;
    if (o == "*") return abs(wrap_mul(l, r));
    if (o == "/" || o == "%") {
      if (r == 0) fail(op.offset, "division by zero");
      if (l == INT64_MIN && r == -1) return abs(o == "/" ? INT64_MIN : 0);
      return abs(o == "/" ? l / r : l % r);
    }
    if (o == "<<") return abs(r < 0 || r >= 64 ? 0 : static_cast<int64_t>(static_cast<uint64_t>(l) << r));
    if (o == ">>") return abs(r < 0 || r >= 64 ? (l < 0 ? -1 : 0) : (l >> r));
    if (o == "&") return abs(l & r);
    if (o == "|") return abs(l | r);
    if (o == "^") return abs(l ^ r);
    if (o == "!") return abs(l | ~r);
    if (o == "&&") return abs(l != 0 && r != 0);
    if (o == "||") return abs(l != 0 || r != 0);
    fail(op.offset, "unknown operator '" + std::string(o) + "'");
  }

  static V abs(int64_t v) { return V{true, Value{-1, v, {}}}; }
};

} // namespace

const SymbolDef *definition_at(const Symbol &symbol, uint32_t seq) {
  if (symbol.defs.empty()) return nullptr;
  const SymbolDef *best = nullptr;
  for (const auto &d : symbol.defs)
    if (d.seq <= seq) best = &d;
  return best ? best : &symbol.defs.front();
}

EvalContext EvalContext::for_item(const AssemblyUnit &unit, int section, const Item &item, size_t operand_offset) {
  EvalContext c;
  c.unit = &unit;
  c.section = section;
  c.dot = item.offset;
  c.seq = item.seq;
  c.pos = item.pos_at(operand_offset);
  c.track_columns = item.operands_column > 0;
  c.note = item.note;
  return c;
}

EvalContext EvalContext::for_fixup(const AssemblyUnit &unit, int section, const Item &item, const Fixup &fixup) {
  EvalContext c = for_item(unit, section, item);
  c.dot = item.offset + fixup.offset;
  c.pos = fixup.pos;
  c.track_columns = item.note.empty(); // columns are meaningless inside macro expansions
  return c;
}

Value evaluate(std::string_view text, const EvalContext &context) {
  return Parser(text, context, false).run().value;
}

int64_t evaluate_absolute(std::string_view text, const EvalContext &context) {
  Value v = evaluate(text, context);
  if (!v.absolute()) {
    std::string m = "expected an absolute value, but '" + std::string(trim(text)) + "' is an address";
    if (!context.note.empty()) m += " (" + context.note + ")";
    throw InputError(context.pos, m);
  }
  return v.offset;
}

PartialValue evaluate_partial(std::string_view text, const EvalContext &context) {
  return Parser(text, context, true).run();
}

} // namespace ipusim::assembler
