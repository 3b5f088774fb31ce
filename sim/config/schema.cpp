#include "sim/config/schema.hpp"

#include "sim/config/scalar.hpp"
#include "sim/config/tree.hpp"

#include <algorithm>
#include <stdexcept>

namespace ipusim::config {
namespace {

// Schema mistakes are bugs in ipusim, found when the schema is first built.
[[noreturn]] void schema_bug(const std::string &what) { throw std::logic_error("config schema: " + what); }

Schema make(NodeKind kind, ScalarType type = ScalarType::string) {
  auto n = std::make_shared<SchemaNode>();
  n->kind = kind;
  n->type = type;
  return Schema(std::move(n));
}

std::string join(const std::vector<std::string> &names, const char *sep) {
  std::string out;
  for (const auto &n : names) out += (out.empty() ? "" : sep) + n;
  return out;
}

} // namespace

const SchemaNode::Field *SchemaNode::field(const std::string &field_name) const {
  for (const Field &f : fields)
    if (f.name == field_name) return &f;
  return nullptr;
}

std::vector<std::string> SchemaNode::field_names() const {
  std::vector<std::string> out;
  for (const Field &f : fields) out.push_back(f.name);
  return out;
}

template <class F> Schema Schema::with(F &&change) const {
  if (!node_) schema_bug("builder called on an empty schema");
  auto copy = std::make_shared<SchemaNode>(*node_);
  change(*copy);
  return Schema(std::move(copy));
}

Schema Schema::desc(std::string text) const {
  return with([&](SchemaNode &n) { n.description = std::move(text); });
}
Schema Schema::unit(std::string text) const {
  return with([&](SchemaNode &n) { n.unit = std::move(text); });
}
Schema Schema::source(std::string citation) const {
  return with([&](SchemaNode &n) { n.source = std::move(citation); });
}
Schema Schema::assumption(const std::string &why) const { return source("assumption: " + why); }

Schema Schema::min(double v) const {
  return with([&](SchemaNode &n) {
    if (n.kind != NodeKind::scalar) schema_bug("min() on a non-scalar; use min_size() for lists");
    n.min = v;
  });
}
Schema Schema::max(double v) const {
  return with([&](SchemaNode &n) {
    if (n.kind != NodeKind::scalar) schema_bug("max() on a non-scalar; use max_size() for lists");
    n.max = v;
  });
}
Schema Schema::range(double lo, double hi) const { return min(lo).max(hi); }
Schema Schema::min_size(std::size_t v) const {
  return with([&](SchemaNode &n) {
    if (n.kind != NodeKind::list) schema_bug("min_size() on a non-list");
    n.min_size = v;
  });
}
Schema Schema::max_size(std::size_t v) const {
  return with([&](SchemaNode &n) {
    if (n.kind != NodeKind::list) schema_bug("max_size() on a non-list");
    n.max_size = v;
  });
}
Schema Schema::hex() const {
  return with([&](SchemaNode &n) { n.hex = true; });
}
Schema Schema::required() const {
  return with([&](SchemaNode &n) { n.presence = Presence::required; });
}
Schema Schema::optional() const {
  return with([&](SchemaNode &n) { n.presence = Presence::optional; });
}

std::string Schema::format_double(double v) { return format_float(v); }

Schema Schema::def_text(const std::string &text) const {
  return with([&](SchemaNode &n) {
    if (n.kind != NodeKind::scalar) schema_bug("def() on a non-scalar; use def_yaml()");
    // A default must itself be valid: check it now rather than at load time.
    std::string error;
    bool ok = true;
    switch (n.type) {
    case ScalarType::boolean: ok = parse_bool(text, error).has_value(); break;
    case ScalarType::int64: ok = parse_int(text, error).has_value(); break;
    case ScalarType::uint64: ok = parse_uint(text, error).has_value(); break;
    case ScalarType::float64: ok = parse_float(text, error).has_value(); break;
    case ScalarType::enumeration:
      ok = std::find(n.enum_values.begin(), n.enum_values.end(), text) != n.enum_values.end();
      error = "'" + text + "' is not one of the enum values";
      break;
    default: break;
    }
    if (!ok) schema_bug("bad default: " + error);
    auto raw = std::make_shared<RawNode>();
    raw->type = RawNode::Type::scalar;
    raw->scalar = text;
    raw->origin = Origin::fallback;
    n.default_value = std::move(raw);
  });
}

Schema Schema::def_yaml(const std::string &yaml) const {
  return with([&](SchemaNode &n) {
    if (n.kind == NodeKind::structure) schema_bug("def_yaml() on a struct; give its fields defaults");
    auto raw = std::make_shared<RawNode>(raw_from_text(yaml, "<schema default>", Origin::fallback));
    set_origin(*raw, Origin::fallback, {});
    n.default_value = std::move(raw);
  });
}

Schema Schema::field(const std::string &field_name, const Schema &schema) const {
  return with([&](SchemaNode &n) {
    if (n.kind != NodeKind::structure) schema_bug("field() on a non-struct");
    if (!schema) schema_bug("field '" + field_name + "' has an empty schema");
    if (n.field(field_name)) schema_bug("duplicate field '" + field_name + "'");
    if (field_name.empty() || field_name.find_first_of(".[]") != std::string::npos)
      schema_bug("bad field name '" + field_name + "'");
    n.fields.push_back({field_name, schema});
  });
}

Schema Schema::check(Check fn) const {
  return with([&](SchemaNode &n) {
    if (n.kind != NodeKind::structure) schema_bug("check() on a non-struct");
    n.checks.push_back(std::move(fn));
  });
}

Schema Schema::exactly_one_of(std::vector<std::string> names) const {
  for (const auto &name : names)
    if (!node_->field(name)) schema_bug("exactly_one_of names unknown field '" + name + "'");
  return check([names](const ConfigNode &node) {
    std::vector<std::string> given;
    for (const auto &name : names)
      if (node.has(name)) given.push_back(name);
    if (given.size() == 1) return;
    const std::string what = node.path().empty() ? "the file" : "'" + node.path() + "'";
    if (given.empty()) node.fail(what + " needs exactly one of " + join(names, ", ") + "; none is given");
    node.fail(what + " needs exactly one of " + join(names, ", ") + "; " + join(given, " and ") + " are given");
  });
}

Schema Schema::at_most_one_of(std::vector<std::string> names) const {
  for (const auto &name : names)
    if (!node_->field(name)) schema_bug("at_most_one_of names unknown field '" + name + "'");
  return check([names](const ConfigNode &node) {
    std::vector<std::string> given;
    for (const auto &name : names)
      if (node.has(name)) given.push_back(name);
    if (given.size() <= 1) return;
    const std::string what = node.path().empty() ? "the file" : "'" + node.path() + "'";
    node.fail(what + " takes at most one of " + join(names, ", ") + "; " + join(given, " and ") + " are given");
  });
}

Schema Struct(const std::string &name, const std::string &description) {
  auto n = std::make_shared<SchemaNode>();
  n->kind = NodeKind::structure;
  n->name = name;
  n->description = description;
  return Schema(std::move(n));
}

Schema List(const Schema &element) {
  if (!element) schema_bug("List of an empty schema");
  auto n = std::make_shared<SchemaNode>();
  n->kind = NodeKind::list;
  n->element = element.ptr();
  return Schema(std::move(n));
}

Schema Map(const Schema &element) {
  if (!element) schema_bug("Map of an empty schema");
  auto n = std::make_shared<SchemaNode>();
  n->kind = NodeKind::map;
  n->element = element.ptr();
  return Schema(std::move(n));
}

Schema Bool() { return make(NodeKind::scalar, ScalarType::boolean); }
Schema Int() { return make(NodeKind::scalar, ScalarType::int64); }
Schema UInt() { return make(NodeKind::scalar, ScalarType::uint64); }
Schema Float() { return make(NodeKind::scalar, ScalarType::float64); }
Schema String() { return make(NodeKind::scalar, ScalarType::string); }
Schema Path() { return make(NodeKind::scalar, ScalarType::path); }
Schema AnyScalar() { return make(NodeKind::scalar, ScalarType::any); }
Schema Enum(std::vector<std::string> values) {
  if (values.empty()) schema_bug("Enum without values");
  auto n = std::make_shared<SchemaNode>();
  n->kind = NodeKind::scalar;
  n->type = ScalarType::enumeration;
  n->enum_values = std::move(values);
  return Schema(std::move(n));
}

std::string type_name(const SchemaNode &node) {
  switch (node.kind) {
  case NodeKind::structure: return "struct";
  case NodeKind::list: return "list<" + type_name(*node.element) + ">";
  case NodeKind::map: return "map<" + type_name(*node.element) + ">";
  case NodeKind::scalar: break;
  }
  switch (node.type) {
  case ScalarType::boolean: return "bool";
  case ScalarType::int64: return "int";
  case ScalarType::uint64: return "uint";
  case ScalarType::float64: return "float";
  case ScalarType::string: return "string";
  case ScalarType::enumeration: return "enum(" + join(node.enum_values, "|") + ")";
  case ScalarType::path: return "path";
  case ScalarType::any: return "scalar";
  }
  return "?";
}

} // namespace ipusim::config
