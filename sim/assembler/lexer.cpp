#include "sim/assembler/lexer.hpp"

#include <cctype>

namespace ipusim::assembler {

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (is_space(s[b]) || s[b] == '\n')) ++b;
  while (e > b && (is_space(s[e - 1]) || s[e - 1] == '\n')) --e;
  return s.substr(b, e - b);
}

size_t skip_spaces(std::string_view s, size_t from) {
  while (from < s.size() && is_space(s[from])) ++from;
  return from;
}

size_t skip_literal(std::string_view s, size_t i) {
  char quote = s[i];
  if (quote == '"') {
    for (++i; i < s.size(); ++i) {
      if (s[i] == '\\') ++i;
      else if (s[i] == '"') return i + 1;
    }
    return s.size();
  }
  // Character literal: 'c', '\n', '\123', or gas's unterminated 'c.
  ++i;
  if (i >= s.size()) return i;
  if (s[i] == '\\') {
    ++i;
    if (i < s.size() && is_digit(s[i])) {
      for (int k = 0; k < 3 && i < s.size() && s[i] >= '0' && s[i] <= '7'; ++k) ++i;
    } else if (i < s.size() && s[i] == 'x') {
      ++i;
      while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) ++i;
    } else if (i < s.size()) {
      ++i;
    }
  } else {
    ++i;
  }
  if (i < s.size() && s[i] == '\'') ++i;
  return i;
}

size_t find_comment(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == '"' || c == '\'') {
      i = skip_literal(s, i);
    } else if (c == '#') {
      return i;
    } else {
      ++i;
    }
  }
  return std::string_view::npos;
}

std::vector<Piece> split_pieces(std::string_view line) {
  std::vector<Piece> pieces;
  size_t begin = 0;
  for (size_t i = 0; i < line.size();) {
    char c = line[i];
    if (c == '"' || c == '\'') {
      i = skip_literal(line, i);
    } else if (c == ';' || c == '{' || c == '}') {
      pieces.push_back({begin, i, c});
      begin = ++i;
    } else {
      ++i;
    }
  }
  pieces.push_back({begin, line.size(), 0});
  return pieces;
}

std::vector<std::pair<size_t, size_t>> split_commas(std::string_view s) {
  std::vector<std::pair<size_t, size_t>> parts;
  int depth = 0;
  size_t begin = 0;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == '"' || c == '\'') {
      i = skip_literal(s, i);
      continue;
    }
    if (c == '(' || c == '[') ++depth;
    else if ((c == ')' || c == ']') && depth > 0) --depth;
    else if (c == ',' && depth == 0) {
      parts.emplace_back(begin, i);
      begin = i + 1;
    }
    ++i;
  }
  parts.emplace_back(begin, s.size());
  return parts;
}

std::vector<Token> tokenize(std::string_view s) {
  static const char *const two_char_ops[] = {"<<", ">>", "<=", ">=", "==", "!=", "<>", "&&", "||"};
  std::vector<Token> tokens;
  size_t i = 0;
  while (true) {
    i = skip_spaces(s, i);
    if (i >= s.size()) break;
    char c = s[i];
    size_t start = i;
    if (is_ident_start(c)) {
      while (i < s.size() && is_ident_char(s[i])) ++i;
      tokens.push_back({TokKind::identifier, s.substr(start, i - start), start});
    } else if (is_digit(c)) {
      // Letters and digits together: 0x1F, 0b101, 017, 42, and also junk
      // like 12ab that the parser rejects as a whole.
      while (i < s.size() && (is_ident_char(s[i]) && s[i] != '.' && s[i] != '$')) ++i;
      tokens.push_back({TokKind::number, s.substr(start, i - start), start});
    } else if (c == '\'') {
      i = skip_literal(s, i);
      tokens.push_back({TokKind::character, s.substr(start, i - start), start});
    } else if (c == '"') {
      i = skip_literal(s, i);
      tokens.push_back({TokKind::string, s.substr(start, i - start), start});
    } else {
      bool two = false;
      if (i + 1 < s.size()) {
        for (const char *op : two_char_ops) {
          if (s[i] == op[0] && s[i + 1] == op[1]) {
            two = true;
            break;
          }
        }
      }
      if (two) {
        i += 2;
        tokens.push_back({TokKind::op, s.substr(start, 2), start});
      } else if (std::string_view("+-*/%&|^~!<>()?:=,").find(c) != std::string_view::npos) {
        ++i;
        tokens.push_back({TokKind::op, s.substr(start, 1), start});
      } else {
        ++i;
        tokens.push_back({TokKind::bad, s.substr(start, 1), start});
      }
    }
  }
  tokens.push_back({TokKind::end, std::string_view(), s.size()});
  return tokens;
}

bool decode_string(std::string_view s, std::string &out, size_t &bad) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    size_t at = i;
    if (++i >= s.size()) {
      bad = at;
      return false;
    }
    char e = s[i];
    switch (e) {
    case 'n': out += '\n'; break;
    case 't': out += '\t'; break;
    case 'r': out += '\r'; break;
    case 'b': out += '\b'; break;
    case 'f': out += '\f'; break;
    case 'v': out += '\v'; break;
    case 'a': out += '\a'; break;
    case '\\': out += '\\'; break;
    case '"': out += '"'; break;
    case '\'': out += '\''; break;
    case 'x': case 'X': {
      unsigned v = 0;
      size_t n = 0;
      while (i + 1 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1]))) {
        char h = s[++i];
        v = (v * 16 + static_cast<unsigned>(is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10)) & 0xFF;
        ++n;
      }
      if (n == 0) {
        bad = at;
        return false;
      }
      out += static_cast<char>(v);
      break;
    }
    default:
      if (e >= '0' && e <= '7') {
        unsigned v = static_cast<unsigned>(e - '0');
        for (int k = 0; k < 2 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7'; ++k)
          v = v * 8 + static_cast<unsigned>(s[++i] - '0');
        out += static_cast<char>(v & 0xFF);
      } else {
        bad = at;
        return false;
      }
    }
  }
  return true;
}

} // namespace ipusim::assembler
