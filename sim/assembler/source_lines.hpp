// Lines of preprocessed assembly with their original positions, and the
// mapping of columns back to the original text.
#pragma once

#include "sim/assembler/unit.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ipusim::assembler {

// One line to assemble. For lines of a file, `pos` is the original file and
// line with column 1 at text[0]. For lines of a macro expansion, `fixed` is
// set and every statement reports `pos` (the invocation site) as it is.
struct Line {
  std::string text;
  SourcePos pos;
  bool fixed = false;
  std::string note; // "in expansion of macro 'X' at file:line" or ""
};

// Splits preprocessed text into lines: cpp line markers (`# 12 "f.S" 2`,
// `#line 12 "f.S"`) set the file and line of what follows and are dropped;
// `#` comments are removed (so a `#----` line becomes empty). Lines before
// any marker belong to `file`.
std::vector<Line> read_lines(std::string_view text, const std::string &file);

// cpp collapses blanks and expands macros, so a column in its output is only
// an estimate. This finds where a token really is in the original line: the
// occurrence of `token` nearest the estimate, or the estimate itself when
// the token is not in the original text (it came from a #define).
class ColumnFinder {
public:
  int column(const SourcePos &where, std::string_view token, int estimate);

private:
  const std::vector<std::string> &lines_of(const std::string &file);
  std::map<std::string, std::vector<std::string>> files_;
};

} // namespace ipusim::assembler
