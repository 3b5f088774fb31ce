// The YAML text as written, before it meets the schema: a tree of scalars,
// lists and maps where every node remembers where it came from. Base files,
// the including file, schema defaults and -p overrides are all turned into
// this form and merged before one validation pass turns the result into a
// ConfigTree, so every error can name the file, line and column (or the
// override) that caused it.
#pragma once

#include "sim/common/error.hpp"

#include <string>
#include <utility>
#include <vector>

namespace YAML {
class Node;
}

namespace ipusim::config {

// Where a value came from.
enum class Origin {
  file,     // a YAML file (location has file:line:column)
  fallback, // the schema's default
  override_ // a -p key=value (or a run file's machine_overrides entry)
};

struct RawNode {
  enum class Type { null, scalar, sequence, map };
  Type type = Type::null;
  std::string scalar;              // Type::scalar: the text as written (quotes removed)
  // Type::sequence: the elements; Type::map: the values, in file order, each
  // carrying its key.
  std::vector<RawNode> children;
  SourceLocation location;         // of the value (for null values: of its key)
  Origin origin = Origin::file;
  std::string key;                 // when this node is a map value
  SourceLocation key_location;

  bool is_null() const { return type == Type::null; }
  RawNode *find(const std::string &key);
  const RawNode *find(const std::string &key) const;
  // Adds (or returns the existing) entry for `key`.
  RawNode &entry(const std::string &key, const SourceLocation &key_location);
  // Removes the entry for `key`, if any.
  void erase(const std::string &key);
};

// Converts a parsed YAML document. `path` is the key path of `node` (for
// error messages); duplicate keys and non-scalar keys are InputErrors.
constexpr int kMaxYamlDepth = 200;
RawNode raw_from_yaml(const YAML::Node &node, const std::string &file, Origin origin, const std::string &path,
                      int depth = 0);

// Parses YAML text (a whole file, a default written as YAML, or the value of
// an override). `display` names the text in error messages. A text holding
// more than one document is an error.
RawNode raw_from_text(const std::string &text, const std::string &display, Origin origin,
                      const SourceLocation &fixed_location = {});

// Deep merge: maps are merged key by key (overlay wins, new keys appended in
// overlay order); scalars, lists and nulls in the overlay replace what was
// there, except that a null overlay leaves a map or list in `base` alone.
void merge_into(RawNode &base, const RawNode &overlay);

// Re-labels a whole subtree (used for defaults and overrides, which have no
// line numbers of their own).
void set_origin(RawNode &node, Origin origin, const SourceLocation &location);

// Compact one-line YAML flow form, for documentation: [pc, issue], {a: 1}.
std::string raw_to_flow(const RawNode &node);

} // namespace ipusim::config
