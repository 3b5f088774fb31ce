#include "sim/assembler/macros.hpp"

#include "sim/assembler/lexer.hpp"

namespace ipusim::assembler {
namespace {

bool is_operator_char(char c) { return std::string_view("+-*/%&|^~!<>=").find(c) != std::string_view::npos; }

size_t read_name(std::string_view s, size_t i) {
  while (i < s.size() && is_ident_char(s[i])) ++i;
  return i;
}

} // namespace

size_t scan_macro_arg(std::string_view text, size_t begin) {
  int depth = 0;
  size_t i = begin;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"' || c == '\'') {
      i = skip_literal(text, i);
      continue;
    }
    if (c == '(' || c == '[') {
      ++depth;
    } else if ((c == ')' || c == ']') && depth > 0) {
      --depth;
    } else if (depth == 0) {
      if (c == ',') break;
      if (is_space(c)) {
        size_t j = skip_spaces(text, i);
        if (j >= text.size() || text[j] == ',') break;
        char prev = i > begin ? text[i - 1] : ' ';
        if (is_operator_char(text[j]) || is_operator_char(prev)) {
          i = j;
          continue;
        }
        break;
      }
    }
    ++i;
  }
  return i;
}

std::string unquote_arg(std::string_view arg) {
  std::string out;
  for (size_t i = 0; i < arg.size();) {
    if (arg[i] == '"') {
      size_t end = skip_literal(arg, i);
      size_t stop = (end > i + 1 && arg[end - 1] == '"') ? end - 1 : end;
      out.append(arg.substr(i + 1, stop - i - 1));
      i = end;
    } else {
      out += arg[i++];
    }
  }
  return out;
}

Macro parse_macro_header(std::string_view s) {
  Macro m;
  size_t i = skip_spaces(s, 0);
  size_t name_end = read_name(s, i);
  if (name_end == i || !is_ident_start(s[i]))
    throw MacroSyntaxError{i, "expected a macro name after '.macro'"};
  m.name = std::string(s.substr(i, name_end - i));
  i = name_end;
  while (true) {
    while (i < s.size() && (is_space(s[i]) || s[i] == ',')) ++i;
    if (i >= s.size()) break;
    size_t start = i;
    size_t end = read_name(s, i);
    if (end == i) throw MacroSyntaxError{i, "expected a parameter name, found '" + std::string(1, s[i]) + "'"};
    MacroParam p;
    p.name = std::string(s.substr(i, end - i));
    i = end;
    if (i < s.size() && s[i] == ':') {
      size_t q = read_name(s, i + 1);
      std::string_view qual = s.substr(i + 1, q - i - 1);
      if (qual == "req") p.required = true;
      else if (qual == "vararg") p.vararg = true;
      else throw MacroSyntaxError{i + 1, "unknown parameter qualifier ':" + std::string(qual) + "' (expected :req or :vararg)"};
      i = q;
    }
    size_t j = skip_spaces(s, i);
    if (j < s.size() && s[j] == '=') {
      size_t v = skip_spaces(s, j + 1);
      size_t v_end = scan_macro_arg(s, v);
      p.default_value = unquote_arg(trim(s.substr(v, v_end - v)));
      i = v_end;
    }
    for (const auto &q : m.params) {
      if (q.name == p.name) throw MacroSyntaxError{start, "duplicate macro parameter '" + p.name + "'"};
      if (q.vararg) throw MacroSyntaxError{start, "parameter '" + q.name + "' is :vararg and must be the last"};
    }
    m.params.push_back(std::move(p));
  }
  return m;
}

std::vector<std::string> bind_macro_args(const Macro &macro, std::string_view s) {
  const size_t n = macro.params.size();
  std::vector<std::string> values(n);
  std::vector<bool> given(n, false);
  size_t positional = 0;
  size_t i = skip_spaces(s, 0);
  bool first = true;
  while (i < s.size()) {
    if (!first) {
      // Between arguments: blanks and at most one comma.
      i = skip_spaces(s, i);
      if (i < s.size() && s[i] == ',') i = skip_spaces(s, i + 1);
      if (i >= s.size()) break;
    }
    first = false;
    if (s[i] == ',') { // an empty argument: `a,,c`
      ++positional;
      ++i;
      first = true;
      i = skip_spaces(s, i);
      continue;
    }
    // NAME=value
    size_t name_end = read_name(s, i);
    size_t eq = skip_spaces(s, name_end);
    if (name_end > i && eq < s.size() && s[eq] == '=' && (eq + 1 >= s.size() || s[eq + 1] != '=')) {
      std::string name(s.substr(i, name_end - i));
      size_t k = 0;
      while (k < n && macro.params[k].name != name) ++k;
      if (k < n) {
        size_t v = skip_spaces(s, eq + 1);
        if (macro.params[k].vararg) {
          values[k] = std::string(trim(s.substr(v)));
          given[k] = true;
          break;
        }
        size_t v_end = scan_macro_arg(s, v);
        values[k] = unquote_arg(trim(s.substr(v, v_end - v)));
        given[k] = true;
        i = v_end;
        continue;
      }
    }
    if (positional >= n)
      throw MacroSyntaxError{i, "too many arguments for macro '" + macro.name + "' (it takes " + std::to_string(n) + ")"};
    if (macro.params[positional].vararg) {
      values[positional] = std::string(trim(s.substr(i)));
      given[positional] = true;
      break;
    }
    size_t end = scan_macro_arg(s, i);
    values[positional] = unquote_arg(trim(s.substr(i, end - i)));
    given[positional] = true;
    ++positional;
    i = end;
  }
  for (size_t k = 0; k < n; ++k) {
    if (given[k] && !values[k].empty()) continue;
    if (macro.params[k].required)
      throw MacroSyntaxError{s.size(), "missing argument for required parameter '" + macro.params[k].name +
                                           "' of macro '" + macro.name + "'"};
    values[k] = macro.params[k].default_value;
  }
  return values;
}

std::string substitute_macro_line(std::string_view line, const std::vector<MacroParam> &params,
                                  const std::vector<std::string> &values, long counter) {
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size();) {
    char c = line[i];
    if (c != '\\' || i + 1 >= line.size()) {
      out += c;
      ++i;
      continue;
    }
    char d = line[i + 1];
    if (d == '(' && i + 2 < line.size() && line[i + 2] == ')') {
      i += 3;
      continue;
    }
    if (d == '@' && counter >= 0) {
      out += std::to_string(counter);
      i += 2;
      continue;
    }
    size_t end = read_name(line, i + 1);
    if (end > i + 1) {
      std::string_view name = line.substr(i + 1, end - i - 1);
      size_t k = 0;
      while (k < params.size() && params[k].name != name) ++k;
      if (k < params.size()) {
        out += values[k];
        i = end;
        continue;
      }
    }
    out += c;
    ++i;
  }
  return out;
}

} // namespace ipusim::assembler
