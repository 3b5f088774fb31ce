// Character-level helpers shared by the gas front end: identifier classes,
// quoted strings, comments, splitting a line into statements, and the token
// stream of an expression. Everything works on byte offsets into the text
// so callers can turn them into columns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ipusim::assembler {

// Symbol names: [A-Za-z_.][A-Za-z0-9_.$]* (gas's set for this target; `$`
// cannot start a name because it introduces a register).
inline bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.';
}
inline bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s);
// Offset of the first non-blank character at or after `from` (s.size() if none).
size_t skip_spaces(std::string_view s, size_t from);

// `s[i]` is '"' or '\'': the offset just past the string or character
// literal (gas accepts `'a` without a closing quote). An unterminated string
// runs to the end of `s`.
size_t skip_literal(std::string_view s, size_t i);

// Offset where a `#` comment starts (outside strings), or npos. gas for this
// target treats `#` as a comment character; the C preprocessor has already
// removed `//` and `/* */` comments.
size_t find_comment(std::string_view s);

// A statement of a line, ended by `;`, `{`, `}` or the end of the line
// (sep == 0). Literals are skipped, so `";"` does not split.
struct Piece {
  size_t begin = 0;
  size_t end = 0; // exclusive; the separator (if any) is at `end`
  char sep = 0;
};
std::vector<Piece> split_pieces(std::string_view line);

// Splits at top-level commas (outside parentheses, brackets and literals).
// Returns [begin, end) ranges, untrimmed; an empty text gives one empty range.
std::vector<std::pair<size_t, size_t>> split_commas(std::string_view s);

// Expression tokens.
enum class TokKind { end, identifier, number, character, string, op, bad };
struct Token {
  TokKind kind = TokKind::end;
  std::string_view text; // for op: the operator spelling
  size_t offset = 0;     // into the tokenised text
};
std::vector<Token> tokenize(std::string_view text);

// Decodes the escapes of a string literal's contents (without the quotes):
// \n \t \r \b \f \v \a \\ \" \' \NNN (octal) \xHH. Returns false on a
// malformed escape, with `bad` set to the offset of the backslash.
bool decode_string(std::string_view contents, std::string &out, size_t &bad);

} // namespace ipusim::assembler
