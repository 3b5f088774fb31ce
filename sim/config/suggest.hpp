// "Did you mean ...?" for misspelt keys, enum values and preset names.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ipusim::config {

// Edit distance counting insertions, deletions, substitutions and swaps of two
// neighbouring characters (optimal string alignment). Case matters: 'Workers'
// is one edit away from 'workers'.
std::size_t edit_distance(const std::string &a, const std::string &b);

// The candidate closest to `word`, if it is close enough to be a plausible
// typo (at most a third of the shorter word's length, and at least 1 edit
// allowed) and no other candidate is equally close.
std::optional<std::string> nearest(const std::string &word, const std::vector<std::string> &candidates);

// "; did you mean 'x'?" or "" when nothing is close.
std::string did_you_mean(const std::string &word, const std::vector<std::string> &candidates);

} // namespace ipusim::config
