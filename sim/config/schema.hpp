// Config schemas, declared in code next to what uses them.
//
// A schema is a tree of nodes: Struct (named fields), List (of one element
// schema), Map (free string keys -> one element schema) and scalars (Bool,
// Int, UInt, Float, String, Enum, Path, AnyScalar). Each node carries a
// description, a unit, an optional inclusive range, an optional source (a
// citation, or "assumption: ..."), and a default, or is required/optional.
// The loader validates YAML against it, `ipusim describe` prints it, and the
// docs tables are generated from it, so the declaration is the one truth.
//
//   Schema s = Struct("sram", "Tile memory")
//       .field("size_bytes", UInt().unit("bytes").min(1).def(638976).desc("..."))
//       .field("latency_cycles", UInt().unit("cycles").range(1, 100).def(6)
//                                    .source("ipu-reference.md §2 Memory"));
//
// Builder calls return a modified copy, so a schema value can be reused as a
// template (`const Schema cycles = UInt().unit("cycles");`).
//
// Presence rules: a node with a default is filled in when absent; required()
// makes absence an error; optional() leaves it out of the tree. Without any
// of these, scalars, lists and maps are required and a struct is present with
// its fields' defaults (absent required fields inside it are then errors).
#pragma once

#include "sim/config/raw.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace ipusim::config {

class ConfigNode;

enum class NodeKind { structure, list, map, scalar };
enum class ScalarType { boolean, int64, uint64, float64, string, enumeration, path, any };
enum class Presence { implicit, required, optional };

// A struct-level validation hook: runs after the struct's fields are resolved
// and reports problems with ConfigNode::fail (which throws InputError).
using Check = std::function<void(const ConfigNode &)>;

class Schema;

struct SchemaNode {
  NodeKind kind = NodeKind::scalar;
  std::string name; // Struct: the type's name (docs); others: empty
  std::string description;
  std::string unit;
  std::string source;
  Presence presence = Presence::implicit;
  std::shared_ptr<const RawNode> default_value; // null: no default

  // Scalars.
  ScalarType type = ScalarType::string;
  std::vector<std::string> enum_values;
  std::optional<double> min, max; // inclusive bounds on the value
  bool hex = false;               // written in hex by to_yaml and describe

  // Structs.
  struct Field;
  std::vector<Field> fields;
  std::vector<Check> checks;

  // Lists and maps.
  std::shared_ptr<const SchemaNode> element;
  std::optional<std::size_t> min_size, max_size;

  const Field *field(const std::string &name) const;
  std::vector<std::string> field_names() const;
  bool has_default() const { return default_value != nullptr; }
};

class Schema {
public:
  Schema() = default;
  explicit Schema(std::shared_ptr<const SchemaNode> node) : node_(std::move(node)) {}

  const SchemaNode &node() const { return *node_; }
  const SchemaNode *operator->() const { return node_.get(); }
  const std::shared_ptr<const SchemaNode> &ptr() const { return node_; }
  explicit operator bool() const { return node_ != nullptr; }

  // --- builder: every call returns a modified copy ---------------------------
  Schema desc(std::string text) const;
  Schema unit(std::string text) const;
  Schema source(std::string citation) const;
  // Shorthand for source("assumption: " + why).
  Schema assumption(const std::string &why) const;

  Schema min(double v) const;           // scalars: inclusive lower bound
  Schema max(double v) const;           // scalars: inclusive upper bound
  Schema range(double lo, double hi) const;
  Schema min_size(std::size_t n) const; // lists: fewest elements
  Schema max_size(std::size_t n) const; // lists: most elements
  Schema hex() const;                   // uint/int: print in hex

  Schema required() const;
  Schema optional() const;

  // Default for a scalar: def(6), def(1.33e9), def(true), def("mk2").
  template <class T> Schema def(const T &v) const { return def_text(to_text(v)); }
  // Default written as YAML, for lists and maps: def_yaml("[pc, issue]").
  Schema def_yaml(const std::string &yaml) const;

  // Structs: appends a field (in the order fields are printed and written).
  Schema field(const std::string &name, const Schema &schema) const;
  // Structs: adds a validation hook.
  Schema check(Check fn) const;
  // Structs: exactly one of the named (optional) fields must be present.
  Schema exactly_one_of(std::vector<std::string> names) const;
  // Structs: at most one of the named (optional) fields may be present.
  Schema at_most_one_of(std::vector<std::string> names) const;

private:
  template <class F> Schema with(F &&change) const;
  Schema def_text(const std::string &text) const;
  template <class T> static std::string to_text(const T &v) {
    if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
    else if constexpr (std::is_integral_v<T>) return std::to_string(v);
    else if constexpr (std::is_floating_point_v<T>) return format_double(static_cast<double>(v));
    else return std::string(v);
  }
  static std::string format_double(double v);

  std::shared_ptr<const SchemaNode> node_;
};

struct SchemaNode::Field {
  std::string name;
  Schema schema;
};

// --- node constructors --------------------------------------------------------
Schema Struct(const std::string &name, const std::string &description = "");
Schema List(const Schema &element);
Schema Map(const Schema &element);
Schema Bool();
Schema Int();
Schema UInt();
Schema Float();
Schema String();
Schema Enum(std::vector<std::string> values);
// A file path; relative paths are resolved against the directory of the YAML
// file that wrote them (the current directory for -p overrides).
Schema Path();
// Any scalar, kept as the text written (e.g. values of machine_overrides).
Schema AnyScalar();

// "uint", "enum(a|b)", "list<uint>", "map<struct timing_class>", ...
std::string type_name(const SchemaNode &node);

} // namespace ipusim::config
