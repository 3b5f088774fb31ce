// The statement loop of the layout pass: lines come from a stack of frames
// (the file, macro expansions, repeats, and the rest of a line held back
// while a macro it called expands), are split into statements, and go to
// conditionals, labels, macros, directives or instructions.
#include "sim/assembler/gas.hpp"

#include "sim/assembler/data.hpp"
#include "sim/assembler/preprocess.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace ipusim::assembler {
namespace {

constexpr uint64_t max_lines = 20'000'000; // statements processed, expansions included
constexpr size_t max_expansion_lines = 4'000'000;
constexpr int max_macro_depth = 100;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char &c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_conditional(const std::string &d) {
  static const std::set<std::string> names = {".if",   ".ifdef", ".ifndef", ".ifnotdef", ".ifc",   ".ifnc",
                                              ".ifeq", ".ifne",  ".ifge",   ".ifgt",     ".ifle",  ".iflt",
                                              ".ifb",  ".ifnb",  ".ifeqs",  ".ifnes",    ".elseif", ".else",
                                              ".endif"};
  return names.count(d) > 0;
}

// End of the word at `i` (a name, a directive or a numeric label).
size_t word_end(std::string_view t, size_t i, size_t end) {
  while (i < end && is_ident_char(t[i])) ++i;
  return i;
}

// The statement's labels (`a: b: ...`): their ranges, and where the rest
// starts.
size_t skip_labels(std::string_view t, size_t i, size_t end, std::vector<std::pair<size_t, size_t>> *labels) {
  while (true) {
    size_t w = word_end(t, i, end);
    if (w == i) return i;
    size_t c = skip_spaces(t, w);
    if (c < end && t[c] == ':') {
      if (labels) labels->emplace_back(i, w);
      i = skip_spaces(t, c + 1);
      continue;
    }
    return i;
  }
}

std::string position_text(const SourcePos &p) { return p.file + ":" + std::to_string(p.line); }

} // namespace

Gas::Gas(std::string source_name, LayoutOptions options) : options_(std::move(options)) {
  unit_.source = std::move(source_name);
}

AssemblyUnit Gas::run(std::vector<Line> lines) {
  Frame top;
  top.lines = std::move(lines);
  frames_.push_back(std::move(top));
  while (!frames_.empty() && !ended_) {
    Frame &f = frames_.back();
    if (f.next >= f.lines.size()) {
      end_frame();
      continue;
    }
    Line line = f.lines[f.next++]; // a copy: frames_ may grow while it is processed
    if (++lines_processed_ > max_lines)
      fail_at(line.pos, line.note, "too many lines to assemble (a runaway .rept or a recursive macro?)");
    process_line(line);
  }
  finish();
  return std::move(unit_);
}

void Gas::end_frame() {
  Frame f = std::move(frames_.back());
  frames_.pop_back();
  if (f.macro && conds_.size() > f.cond_depth) {
    const Cond &c = conds_[f.cond_depth];
    fail_at(c.pos, c.note, "'" + c.directive + "' without '.endif' in macro '" + f.macro_name + "'");
  }
}

void Gas::process_line(const Line &line) {
  if (rec_.kind != Recording::Kind::none) {
    record_line(line);
    return;
  }
  for (const Piece &p : split_pieces(line.text)) {
    if (process_piece(line, p, p.end) == Flow::stop_line || ended_) return;
    if (rec_.kind != Recording::Kind::none) {
      // A .macro/.rept started: the rest of the line belongs to its body.
      push_remainder(line, p.end);
      return;
    }
  }
}

void Gas::record_line(const Line &line) {
  std::string_view t = line.text;
  for (const Piece &p : split_pieces(t)) {
    size_t i = skip_labels(t, skip_spaces(t, p.begin), p.end, nullptr);
    std::string word = lower(t.substr(i, word_end(t, i, p.end) - i));
    bool ends = false;
    if (rec_.kind == Recording::Kind::macro) {
      if (word == ".macro") ++rec_.depth;
      else if (word == ".endm" || word == ".endmacro") ends = rec_.depth-- == 0;
    } else {
      if (word == ".rept" || word == ".irp" || word == ".irpc") ++rec_.depth;
      else if (word == ".endr") ends = rec_.depth-- == 0;
    }
    if (ends) {
      std::string_view before = t.substr(0, p.begin);
      if (!trim(before).empty()) {
        Line head = line;
        head.text = std::string(before);
        rec_.body.push_back(std::move(head));
      }
      finish_recording();
      push_remainder(line, p.end);
      return;
    }
  }
  rec_.body.push_back(line);
}

void Gas::push_remainder(const Line &line, size_t from) {
  if (from >= line.text.size() || trim(std::string_view(line.text).substr(from)).empty()) return;
  Line rest = line;
  rest.text = line.text.substr(from);
  if (!line.fixed) rest.pos.column = line.pos.column + static_cast<int>(from);
  Frame f;
  f.lines.push_back(std::move(rest));
  frames_.push_back(std::move(f));
}

Gas::Flow Gas::process_piece(const Line &line, const Piece &piece, size_t rest_begin) {
  Stmt s{&line, piece.begin, piece.end};
  if (piece.sep == '{') {
    Flow f = process_statement(s, rest_begin, true);
    if (f == Flow::stop_line) return f;
    if (active()) start_bundle(s, piece.end);
    return Flow::next;
  }
  Flow f = process_statement(s, rest_begin, false);
  if (f == Flow::stop_line) return f;
  if (piece.sep == '}' && active()) close_bundle(s, piece.end);
  return Flow::next;
}

Gas::Flow Gas::process_statement(const Stmt &s, size_t rest_begin, bool before_brace) {
  std::string_view t = s.line->text;
  size_t end = s.end;
  while (end > s.begin && is_space(t[end - 1])) --end;
  size_t i = skip_spaces(t, s.begin);
  if (i >= end) return Flow::next;
  Stmt st{s.line, s.begin, end};

  std::vector<std::pair<size_t, size_t>> labels;
  i = skip_labels(t, i, end, &labels);
  size_t w = word_end(t, i, end);
  std::string word(t.substr(i, w - i));
  std::string directive_name = lower(word);

  if (!word.empty() && word[0] == '.' && is_conditional(directive_name)) {
    bool was_active = active();
    if (was_active) {
      ++seq_;
      for (auto &[b, e] : labels) define_label(st, b, std::string(t.substr(b, e - b)));
    }
    handle_conditional(st, directive_name, w);
    if (before_brace && was_active) fail(st, end, "expected '{' at the start of a statement");
    return Flow::next;
  }
  if (!active()) return Flow::next;
  ++seq_;
  for (auto &[b, e] : labels) define_label(st, b, std::string(t.substr(b, e - b)));
  if (i >= end) return Flow::next;
  if (before_brace) fail(st, i, "expected '{' at the start of a statement, after '" + std::string(t.substr(i, end - i)) + "'");
  if (word.empty())
    fail(st, i, "expected an instruction, directive or label, found '" + std::string(1, t[i]) + "'",
         t.substr(i, 1));
  if (w < end && t[w] == '\\')
    fail(st, w, "unexpected '\\' after '" + word + "' (a macro parameter or '\\@' outside a macro?)", word);

  // name = expression
  size_t c = skip_spaces(t, w);
  if (c < end && t[c] == '=' && (c + 1 >= end || t[c + 1] != '=')) {
    if (in_bundle_) fail(st, i, "an assignment is not allowed inside a bundle");
    assign(st, i, word, c + 1, false);
    return Flow::next;
  }

  auto macro = macros_.find(word);
  if (macro != macros_.end()) {
    // The rest of the line runs after the expansion, so push it first.
    push_remainder(*s.line, rest_begin);
    expand_macro(st, macro->second, i, w);
    return Flow::stop_line;
  }
  if (word[0] == '.') {
    if (in_bundle_) fail(st, i, "directive '" + word + "' is not allowed inside a bundle", word);
    return directive(st, directive_name, i, w);
  }
  if (is_digit(word[0]) || word[0] == '$')
    fail(st, i, "expected an instruction, directive or label, found '" + word + "'", word);
  instruction(st, i, w);
  return Flow::next;
}

void Gas::start_bundle(const Stmt &s, size_t at) {
  if (in_bundle_) fail(s, at, "'{' inside a bundle (bundles do not nest)", "{");
  in_bundle_ = true;
  bundle_pos_ = pos_at(s, at, "{");
  bundle_note_ = s.line->note;
  bundle_.clear();
}

void Gas::close_bundle(const Stmt &s, size_t at) {
  if (!in_bundle_) fail(s, at, "'}' without '{'", "}");
  in_bundle_ = false;
  if (bundle_.size() != 2)
    fail_at(bundle_pos_, bundle_note_,
            "a bundle must contain exactly 2 instructions, found " + std::to_string(bundle_.size()));
  bundle_[0].bundle_first = true;
  bundle_[1].bundle_second = true;
  Section &sec = section();
  sec.alignment = std::max<uint32_t>(sec.alignment, 8);
  if (options_.pad_bundles && sec.size % 8 == 4) {
    Item nop;
    nop.pos = bundle_pos_;
    nop.note = bundle_note_;
    nop.seq = bundle_[0].seq;
    nop.context = bundle_[0].context;
    nop.mnemonic = "nop";
    nop.padding = true;
    emit_instruction(std::move(nop));
    ++unit_.bundle_padding_nops;
  }
  for (auto &item : bundle_) emit_instruction(std::move(item));
  bundle_.clear();
}

void Gas::handle_conditional(const Stmt &s, const std::string &d, size_t args_begin) {
  std::string_view t = s.line->text;
  size_t a = skip_spaces(t, args_begin);
  std::string_view args = t.substr(a, s.end - a);
  size_t floor = 0;
  for (size_t k = frames_.size(); k-- > 0;) {
    if (frames_[k].macro) {
      floor = frames_[k].cond_depth;
      break;
    }
  }
  size_t d_at = args_begin - d.size();

  // The truth of an .if-family condition (only evaluated when it matters).
  auto evaluate_if = [&](const std::string &kind) -> bool {
    if (kind == ".if" || kind == ".elseif" || kind == ".ifeq" || kind == ".ifne" || kind == ".ifge" ||
        kind == ".ifgt" || kind == ".ifle" || kind == ".iflt") {
      int64_t v = absolute(s, a, s.end, "'" + kind + "' condition");
      if (kind == ".ifeq") return v == 0;
      if (kind == ".ifge") return v >= 0;
      if (kind == ".ifgt") return v > 0;
      if (kind == ".ifle") return v <= 0;
      if (kind == ".iflt") return v < 0;
      return v != 0;
    }
    if (kind == ".ifdef" || kind == ".ifndef" || kind == ".ifnotdef") {
      std::string name(trim(args));
      if (name.empty() || !is_ident_start(name[0]) ||
          word_end(name, 0, name.size()) != name.size())
        fail(s, a, "expected a symbol name after '" + kind + "'");
      auto it = unit_.symbols.find(name);
      bool defined = it != unit_.symbols.end() && it->second.defined;
      return kind == ".ifdef" ? defined : !defined;
    }
    if (kind == ".ifb" || kind == ".ifnb") return trim(args).empty() == (kind == ".ifb");
    // String comparisons.
    auto parts = split_commas(args);
    if (parts.size() < 2) fail(s, s.end, "expected ',' between the two strings of '" + kind + "'");
    std::string_view first = trim(args.substr(parts[0].first, parts[0].second - parts[0].first));
    std::string_view second = trim(args.substr(parts[1].first));
    if (kind == ".ifeqs" || kind == ".ifnes") {
      std::string strings[2];
      std::string_view raw[2] = {first, second};
      for (int k = 0; k < 2; ++k) {
        size_t bad = 0;
        if (raw[k].size() < 2 || raw[k].front() != '"' || skip_literal(raw[k], 0) != raw[k].size() ||
            raw[k].back() != '"' || !decode_string(raw[k].substr(1, raw[k].size() - 2), strings[k], bad))
          fail(s, a, "expected two strings in double quotes after '" + kind + "'");
      }
      return (strings[0] == strings[1]) == (kind == ".ifeqs");
    }
    auto strip = [](std::string_view x) {
      if (x.size() >= 2 && x.front() == '\'' && x.back() == '\'') return x.substr(1, x.size() - 2);
      return x;
    };
    return (strip(first) == strip(second)) == (kind == ".ifc");
  };

  if (d == ".elseif" || d == ".else" || d == ".endif") {
    if (conds_.size() <= floor) fail(s, d_at, "'" + d + "' without '.if'", d);
    Cond &c = conds_.back();
    if (d == ".endif") {
      if (!trim(args).empty()) fail(s, a, "unexpected '" + std::string(trim(args)) + "' after '.endif'");
      conds_.pop_back();
      return;
    }
    if (c.seen_else) fail(s, d_at, "'" + d + "' after '.else'", d);
    if (d == ".else") {
      c.seen_else = true;
      c.active = c.parent_active && !c.taken;
      c.taken = true;
      return;
    }
    if (c.parent_active && !c.taken) {
      c.active = evaluate_if(".elseif");
      c.taken = c.active;
    } else {
      c.active = false;
    }
    return;
  }
  Cond c;
  c.pos = pos_at(s, d_at, d);
  c.note = s.line->note;
  c.directive = d;
  c.parent_active = active();
  if (c.parent_active) {
    c.active = evaluate_if(d);
    c.taken = c.active;
  } else {
    c.active = false;
    c.taken = true;
  }
  conds_.push_back(std::move(c));
  return;
}

void Gas::expand_macro(const Stmt &s, const Macro &macro, size_t name_at, size_t args_begin) {
  int depth = 0;
  for (const auto &f : frames_) depth += f.macro ? 1 : 0;
  if (depth >= max_macro_depth)
    fail(s, name_at, "macros nested more than " + std::to_string(max_macro_depth) + " deep (is '" + macro.name +
                         "' recursive?)", macro.name);
  std::string_view args = std::string_view(s.line->text).substr(args_begin, s.end - args_begin);
  std::vector<std::string> values;
  try {
    values = bind_macro_args(macro, args);
  } catch (const MacroSyntaxError &e) {
    fail(s, std::min(args_begin + e.offset, s.end), e.message);
  }
  SourcePos site = pos_at(s, name_at, macro.name);
  std::string outer = s.line->note;
  size_t nesting = 0;
  for (size_t at = outer.find("in expansion of"); at != std::string::npos; at = outer.find("in expansion of", at + 1))
    ++nesting;
  Frame f;
  f.macro = true;
  f.macro_name = macro.name;
  f.cond_depth = conds_.size();
  long counter = macro_counter_++;
  for (const Line &b : macro.body) {
    Line l;
    l.text = substitute_macro_line(b.text, macro.params, values, counter);
    l.pos = site;
    l.fixed = true;
    l.note = "in expansion of macro '" + macro.name + "' at " + position_text(b.pos);
    if (!outer.empty() && nesting < 3) l.note += ", " + outer;
    f.lines.push_back(std::move(l));
  }
  charge_expansion(f, site, outer);
  frames_.push_back(std::move(f));
}

void Gas::charge_expansion(const Frame &f, const SourcePos &pos, const std::string &note) {
  // Macros and .rept can grow text exponentially (a macro that doubles its
  // argument at each level); stop with an error long before memory runs out.
  for (const Line &l : f.lines) expanded_bytes_ += l.text.size() + 1;
  if (expanded_bytes_ > kMaxExpandedBytes)
    fail_at(pos, note,
            "macro and .rept expansion exceeds " + std::to_string(kMaxExpandedBytes >> 20) +
                " MiB of text (runaway recursion?)");
}

void Gas::finish_recording() {
  Recording r = std::move(rec_);
  rec_ = Recording{};
  if (r.kind == Recording::Kind::macro) {
    auto old = macros_.find(r.macro.name);
    if (old != macros_.end())
      fail_at(r.pos, r.note,
              "macro '" + r.macro.name + "' is already defined at " + position_text(old->second.pos));
    r.macro.body = std::move(r.body);
    r.macro.pos = r.pos;
    macros_.emplace(r.macro.name, std::move(r.macro));
    return;
  }
  Frame f;
  auto add_copy = [&](const std::vector<std::string> *params_value, const std::string &param) {
    if (f.lines.size() + r.body.size() > max_expansion_lines)
      fail_at(r.pos, r.note, "'" + r.directive + "' expands to more than " + std::to_string(max_expansion_lines) + " lines");
    for (const Line &b : r.body) {
      Line l = b;
      if (params_value) {
        std::vector<MacroParam> params(1);
        params[0].name = param;
        l.text = substitute_macro_line(b.text, params, *params_value, -1);
      }
      f.lines.push_back(std::move(l));
    }
  };
  if (r.directive == ".rept") {
    for (long k = 0; k < r.count; ++k) add_copy(nullptr, "");
  } else {
    std::vector<std::string> values = r.values;
    if (values.empty()) values.push_back("");
    for (const auto &v : values) {
      std::vector<std::string> one{v};
      add_copy(&one, r.param);
    }
  }
  if (!f.lines.empty()) {
    charge_expansion(f, r.pos, r.note);
    frames_.push_back(std::move(f));
  }
}

void Gas::exit_macro(const Stmt &s) {
  size_t k = frames_.size();
  while (k > 0 && !frames_[k - 1].macro) --k;
  if (k == 0) fail(s, skip_spaces(s.line->text, s.begin), "'.exitm' outside a macro");
  size_t depth = frames_[k - 1].cond_depth;
  frames_.resize(k - 1);
  if (conds_.size() > depth) conds_.resize(depth);
}

void Gas::finish() {
  if (rec_.kind != Recording::Kind::none)
    fail_at(rec_.pos, rec_.note,
            "'" + rec_.directive + "' without '" + (rec_.kind == Recording::Kind::macro ? ".endm" : ".endr") + "'");
  if (!conds_.empty()) {
    const Cond &c = conds_.back();
    fail_at(c.pos, c.note, "'" + c.directive + "' without '.endif'");
  }
  if (in_bundle_) fail_at(bundle_pos_, bundle_note_, "'{' without '}': unterminated bundle");

  // Equates that referred to symbols defined later.
  auto context_of = [&](const auto &p) {
    EvalContext ctx;
    ctx.unit = &unit_;
    ctx.section = p.section;
    ctx.dot = p.dot;
    ctx.seq = p.seq;
    ctx.pos = p.pos;
    ctx.track_columns = p.track_columns;
    ctx.note = p.note;
    return ctx;
  };
  bool progress = true;
  while (!pending_equates_.empty() && progress) {
    progress = false;
    for (size_t k = 0; k < pending_equates_.size();) {
      const PendingEquate &p = pending_equates_[k];
      PartialValue v = evaluate_partial(p.expr, context_of(p));
      if (!v.known) {
        ++k;
        continue;
      }
      if (!v.value.external.empty())
        fail_at(p.pos, p.note, "the value of '" + p.name + "' refers to external symbol '" + v.value.external + "'");
      Symbol &sym = unit_.symbols[p.name];
      sym.defs.push_back(SymbolDef{p.seq, v.value.section, v.value.offset, p.pos});
      std::stable_sort(sym.defs.begin(), sym.defs.end(),
                       [](const SymbolDef &x, const SymbolDef &y) { return x.seq < y.seq; });
      sym.defined = true;
      sym.section = sym.defs.back().section;
      sym.value = sym.defs.back().value;
      pending_equates_.erase(pending_equates_.begin() + static_cast<long>(k));
      progress = true;
    }
  }
  if (!pending_equates_.empty()) {
    const PendingEquate &p = pending_equates_.front();
    PartialValue v = evaluate_partial(p.expr, context_of(p));
    fail_at(v.unknown_pos.line ? v.unknown_pos : p.pos, p.note,
            "undefined symbol '" + v.unknown_symbol + "' in the value of '" + p.name + "'");
  }
  for (const PendingSize &p : pending_sizes_) {
    // The size of a symbol that is never defined is never used; clang's
    // assembler ignores it, and poplibs has a few such leftovers.
    auto it = unit_.symbols.find(p.name);
    if (it == unit_.symbols.end() || !it->second.defined) {
      SourcePos at = p.pos;
      unit_.warnings.push_back(at.str() + ": warning: '.size' of '" + p.name + "', which is never defined, is ignored" +
                               (p.note.empty() ? "" : " (" + p.note + ")"));
      continue;
    }
    Value v = evaluate(p.expr, context_of(p));
    if (!v.absolute() || v.offset < 0 || v.offset > UINT32_MAX)
      fail_at(p.pos, p.note, "the size of '" + p.name + "' must be a constant between 0 and 2^32-1");
    Symbol &sym = unit_.symbols[p.name];
    sym.has_size = true;
    sym.size = static_cast<uint32_t>(v.offset);
  }
  for (const LocalRef &r : forward_refs_) {
    auto it = unit_.symbols.find(r.internal);
    if (it == unit_.symbols.end() || !it->second.defined)
      fail_at(r.pos, r.note, "undefined local label '" + r.shown + "' (no '" + r.shown.substr(0, r.shown.size() - 1) +
                                 ":' follows)");
  }
  // Data whose value became a constant once everything was laid out (a
  // forward difference such as `.word end - start`) is written now; only
  // addresses and external references stay fixups.
  for (size_t k = 0; k < unit_.sections.size(); ++k) {
    for (Item &item : unit_.sections[k].items) {
      std::vector<Fixup> keep;
      for (const Fixup &fx : item.fixups) {
        Value v = evaluate(fx.expression, EvalContext::for_fixup(unit_, static_cast<int>(k), item, fx));
        if (!v.absolute()) {
          keep.push_back(fx);
          continue;
        }
        if (!fits_in(v.offset, fx.size))
          fail_at(fx.pos, item.note, "value " + std::to_string(v.offset) + " does not fit in " +
                                         std::to_string(fx.size) + (fx.size == 1 ? " byte" : " bytes"));
        for (uint32_t b = 0; b < fx.size; ++b)
          item.bytes[fx.offset + b] = static_cast<uint8_t>(static_cast<uint64_t>(v.offset) >> (8 * b));
      }
      item.fixups = std::move(keep);
    }
  }
}

// ---- helpers ----

int Gas::current_section() {
  if (current_ < 0) switch_section(".text", "ax", "");
  return current_;
}

void Gas::grow(Section &sec, uint32_t bytes, const Stmt &s, size_t at) {
  constexpr uint32_t limit = 16u << 20;
  if (bytes > limit || sec.size > limit - bytes)
    fail(s, at, "section '" + sec.name + "' would grow beyond 16 MiB");
  sec.size += bytes;
}

Symbol &Gas::symbol(const std::string &name) {
  Symbol &sym = unit_.symbols[name];
  if (sym.name.empty()) sym.name = name;
  return sym;
}

SourcePos Gas::pos_at(const Stmt &s, size_t at, std::string_view token) {
  const Line &line = *s.line;
  if (line.fixed) return line.pos;
  std::string_view t = line.text;
  if (token.empty() && at < t.size()) {
    size_t e = at;
    while (e < t.size() && is_ident_char(t[e])) ++e;
    token = e > at ? t.substr(at, e - at) : t.substr(at, 1);
  }
  SourcePos p = line.pos;
  int estimate = line.pos.column + static_cast<int>(at);
  p.column = columns_.column(line.pos, token, estimate);
  return p;
}

void Gas::fail(const Stmt &s, size_t at, const std::string &message, std::string_view token) {
  fail_at(pos_at(s, at, token), s.line->note, message);
}

void Gas::fail_at(const SourcePos &pos, const std::string &note, const std::string &message) {
  throw InputError(pos, note.empty() ? message : message + " (" + note + ")");
}

EvalContext Gas::eval_context(const Stmt &s, size_t at) {
  EvalContext ctx;
  ctx.unit = &unit_;
  ctx.section = current_;
  ctx.dot = current_ >= 0 ? unit_.sections[static_cast<size_t>(current_)].size : 0;
  ctx.seq = seq_;
  ctx.pos = pos_at(s, at);
  ctx.track_columns = !s.line->fixed;
  ctx.note = s.line->note;
  return ctx;
}

int64_t Gas::absolute(const Stmt &s, size_t begin, size_t end, const std::string &what) {
  std::string_view t = s.line->text;
  begin = skip_spaces(t, begin);
  while (end > begin && is_space(t[end - 1])) --end;
  if (begin >= end) fail(s, begin, "expected an expression for the " + what);
  std::string expr = rewrite_local_refs(s, begin, end);
  PartialValue v = evaluate_partial(expr, eval_context(s, begin));
  if (!v.known)
    fail_at(v.unknown_pos, s.line->note,
            "symbol '" + v.unknown_symbol + "' is not defined before the " + what + " (it needs a value now)");
  if (!v.value.absolute()) fail(s, begin, "the " + what + " must be a constant, not an address");
  return v.value.offset;
}

std::string Gas::rewrite_local_refs(const Stmt &s, size_t begin, size_t end) {
  std::string_view t = s.line->text;
  std::string out;
  size_t i = begin;
  while (i < end) {
    char c = t[i];
    if (c == '"' || c == '\'') {
      size_t e = std::min(skip_literal(t, i), end);
      out.append(t.substr(i, e - i));
      i = e;
      continue;
    }
    if (is_digit(c) && (i == begin || !is_ident_char(t[i - 1]))) {
      size_t j = i;
      while (j < end && (std::isalnum(static_cast<unsigned char>(t[j])) || t[j] == '_')) ++j;
      std::string_view tok = t.substr(i, j - i);
      char last = tok.back();
      bool digits = tok.size() >= 2 && tok.size() <= 10;
      for (size_t k = 0; digits && k + 1 < tok.size(); ++k) digits = is_digit(tok[k]);
      if (digits && (last == 'f' || last == 'b') && (j >= end || !is_ident_char(t[j]))) {
        std::string n = std::to_string(std::stoull(std::string(tok.substr(0, tok.size() - 1))));
        long count = local_counts_.count(n) ? local_counts_[n] : 0;
        if (last == 'b') {
          if (count == 0) fail(s, i, "backward reference '" + std::string(tok) + "' to a local label '" + n + ":' that is not defined yet");
          out += ".L." + n + "." + std::to_string(count);
        } else {
          std::string internal = ".L." + n + "." + std::to_string(count + 1);
          unit_.local_label_names[internal] = n + "f";
          forward_refs_.push_back(LocalRef{internal, n + "f", pos_at(s, i, tok), s.line->note});
          out += internal;
        }
        i = j;
        continue;
      }
      out.append(tok);
      i = j;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

// ---- entry points ----

AssemblyUnit assemble_text(const std::string &text, const std::string &file, const LayoutOptions &layout) {
  Gas gas(file, layout);
  return gas.run(read_lines(text, file));
}

AssemblyUnit assemble_front_end(const FrontEndOptions &options) {
  std::string text;
  std::vector<std::string> warnings;
  if (options.preprocess) {
    PreprocessOptions p;
    p.source = options.source;
    p.include_dirs = options.include_dirs;
    p.defines = options.defines;
    p.cpp = options.cpp;
    PreprocessResult r = preprocess(p);
    text = std::move(r.text);
    warnings = std::move(r.warnings);
  } else {
    std::ifstream in(options.source, std::ios::binary);
    if (!in) throw InputError(SourceLocation{options.source, 0, 0}, "cannot read the assembly source");
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  AssemblyUnit unit = assemble_text(text, options.source, options.layout);
  unit.warnings.insert(unit.warnings.begin(), warnings.begin(), warnings.end());
  return unit;
}

} // namespace ipusim::assembler
