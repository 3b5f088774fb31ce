#include "sim/config/suggest.hpp"

#include <algorithm>
#include <limits>

namespace ipusim::config {

std::size_t edit_distance(const std::string &a, const std::string &b) {
  const std::size_t n = a.size(), m = b.size();
  // Three rows are enough for the swap rule.
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t sub = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + sub});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    prev2.swap(prev);
    prev.swap(cur);
  }
  return prev[m];
}

std::optional<std::string> nearest(const std::string &word, const std::vector<std::string> &candidates) {
  std::size_t best = std::numeric_limits<std::size_t>::max();
  const std::string *best_name = nullptr;
  bool tie = false;
  for (const std::string &c : candidates) {
    if (c == word) continue;
    const std::size_t d = edit_distance(word, c);
    const std::size_t allowed = std::max<std::size_t>(1, std::min(word.size(), c.size()) / 3);
    if (d > allowed) continue;
    if (d < best) {
      best = d;
      best_name = &c;
      tie = false;
    } else if (d == best && c != *best_name) {
      tie = true;
    }
  }
  if (!best_name || tie) return std::nullopt;
  return *best_name;
}

std::string did_you_mean(const std::string &word, const std::vector<std::string> &candidates) {
  auto n = nearest(word, candidates);
  return n ? "; did you mean '" + *n + "'?" : std::string();
}

} // namespace ipusim::config
