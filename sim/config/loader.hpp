// Loading a YAML config against a schema.
//
//   ConfigTree cfg = load_config(machine_schema(), "configs/machines/gc2.yaml", {"tile.workers=4"});
//
// Order of layers, each deep-merged over the previous one (maps merge key by
// key; lists and scalars are replaced):
//   1. the schema defaults;
//   2. the file named by a top-level `base: <path>` key (relative to the file
//      that names it; a base may itself have a base; cycles are errors).
//      `base` is reserved at the top level: a schema cannot have a root field
//      of that name, and it is not part of the resulting tree;
//   3. the file itself;
//   4. the overrides, in order.
//
// An override is "key.path=value". The value is read as YAML, so it can be a
// scalar, a flow list ("[pc, stall]") or a flow map; an empty value ("key=")
// puts the key back to its default. List elements are addressed by index:
// "program.tensors.0.name" or "program.tensors[0].name" (both work; the
// element must exist). A map key takes one path segment, so map keys that
// contain dots can only be set by giving the whole map. Errors in an override
// are reported at "-p key=value".
//
// Every problem is one InputError line, "file:line:col: error: ...", naming the
// full key path: unknown keys (with the nearest valid name), wrong types,
// values out of range, bad enum values, missing required keys, duplicate keys,
// lists too short or long, malformed YAML.
#pragma once

#include "sim/config/schema.hpp"
#include "sim/config/tree.hpp"

#include <string>
#include <vector>

namespace ipusim::config {

struct Override {
  std::string text;     // "key.path=value"
  SourceLocation where; // where it was written; empty file: "-p <text>"
};

ConfigTree load_config(const Schema &schema, const std::string &yaml_path,
                       const std::vector<std::string> &overrides = {});
ConfigTree load_config_with(const Schema &schema, const std::string &yaml_path,
                            const std::vector<Override> &overrides);
// The same from text in memory; `display_name` stands for the file name in
// messages and is the base for relative paths and `base:`.
ConfigTree load_config_text(const Schema &schema, const std::string &yaml_text, const std::string &display_name,
                            const std::vector<std::string> &overrides = {});
// Only defaults and overrides (no file; messages name "<defaults>"); required
// keys without an override are errors.
ConfigTree default_config(const Schema &schema, const std::vector<std::string> &overrides = {});

// The entries of a map of scalars (e.g. a run's machine_overrides) as
// overrides located where each value was written.
std::vector<Override> overrides_from_map(const ConfigNode &map);

} // namespace ipusim::config
