#include "sim/assembler/source_lines.hpp"

#include "sim/assembler/lexer.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace ipusim::assembler {
namespace {

// Parses `# 12 "file" flags` or `#line 12 "file"`; false if `s` is not one.
bool parse_line_marker(std::string_view s, int &line, std::string &file) {
  size_t i = skip_spaces(s, 0);
  if (i >= s.size() || s[i] != '#') return false;
  i = skip_spaces(s, i + 1);
  if (s.substr(i, 4) == "line") i = skip_spaces(s, i + 4);
  size_t digits = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i == digits || i - digits > 9) return false;
  int number = std::atoi(std::string(s.substr(digits, i - digits)).c_str());
  i = skip_spaces(s, i);
  std::string name = file;
  if (i < s.size()) {
    if (s[i] != '"') return false;
    size_t end = skip_literal(s, i);
    if (end <= i + 1 || s[end - 1] != '"') return false;
    std::string decoded;
    size_t bad = 0;
    if (!decode_string(s.substr(i + 1, end - i - 2), decoded, bad)) return false;
    name = decoded;
    for (i = end; i < s.size(); ++i)
      if (!is_space(s[i]) && !is_digit(s[i])) return false;
  }
  line = number;
  file = name;
  return true;
}

} // namespace

std::vector<Line> read_lines(std::string_view text, const std::string &file) {
  std::vector<Line> lines;
  std::string current = file;
  int number = 1;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    int marker_line = 0;
    std::string marker_file = current;
    if (parse_line_marker(raw, marker_line, marker_file)) {
      current = marker_file;
      number = marker_line;
      continue;
    }
    Line line;
    size_t comment = find_comment(raw);
    line.text = std::string(comment == std::string_view::npos ? raw : raw.substr(0, comment));
    line.pos = SourcePos{current, number, 1};
    lines.push_back(std::move(line));
    ++number;
  }
  return lines;
}

const std::vector<std::string> &ColumnFinder::lines_of(const std::string &file) {
  auto it = files_.find(file);
  if (it != files_.end()) return it->second;
  std::vector<std::string> lines;
  // Only regular files of sane size: a line marker may name anything.
  struct stat st {};
  if (!file.empty() && file[0] != '<' && ::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
      st.st_size < (64 << 20)) {
    std::ifstream in(file, std::ios::binary);
    std::string line;
    while (in && std::getline(in, line)) lines.push_back(line);
  }
  return files_.emplace(file, std::move(lines)).first->second;
}

int ColumnFinder::column(const SourcePos &where, std::string_view token, int estimate) {
  if (token.empty() || where.line <= 0) return estimate;
  const auto &lines = lines_of(where.file);
  if (static_cast<size_t>(where.line) > lines.size()) return estimate;
  const std::string &original = lines[static_cast<size_t>(where.line) - 1];
  auto nearest = [&](std::string_view t, bool whole) {
    int best = -1;
    for (size_t at = original.find(t); at != std::string::npos; at = original.find(t, at + 1)) {
      // Only whole tokens: not part of a longer name.
      bool left_ok = at == 0 || !is_ident_char(original[at - 1]) || !is_ident_char(t.front());
      size_t after = at + t.size();
      bool right_ok = !whole || after >= original.size() || !is_ident_char(original[after]) ||
                      !is_ident_char(t.back());
      if (!left_ok || !right_ok) continue;
      int col = static_cast<int>(at) + 1;
      if (best < 0 || std::abs(col - estimate) < std::abs(best - estimate)) best = col;
    }
    return best;
  };
  int best = nearest(token, true);
  // `$NAME` whose NAME was a #define: look for a `$` that starts a name.
  if (best < 0 && token.size() > 1 && token.front() == '$') best = nearest(token.substr(0, 1), false);
  return best > 0 ? best : estimate;
}

} // namespace ipusim::assembler
