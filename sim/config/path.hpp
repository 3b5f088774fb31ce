// Key paths: "tile.sram.size_bytes", "program.tensors[0].name".
//
// Paths are printed with list indices in brackets. When a user writes a path
// (a -p override, or ConfigTree::get_*), a list index may be written either in
// brackets or as a plain segment: "program.tensors[0].name" and
// "program.tensors.0.name" mean the same key.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ipusim::config {

// "a.b" + "c" -> "a.b.c"; "" + "c" -> "c".
std::string join_key(const std::string &path, const std::string &key);
// "a.list" + 2 -> "a.list[2]".
std::string join_index(const std::string &path, std::size_t index);

// Splits a user-written path into segments ("a[0].b" -> a, 0, b). Returns
// nullopt when the path is malformed (empty segment, unclosed bracket, a
// bracket that does not hold a number).
std::optional<std::vector<std::string>> split_path(const std::string &path);

// Parses a list index segment ("12"); nullopt when it is not a plain number.
std::optional<std::size_t> parse_index(const std::string &segment);

} // namespace ipusim::config
