// gas `.macro` definitions: parsing the parameter list and the arguments of
// an invocation, and substituting `\NAME`, `\()` and `\@` in the body.
#pragma once

#include "sim/assembler/source_lines.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ipusim::assembler {

// A syntax problem at byte `offset` of the text a helper was given; the
// caller turns it into an InputError with a column.
struct MacroSyntaxError {
  size_t offset = 0;
  std::string message;
};

struct MacroParam {
  std::string name;
  std::string default_value; // quotes removed
  bool required = false;     // NAME:req
  bool vararg = false;       // NAME:vararg (last only): the rest of the line
};

struct Macro {
  std::string name;
  std::vector<MacroParam> params;
  std::vector<Line> body; // raw lines, substituted at each invocation
  SourcePos pos;          // of the `.macro` directive
};

// Parses `.macro` operands: `NAME [,] P1 P2=default, P3:req P4:vararg`
// (parameters separated by blanks and/or commas). Throws MacroSyntaxError.
Macro parse_macro_header(std::string_view operands);

// The value of every parameter for an invocation whose argument text is
// `args`. Arguments are separated by commas and/or blanks, but blanks next
// to an operator do not separate (`A + 1` is one argument); parentheses and
// quotes group; `NAME=value` names a parameter; a quoted string loses its
// quotes (except in a vararg); an empty or missing argument takes the
// default. Throws MacroSyntaxError.
std::vector<std::string> bind_macro_args(const Macro &macro, std::string_view args);

// Replaces `\P` (P a parameter name), `\()` (nothing) and `\@` (`counter`)
// in one body line (`\@` only when counter >= 0). A backslash followed by
// anything else is kept.
std::string substitute_macro_line(std::string_view line, const std::vector<MacroParam> &params,
                                  const std::vector<std::string> &values, long counter);

// The end of one macro argument starting at `begin` (see bind_macro_args).
size_t scan_macro_arg(std::string_view text, size_t begin);

// The text of an argument with the quotes of its string literals removed.
std::string unquote_arg(std::string_view arg);

} // namespace ipusim::assembler
