#include "sim/config/path.hpp"

namespace ipusim::config {

std::string join_key(const std::string &path, const std::string &key) {
  return path.empty() ? key : path + "." + key;
}

std::string join_index(const std::string &path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::optional<std::size_t> parse_index(const std::string &segment) {
  if (segment.empty() || segment.size() > 9) return std::nullopt;
  std::size_t v = 0;
  for (char c : segment) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  return v;
}

std::optional<std::vector<std::string>> split_path(const std::string &path) {
  std::vector<std::string> out;
  std::string cur;
  bool after_bracket = false; // "a[0].b": the '.' after ']' closes nothing
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '.') {
      if (cur.empty() && !after_bracket) return std::nullopt;
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
      after_bracket = false;
    } else if (c == '[') {
      if (cur.empty() && !after_bracket) return std::nullopt;
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
      const std::size_t close = path.find(']', i);
      if (close == std::string::npos) return std::nullopt;
      std::string index = path.substr(i + 1, close - i - 1);
      if (!parse_index(index)) return std::nullopt;
      out.push_back(index);
      i = close;
      after_bracket = true;
      if (i + 1 < path.size() && path[i + 1] != '.' && path[i + 1] != '[') return std::nullopt;
    } else if (c == ']') {
      return std::nullopt;
    } else {
      if (after_bracket) return std::nullopt;
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  else if (!after_bracket) return std::nullopt; // empty path or trailing '.'
  return out;
}

} // namespace ipusim::config
