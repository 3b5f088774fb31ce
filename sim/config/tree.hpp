// A resolved configuration: every key of the schema with its value (defaults
// applied) and where the value came from.
//
// Code reads it once, at start-up, into plain structs:
//
//   const ConfigTree cfg = load_config(machine_schema(), path, overrides);
//   m.clock_hz = cfg.get_float("clock_hz");
//   for (const ConfigNode &t : cfg.node("program.tensors"))
//     if (t.get_uint("align") % 8 != 0) t.fail("align", "tensor '" + t.get_string("name") + "' ...");
//
// Paths are relative to the node they are asked of; list elements are
// "tensors[0]" or "tensors.0". Asking for a key the schema does not have, or
// for the wrong type, is a bug in the caller and throws Error(ExitCode::internal);
// asking for an optional key that was not given does too (check has() first).
// fail() is for problems in the user's input found after loading: it throws
// InputError at the file:line:column the value came from.
#pragma once

#include "sim/common/error.hpp"
#include "sim/config/raw.hpp"
#include "sim/config/scalar.hpp"
#include "sim/config/schema.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ipusim::config {

class ConfigNode {
public:
  NodeKind kind() const { return schema_->kind; }
  const SchemaNode &schema() const { return *schema_; }
  // The field name, map key or list index ("3") of this node; "" for the root.
  const std::string &key() const { return key_; }
  // Full key path from the root, e.g. "program.tensors[0].name".
  std::string path() const;
  // Where the value was written. For defaults: the top-level config file
  // (no line); for overrides: "-p key=value".
  SourceLocation location() const { return {file_ ? *file_ : std::string(), line_, column_}; }
  Origin origin() const { return origin_; }
  bool is_default() const { return origin_ == Origin::fallback; }
  // "file:line:col", "default" or "-p key=value".
  std::string where() const;

  // --- containers (struct, list, map) -----------------------------------------
  // Children in order: struct fields in schema order (absent optional fields
  // left out), list elements, or map entries (defaults first, then new keys in
  // the order written).
  const std::vector<ConfigNode> &children() const { return children_; }
  std::vector<ConfigNode>::const_iterator begin() const { return children_.begin(); }
  std::vector<ConfigNode>::const_iterator end() const { return children_.end(); }
  std::size_t size() const { return children_.size(); }
  bool empty() const { return children_.empty(); }
  const ConfigNode &operator[](std::size_t index) const;
  // Map keys (or struct field names present), in order.
  std::vector<std::string> keys() const;

  // Relative lookups. find() returns null when a key is absent (an optional
  // field not given, a map key not present, an index past the end).
  const ConfigNode *find(const std::string &rel_path) const;
  bool has(const std::string &rel_path) const { return find(rel_path) != nullptr; }
  const ConfigNode &node(const std::string &rel_path) const;

  // --- scalars -----------------------------------------------------------------
  bool as_bool() const;
  std::int64_t as_int() const;
  std::uint64_t as_uint() const;
  double as_float() const; // also reads int and uint values
  // string, enum, path (absolute, normalised) and any-scalar values.
  const std::string &as_string() const;
  const std::string &as_path() const;
  // The scalar as written in the YAML (before path resolution, etc.).
  const std::string &text() const { return text_; }
  const Value &value() const { return value_; }

  bool get_bool(const std::string &rel_path) const { return node(rel_path).as_bool(); }
  std::int64_t get_int(const std::string &rel_path) const { return node(rel_path).as_int(); }
  std::uint64_t get_uint(const std::string &rel_path) const { return node(rel_path).as_uint(); }
  double get_float(const std::string &rel_path) const { return node(rel_path).as_float(); }
  const std::string &get_string(const std::string &rel_path) const { return node(rel_path).as_string(); }
  const std::string &get_path(const std::string &rel_path) const { return node(rel_path).as_path(); }
  // Lists of scalars.
  std::vector<std::uint64_t> get_uint_list(const std::string &rel_path) const;
  std::vector<std::int64_t> get_int_list(const std::string &rel_path) const;
  std::vector<double> get_float_list(const std::string &rel_path) const;
  std::vector<std::string> get_string_list(const std::string &rel_path) const; // also paths

  // Throws InputError at this node's location (or the location of the node at
  // rel_path, when that is present; else at this node).
  [[noreturn]] void fail(const std::string &message) const;
  [[noreturn]] void fail(const std::string &rel_path, const std::string &message) const;

private:
  friend class Resolver;
  [[noreturn]] void misuse(const std::string &what) const;

  void set_location(const SourceLocation &where);

  // A large run (a full chip's tensor mappings) has millions of nodes, so a
  // node keeps no string of its own beyond its key and text: a container
  // holds its path, shared with its scalar children (path_ is the parent's
  // path for a scalar), and file names are interned.
  const SchemaNode *schema_ = nullptr;
  std::string key_;
  std::shared_ptr<const std::string> path_;
  bool list_item_ = false; // a list element: its path is parent[key]
  const std::string *file_ = nullptr;
  int line_ = 0, column_ = 0;
  Origin origin_ = Origin::file;
  std::vector<ConfigNode> children_;
  Value value_;
  std::string text_;
};

class ConfigTree {
public:
  ConfigTree() = default;
  ConfigTree(Schema schema, ConfigNode root, std::string file)
      : schema_(std::move(schema)), root_(std::move(root)), file_(std::move(file)) {}

  const ConfigNode &root() const { return root_; }
  const Schema &schema() const { return schema_; }
  // The top-level YAML file ("<defaults>" for default_config()).
  const std::string &file() const { return file_; }

  const ConfigNode *find(const std::string &path) const { return root_.find(path); }
  bool has(const std::string &path) const { return root_.has(path); }
  const ConfigNode &node(const std::string &path) const { return root_.node(path); }
  SourceLocation location(const std::string &path) const { return root_.node(path).location(); }

  bool get_bool(const std::string &path) const { return root_.get_bool(path); }
  std::int64_t get_int(const std::string &path) const { return root_.get_int(path); }
  std::uint64_t get_uint(const std::string &path) const { return root_.get_uint(path); }
  double get_float(const std::string &path) const { return root_.get_float(path); }
  const std::string &get_string(const std::string &path) const { return root_.get_string(path); }
  const std::string &get_path(const std::string &path) const { return root_.get_path(path); }
  std::vector<std::uint64_t> get_uint_list(const std::string &path) const { return root_.get_uint_list(path); }
  std::vector<std::string> get_string_list(const std::string &path) const { return root_.get_string_list(path); }

  [[noreturn]] void fail(const std::string &path, const std::string &message) const { root_.fail(path, message); }

private:
  Schema schema_; // keeps the nodes' schema pointers alive
  ConfigNode root_;
  std::string file_;
};

} // namespace ipusim::config
