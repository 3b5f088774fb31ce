// Validation: turns merged raw YAML into a ConfigTree node by node, applying
// defaults and reporting the first problem as a one-line InputError.
#pragma once

#include "sim/config/raw.hpp"
#include "sim/config/schema.hpp"
#include "sim/config/tree.hpp"

#include <optional>
#include <string>

namespace ipusim::config {

class Resolver {
public:
  // top_file: the file the user named; defaults are reported against it, and
  // default paths are resolved relative to its directory.
  explicit Resolver(std::string top_file) : top_file_(std::move(top_file)) {}

  // raw may be null (nothing written: every key at its default).
  ConfigNode resolve_root(const SchemaNode &schema, const RawNode *raw) const;

private:
  std::optional<ConfigNode> resolve(const SchemaNode &schema, const RawNode *raw, const std::string &key,
                                    const std::string &path, const SourceLocation &anchor,
                                    const ConfigNode *parent) const;
  void resolve_struct(ConfigNode &node, const RawNode *raw, const SourceLocation &anchor) const;
  void resolve_list(ConfigNode &node, const RawNode &raw, const SourceLocation &anchor) const;
  void resolve_map(ConfigNode &node, const RawNode &raw) const;
  void resolve_scalar(ConfigNode &node, const RawNode &raw, const std::string &path) const;
  std::string resolve_path(const std::string &text, const RawNode &raw) const;

  std::string top_file_;
};

// "an unsigned integer", "a list", "one of: a, b" — what a schema node expects.
std::string expected_phrase(const SchemaNode &schema);
// "'abc'", "a list", "a map", "nothing" — what was found.
std::string found_phrase(const RawNode &raw);

} // namespace ipusim::config
