// Directives, labels, assignments and instructions of the layout pass.
#include "sim/assembler/data.hpp"
#include "sim/assembler/gas.hpp"

#include <algorithm>
#include <tuple>

namespace ipusim::assembler {
namespace {

bool is_name(std::string_view s) {
  if (s.empty() || !is_ident_start(s[0])) return false;
  for (char c : s)
    if (!is_ident_char(c)) return false;
  return true;
}

// The trimmed [begin, end) range of s[b, e).
std::pair<size_t, size_t> trimmed(std::string_view s, size_t b, size_t e) {
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return {b, e};
}

} // namespace

Gas::Flow Gas::directive(const Stmt &s, const std::string &d, size_t name_at, size_t args_begin) {
  std::string_view t = s.line->text;
  auto [a, e] = trimmed(t, args_begin, s.end);
  std::string_view args = t.substr(a, e - a);
  auto no_args = [&]() {
    if (!args.empty()) fail(s, a, "unexpected '" + std::string(args) + "' after '" + d + "'");
  };

  // Sections and modes.
  if (d == ".section") return section_directive(s, a, false), Flow::next;
  if (d == ".pushsection") return section_directive(s, a, true), Flow::next;
  if (d == ".popsection") {
    no_args();
    if (section_stack_.empty()) fail(s, name_at, "'.popsection' without '.pushsection'");
    previous_ = current_;
    current_ = section_stack_.back();
    section_stack_.pop_back();
    return Flow::next;
  }
  if (d == ".previous") {
    no_args();
    if (previous_ < 0) fail(s, name_at, "'.previous' without an earlier section");
    std::swap(current_, previous_);
    return Flow::next;
  }
  if (d == ".text" || d == ".data" || d == ".bss") {
    no_args();
    switch_section(d, d == ".text" ? "ax" : "aw", d == ".bss" ? "@nobits" : "");
    return Flow::next;
  }
  if (d == ".worker" || d == ".supervisor") {
    no_args();
    mode_ = d == ".worker" ? ContextKind::worker : ContextKind::supervisor;
    return Flow::next;
  }

  // Symbols.
  if (d == ".globl" || d == ".global" || d == ".extern" || d == ".weak" || d == ".hidden" || d == ".internal" ||
      d == ".protected" || d == ".local")
    return symbol_list_directive(s, a, d), Flow::next;
  if (d == ".type") return type_directive(s, a), Flow::next;
  if (d == ".size") return size_directive(s, a), Flow::next;
  if (d == ".set" || d == ".equ" || d == ".equiv") {
    auto parts = split_commas(args);
    auto [nb, ne] = trimmed(t, a, a + parts[0].second);
    if (parts.size() < 2) fail(s, e, "expected ',' and a value after the symbol name in '" + d + "'");
    assign(s, nb, std::string(t.substr(nb, ne - nb)), a + parts[0].second + 1, d == ".equiv");
    return Flow::next;
  }

  // Layout and data.
  if (d == ".align" || d == ".balign") return align_directive(s, a, 0), Flow::next;
  if (d == ".p2align") return align_directive(s, a, 1), Flow::next;
  if (d == ".byte") return data_directive(s, a, 1), Flow::next;
  if (d == ".short" || d == ".hword" || d == ".2byte") return data_directive(s, a, 2), Flow::next;
  if (d == ".word" || d == ".int" || d == ".long" || d == ".4byte") return data_directive(s, a, 4), Flow::next;
  if (d == ".quad" || d == ".8byte") return data_directive(s, a, 8), Flow::next;
  if (d == ".float" || d == ".single") return float_directive(s, a, 4), Flow::next;
  if (d == ".double") return float_directive(s, a, 8), Flow::next;
  if (d == ".ascii") return string_directive(s, a, false), Flow::next;
  if (d == ".asciz" || d == ".string") return string_directive(s, a, true), Flow::next;
  if (d == ".space" || d == ".skip" || d == ".zero") return space_directive(s, a, false), Flow::next;
  if (d == ".fill") return space_directive(s, a, true), Flow::next;

  // Macros and repeats.
  if (d == ".macro") {
    Macro m;
    try {
      m = parse_macro_header(args);
    } catch (const MacroSyntaxError &err) {
      fail(s, a + err.offset, err.message);
    }
    rec_ = Recording{};
    rec_.kind = Recording::Kind::macro;
    rec_.directive = d;
    rec_.macro = std::move(m);
    rec_.pos = pos_at(s, name_at, d);
    rec_.note = s.line->note;
    return Flow::next;
  }
  if (d == ".endm" || d == ".endmacro") fail(s, name_at, "'" + d + "' without '.macro'", d);
  if (d == ".endr") fail(s, name_at, "'.endr' without '.rept', '.irp' or '.irpc'", d);
  if (d == ".exitm") {
    no_args();
    exit_macro(s);
    return Flow::stop_line;
  }
  if (d == ".purgem") {
    std::string name(args);
    if (!macros_.erase(name)) fail(s, a, "'.purgem' of undefined macro '" + name + "'");
    return Flow::next;
  }
  if (d == ".rept") {
    int64_t n = absolute(s, a, e, "'.rept' count");
    if (n < 0 || n > 10'000'000) fail(s, a, "'.rept' count " + std::to_string(n) + " is out of range");
    rec_ = Recording{};
    rec_.kind = Recording::Kind::rept;
    rec_.directive = d;
    rec_.count = static_cast<long>(n);
    rec_.pos = pos_at(s, name_at, d);
    rec_.note = s.line->note;
    return Flow::next;
  }
  if (d == ".irp" || d == ".irpc") {
    size_t p = 0;
    while (p < args.size() && is_ident_char(args[p])) ++p;
    if (p == 0) fail(s, a, "expected a parameter name after '" + d + "'");
    rec_ = Recording{};
    rec_.kind = Recording::Kind::rept;
    rec_.directive = d;
    rec_.param = std::string(args.substr(0, p));
    size_t v = skip_spaces(args, p);
    if (v < args.size() && args[v] == ',') v = skip_spaces(args, v + 1);
    std::string_view rest = args.substr(std::min(v, args.size()));
    if (d == ".irpc") {
      for (char c : unquote_arg(trim(rest))) rec_.values.push_back(std::string(1, c));
    } else {
      size_t k = 0;
      while (k < rest.size()) {
        size_t end = scan_macro_arg(rest, k);
        rec_.values.push_back(unquote_arg(trim(rest.substr(k, end - k))));
        k = skip_spaces(rest, end);
        if (k < rest.size() && rest[k] == ',') k = skip_spaces(rest, k + 1);
      }
    }
    rec_.pos = pos_at(s, name_at, d);
    rec_.note = s.line->note;
    return Flow::next;
  }

  // Diagnostics.
  auto message_of = [&](const char *fallback) {
    if (args.empty()) return std::string(fallback);
    if (args.front() == '"' && skip_literal(args, 0) == args.size() && args.size() >= 2 && args.back() == '"') {
      std::string out;
      size_t bad = 0;
      if (decode_string(args.substr(1, args.size() - 2), out, bad)) return out;
    }
    return std::string(args);
  };
  if (d == ".error" || d == ".err") fail(s, name_at, message_of(".error directive invoked in source file"), d);
  if (d == ".warning") {
    SourcePos p = pos_at(s, name_at, d);
    std::string m = message_of(".warning directive invoked in source file");
    if (!s.line->note.empty()) m += " (" + s.line->note + ")";
    unit_.warnings.push_back(p.str() + ": warning: " + m);
    return Flow::next;
  }
  if (d == ".end") {
    ended_ = true;
    return Flow::stop_line;
  }

  // Accepted and ignored: debug information and tool identification.
  if (d == ".file" || d == ".loc" || d == ".ident" || d.rfind(".cfi_", 0) == 0) return Flow::next;

  fail(s, name_at, "unknown directive '" + std::string(t.substr(name_at, args_begin - name_at)) + "'",
       t.substr(name_at, args_begin - name_at));
}

void Gas::define_label(const Stmt &s, size_t at, const std::string &written) {
  if (in_bundle_) fail(s, at, "a label cannot be inside a bundle", written);
  std::string name = written;
  bool numeric = std::all_of(written.begin(), written.end(), [](char c) { return is_digit(c); });
  if (numeric) {
    if (written.size() > 9) fail(s, at, "local label '" + written + "' is too long", written);
    std::string n = std::to_string(std::stoull(written));
    long instance = ++local_counts_[n];
    name = ".L." + n + "." + std::to_string(instance);
  } else if (!is_name(written)) {
    fail(s, at, "invalid label name '" + written + "'", written);
  }
  SourcePos pos = pos_at(s, at, written);
  Symbol &sym = symbol(name);
  if (sym.defined)
    fail(s, at, "symbol '" + written + "' is already defined at " + sym.pos.str(), written);
  int sec = current_section();
  int64_t offset = unit_.sections[static_cast<size_t>(sec)].size;
  sym.defined = true;
  sym.label = true;
  sym.section = sec;
  sym.value = offset;
  sym.defs = {SymbolDef{seq_, sec, offset, pos}};
  sym.context = mode_;
  sym.pos = pos;
}

void Gas::assign(const Stmt &s, size_t name_at, const std::string &name, size_t expr_begin, bool only_if_new) {
  if (!is_name(name)) fail(s, name_at, "invalid symbol name '" + name + "'", name);
  std::string_view t = s.line->text;
  auto [b, e] = trimmed(t, expr_begin, s.end);
  if (b >= e) fail(s, b, "expected a value for '" + name + "'");
  Symbol &sym = symbol(name);
  if (sym.label) fail(s, name_at, "cannot redefine label '" + name + "' (defined at " + sym.pos.str() + ")", name);
  if (only_if_new && sym.defined)
    fail(s, name_at, "symbol '" + name + "' is already defined at " + sym.pos.str(), name);
  std::string expr = rewrite_local_refs(s, b, e);
  EvalContext ctx = eval_context(s, b);
  PartialValue v = evaluate_partial(expr, ctx);
  SourcePos pos = pos_at(s, name_at, name);
  if (!sym.defined && sym.pos.line == 0) sym.pos = pos;
  if (!v.known) {
    pending_equates_.push_back(PendingEquate{name, expr, ctx.pos, ctx.note, ctx.track_columns, ctx.section,
                                             ctx.dot, seq_});
    return;
  }
  if (!v.value.external.empty())
    fail(s, b, "the value of '" + name + "' refers to external symbol '" + v.value.external + "'");
  if (!sym.defined) sym.pos = pos;
  sym.defined = true;
  sym.section = v.value.section;
  sym.value = v.value.offset;
  sym.defs.push_back(SymbolDef{seq_, v.value.section, v.value.offset, pos});
}

void Gas::section_directive(const Stmt &s, size_t args_begin, bool push) {
  std::string_view t = s.line->text;
  std::string_view args = t.substr(args_begin, s.end - args_begin);
  auto parts = split_commas(args);
  auto part = [&](size_t k) { return trim(args.substr(parts[k].first, parts[k].second - parts[k].first)); };
  auto unquote = [&](std::string_view x, size_t at, const char *what) {
    std::string out;
    size_t bad = 0;
    if (x.size() < 2 || x.back() != '"' || skip_literal(x, 0) != x.size() ||
        !decode_string(x.substr(1, x.size() - 2), out, bad))
      fail(s, at, std::string("malformed ") + what + " " + std::string(x));
    return out;
  };
  std::string_view raw_name = part(0);
  size_t name_at = skip_spaces(t, args_begin);
  if (raw_name.empty()) fail(s, name_at, "expected a section name");
  std::string name = raw_name.front() == '"' ? unquote(raw_name, name_at, "section name") : std::string(raw_name);
  std::string flags, type;
  if (parts.size() >= 2) {
    std::string_view f = part(1);
    size_t at = skip_spaces(t, args_begin + parts[1].first);
    if (!f.empty() && f.front() == '"') flags = unquote(f, at, "section flags");
    else if (!f.empty() && (f.front() == '@' || f.front() == '%')) type = std::string(f);
    else fail(s, at, "expected section flags in double quotes, found '" + std::string(f) + "'");
  }
  if (parts.size() >= 3) {
    std::string_view ty = part(2);
    size_t at = skip_spaces(t, args_begin + parts[2].first);
    if (ty.empty() || (ty.front() != '@' && ty.front() != '%'))
      fail(s, at, "expected a section type such as @progbits, found '" + std::string(ty) + "'");
    type = std::string(ty);
  }
  if (push) section_stack_.push_back(current_);
  switch_section(name, flags, type);
}

void Gas::switch_section(const std::string &name, const std::string &flags, const std::string &type) {
  int index = unit_.find_section(name);
  if (index < 0) {
    Section sec;
    sec.name = name;
    sec.flags = flags;
    sec.type = type;
    sec.code = flags.find('x') != std::string::npos ||
               (flags.empty() && (name == ".text" || name.rfind(".text.", 0) == 0));
    sec.alignment = sec.code ? 4 : 1;
    unit_.sections.push_back(std::move(sec));
    index = static_cast<int>(unit_.sections.size()) - 1;
  }
  if (index != current_) {
    previous_ = current_;
    current_ = index;
  }
}

void Gas::align_directive(const Stmt &s, size_t args_begin, int kind) {
  std::string_view t = s.line->text;
  auto parts = split_commas(t.substr(args_begin, s.end - args_begin));
  auto has = [&](size_t k) {
    return parts.size() > k && !trim(t.substr(args_begin + parts[k].first, parts[k].second - parts[k].first)).empty();
  };
  auto value = [&](size_t k, const char *what) {
    return absolute(s, args_begin + parts[k].first, args_begin + parts[k].second, what);
  };
  if (!has(0)) fail(s, args_begin, "expected an alignment");
  int64_t n = value(0, "alignment");
  if (kind == 1) {
    if (n < 0 || n > 16) fail(s, args_begin, "'.p2align' exponent " + std::to_string(n) + " is out of range (0..16)");
    n = int64_t{1} << n;
  }
  if (n == 0) n = 1;
  if (n < 0 || n > 65536 || (n & (n - 1)) != 0)
    fail(s, args_begin, "alignment " + std::to_string(n) + " is not a power of 2 between 1 and 65536");
  bool fill_given = has(1);
  int64_t fill = fill_given ? value(1, "fill value") : 0;
  int64_t max = has(2) ? value(2, "maximum padding") : -1;
  Section &sec = section();
  uint32_t align = static_cast<uint32_t>(n);
  sec.alignment = std::max(sec.alignment, align);
  uint32_t pad = (align - sec.size % align) % align;
  if (pad == 0 || (max >= 0 && pad > max)) return;
  if (sec.code && !fill_given) {
    if (pad % 4) emit_data(s, args_begin, std::vector<uint8_t>(pad % 4, 0));
    for (uint32_t k = 0; k < pad / 4; ++k) {
      Item nop;
      nop.pos = pos_at(s, args_begin);
      nop.note = s.line->note;
      nop.seq = seq_;
      nop.context = mode_;
      nop.mnemonic = "nop";
      nop.padding = true;
      emit_instruction(std::move(nop));
    }
    return;
  }
  emit_data(s, args_begin, std::vector<uint8_t>(pad, static_cast<uint8_t>(fill)));
}

void Gas::data_directive(const Stmt &s, size_t args_begin, unsigned size) {
  std::string_view t = s.line->text;
  if (args_begin >= s.end) return;
  int sec = current_section();
  uint32_t base = unit_.sections[static_cast<size_t>(sec)].size;
  std::vector<uint8_t> bytes;
  std::vector<Fixup> fixups;
  for (auto [pb, pe] : split_commas(t.substr(args_begin, s.end - args_begin))) {
    auto [b, e] = trimmed(t, args_begin + pb, args_begin + pe);
    if (b >= e) fail(s, b, "expected an expression");
    std::string expr = rewrite_local_refs(s, b, e);
    EvalContext ctx = eval_context(s, b);
    ctx.dot = base + bytes.size();
    PartialValue v = evaluate_partial(expr, ctx);
    if (v.known && v.value.absolute()) {
      if (!fits_in(v.value.offset, size))
        fail(s, b, "value " + std::to_string(v.value.offset) + " does not fit in " + std::to_string(size) +
                       (size == 1 ? " byte" : " bytes"));
      put_le(bytes, static_cast<uint64_t>(v.value.offset), size);
    } else {
      fixups.push_back(Fixup{static_cast<uint32_t>(bytes.size()), size, expr, ctx.pos});
      put_le(bytes, 0, size);
    }
  }
  emit_data(s, args_begin, std::move(bytes), std::move(fixups));
}

void Gas::float_directive(const Stmt &s, size_t args_begin, unsigned size) {
  std::string_view t = s.line->text;
  if (args_begin >= s.end) return;
  std::vector<uint8_t> bytes;
  for (auto [pb, pe] : split_commas(t.substr(args_begin, s.end - args_begin))) {
    auto [b, e] = trimmed(t, args_begin + pb, args_begin + pe);
    if (!encode_float(t.substr(b, e - b), size, bytes))
      fail(s, b, "invalid floating-point number '" + std::string(t.substr(b, e - b)) + "'");
  }
  emit_data(s, args_begin, std::move(bytes));
}

void Gas::string_directive(const Stmt &s, size_t args_begin, bool terminate) {
  std::string_view t = s.line->text;
  if (args_begin >= s.end) return;
  std::vector<uint8_t> bytes;
  for (auto [pb, pe] : split_commas(t.substr(args_begin, s.end - args_begin))) {
    auto [b, e] = trimmed(t, args_begin + pb, args_begin + pe);
    std::string_view x = t.substr(b, e - b);
    std::string out;
    size_t bad = 0;
    if (x.size() < 2 || x.front() != '"' || x.back() != '"' || skip_literal(x, 0) != x.size())
      fail(s, b, "expected a string in double quotes, found '" + std::string(x) + "'");
    if (!decode_string(x.substr(1, x.size() - 2), out, bad)) fail(s, b + 1 + bad, "invalid escape sequence in string");
    bytes.insert(bytes.end(), out.begin(), out.end());
    if (terminate) bytes.push_back(0);
  }
  emit_data(s, args_begin, std::move(bytes));
}

void Gas::space_directive(const Stmt &s, size_t args_begin, bool fill_form) {
  std::string_view t = s.line->text;
  auto parts = split_commas(t.substr(args_begin, s.end - args_begin));
  auto has = [&](size_t k) {
    return parts.size() > k && !trim(t.substr(args_begin + parts[k].first, parts[k].second - parts[k].first)).empty();
  };
  auto value = [&](size_t k, const char *what) {
    return absolute(s, args_begin + parts[k].first, args_begin + parts[k].second, what);
  };
  if (!has(0)) fail(s, args_begin, fill_form ? "expected a repeat count" : "expected a size");
  constexpr int64_t limit = 16 << 20;
  if (!fill_form) {
    int64_t n = value(0, "size");
    if (n < 0 || n > limit) fail(s, args_begin, "size " + std::to_string(n) + " is out of range");
    int64_t fill = has(1) ? value(1, "fill value") : 0;
    emit_data(s, args_begin, std::vector<uint8_t>(static_cast<size_t>(n), static_cast<uint8_t>(fill)));
    return;
  }
  int64_t repeat = value(0, "repeat count");
  int64_t size = has(1) ? value(1, "size") : 1;
  int64_t fill = has(2) ? value(2, "fill value") : 0;
  if (size < 0 || size > 8) fail(s, args_begin, "'.fill' size must be between 0 and 8");
  if (repeat < 0 || repeat * std::max<int64_t>(size, 1) > limit)
    fail(s, args_begin, "'.fill' repeat count " + std::to_string(repeat) + " is out of range");
  std::vector<uint8_t> bytes;
  for (int64_t k = 0; k < repeat; ++k) put_le(bytes, static_cast<uint64_t>(fill), static_cast<unsigned>(size));
  emit_data(s, args_begin, std::move(bytes));
}

void Gas::symbol_list_directive(const Stmt &s, size_t args_begin, const std::string &d) {
  std::string_view t = s.line->text;
  if (args_begin >= s.end) fail(s, args_begin, "expected a symbol name after '" + d + "'");
  for (auto [pb, pe] : split_commas(t.substr(args_begin, s.end - args_begin))) {
    auto [b, e] = trimmed(t, args_begin + pb, args_begin + pe);
    std::string name(t.substr(b, e - b));
    // poplibs writes `.globl NAME, @function`; clang's assembler reads
    // `@function` as one more (unused) name. It names nothing here.
    if (name.size() > 1 && name[0] == '@' && is_name(name.substr(1))) continue;
    if (!is_name(name)) fail(s, b, "expected a symbol name, found '" + name + "'");
    Symbol &sym = symbol(name);
    if (sym.pos.line == 0 && !sym.defined) sym.pos = pos_at(s, b, name);
    if (d == ".globl" || d == ".global") sym.global = true;
    else if (d == ".extern") sym.external = true;
    else if (d == ".weak") sym.weak = true;
    else if (d == ".hidden") sym.hidden = true;
  }
}

void Gas::type_directive(const Stmt &s, size_t args_begin) {
  // `.type sym, @function`; gas also accepts it without the comma.
  std::string_view t = s.line->text;
  auto parts = split_commas(t.substr(args_begin, s.end - args_begin));
  auto [nb, ne] = trimmed(t, args_begin + parts[0].first, args_begin + parts[0].second);
  size_t tb = 0, te = 0;
  if (parts.size() == 1) {
    size_t blank = nb;
    while (blank < ne && !is_space(t[blank])) ++blank;
    std::tie(tb, te) = trimmed(t, blank, ne);
    ne = blank;
  } else if (parts.size() == 2) {
    std::tie(tb, te) = trimmed(t, args_begin + parts[1].first, args_begin + parts[1].second);
  }
  std::string name(t.substr(nb, ne - nb));
  if (!is_name(name)) fail(s, nb, "expected a symbol name after '.type', found '" + name + "'");
  if (tb >= te) fail(s, ne, "expected '.type <symbol>, @<type>'");
  std::string type(t.substr(tb, te - tb));
  if (!type.empty() && (type[0] == '@' || type[0] == '%')) type.erase(0, 1);
  else if (type.size() >= 2 && type.front() == '"' && type.back() == '"') type = type.substr(1, type.size() - 2);
  if (type == "STT_FUNC") type = "function";
  else if (type == "STT_OBJECT") type = "object";
  else if (type == "STT_NOTYPE") type = "notype";
  if (!is_name(type)) fail(s, tb, "expected a symbol type such as @function, found '" + std::string(t.substr(tb, te - tb)) + "'");
  symbol(name).type = type;
}

void Gas::size_directive(const Stmt &s, size_t args_begin) {
  std::string_view t = s.line->text;
  auto parts = split_commas(t.substr(args_begin, s.end - args_begin));
  auto [nb, ne] = trimmed(t, args_begin + parts[0].first, args_begin + parts[0].second);
  std::string name(t.substr(nb, ne - nb));
  if (!is_name(name)) fail(s, nb, "expected a symbol name after '.size', found '" + name + "'");
  if (parts.size() != 2) fail(s, ne, "expected '.size <symbol>, <expression>'");
  auto [b, e] = trimmed(t, args_begin + parts[1].first, args_begin + parts[1].second);
  if (b >= e) fail(s, b, "expected an expression for the size");
  std::string expr = rewrite_local_refs(s, b, e);
  EvalContext ctx = eval_context(s, b);
  PartialValue v = evaluate_partial(expr, ctx);
  Symbol &sym = symbol(name);
  if (!v.known) {
    pending_sizes_.push_back(PendingSize{name, expr, ctx.pos, ctx.note, ctx.track_columns, ctx.section, ctx.dot, seq_});
    return;
  }
  if (!v.value.absolute() || v.value.offset < 0 || v.value.offset > UINT32_MAX)
    fail(s, b, "the size of '" + name + "' must be a constant between 0 and 2^32-1");
  sym.has_size = true;
  sym.size = static_cast<uint32_t>(v.value.offset);
}

void Gas::instruction(const Stmt &s, size_t mnemonic_at, size_t mnemonic_end) {
  std::string_view t = s.line->text;
  Item item;
  item.kind = Item::Kind::instruction;
  item.mnemonic = std::string(t.substr(mnemonic_at, mnemonic_end - mnemonic_at));
  item.pos = pos_at(s, mnemonic_at, item.mnemonic);
  item.note = s.line->note;
  item.seq = seq_;
  item.context = mode_;
  auto [b, e] = trimmed(t, mnemonic_end, s.end);
  if (b < e) {
    item.operands = rewrite_local_refs(s, b, e);
    if (!s.line->fixed) item.operands_column = pos_at(s, b).column;
  }
  if (in_bundle_) {
    bundle_.push_back(std::move(item));
    return;
  }
  emit_instruction(std::move(item));
}

void Gas::emit_instruction(Item item) {
  int index = current_section();
  Section &sec = unit_.sections[static_cast<size_t>(index)];
  if (sec.size % 4 != 0)
    fail_at(item.pos, item.note,
            "instruction at offset " + std::to_string(sec.size) + " of section '" + sec.name +
                "' is not 4-byte aligned (data before it has an odd size)");
  item.offset = sec.size;
  item.length = 4;
  if (options_.instruction_size && !item.padding) {
    EvalContext ctx = EvalContext::for_item(unit_, index, item);
    item.length = options_.instruction_size(item, ctx);
    if (item.length == 0 || item.length % 4 != 0 || item.length > 64)
      fail_at(item.pos, item.note, "internal: instruction size " + std::to_string(item.length) + " for '" +
                                       item.mnemonic + "' is not a multiple of 4 between 4 and 64");
    if (item.length != 4 && (item.bundle_first || item.bundle_second))
      fail_at(item.pos, item.note, "'" + item.mnemonic + "' expands to more than one instruction and cannot be in a bundle");
  }
  constexpr uint32_t limit = 16u << 20;
  if (sec.size > limit - item.length) fail_at(item.pos, item.note, "section '" + sec.name + "' would grow beyond 16 MiB");
  sec.size += item.length;
  sec.items.push_back(std::move(item));
}

void Gas::emit_data(const Stmt &s, size_t at, std::vector<uint8_t> bytes, std::vector<Fixup> fixups) {
  if (bytes.empty()) return;
  int index = current_section();
  Section &sec = unit_.sections[static_cast<size_t>(index)];
  Item item;
  item.kind = Item::Kind::data;
  // The directive's name ends just before its arguments.
  std::string_view t = s.line->text;
  size_t d = std::min(at, t.size());
  while (d > s.begin && is_space(t[d - 1])) --d;
  while (d > s.begin && is_ident_char(t[d - 1])) --d;
  item.pos = pos_at(s, d);
  item.note = s.line->note;
  item.seq = seq_;
  item.context = mode_;
  item.offset = sec.size;
  grow(sec, static_cast<uint32_t>(std::min<size_t>(bytes.size(), UINT32_MAX)), s, at);
  item.bytes = std::move(bytes);
  item.fixups = std::move(fixups);
  sec.items.push_back(std::move(item));
}

} // namespace ipusim::assembler
