#include "sim/config/resolve.hpp"

#include "sim/config/path.hpp"
#include "sim/config/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace ipusim::config {
namespace {

namespace fs = std::filesystem;

std::string prefix(const std::string &path) { return path.empty() ? std::string() : path + ": "; }

std::string join(const std::vector<std::string> &names) {
  std::string out;
  for (const auto &n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string format_bound(const SchemaNode &s, double bound) {
  const bool integral = s.type == ScalarType::uint64 || s.type == ScalarType::int64;
  if (integral && std::abs(bound) < 9.2e18) {
    const auto i = static_cast<long long>(bound);
    if (s.hex && i >= 0) return fmt::format("{:#x}", i);
    return std::to_string(i);
  }
  return format_float(bound);
}

// Range check on the value as a long double (exact for every 64-bit integer
// bound the schemas use).
void check_range(const SchemaNode &s, long double v, const std::string &text, const SourceLocation &where,
                 const std::string &path) {
  const bool low = s.min && v < static_cast<long double>(*s.min);
  const bool high = s.max && v > static_cast<long double>(*s.max);
  if (!low && !high) return;
  std::string msg = prefix(path) + "value " + text;
  if (s.min && s.max) msg += " is out of range [" + format_bound(s, *s.min) + ", " + format_bound(s, *s.max) + "]";
  else if (low) msg += " is below the minimum " + format_bound(s, *s.min);
  else msg += " is above the maximum " + format_bound(s, *s.max);
  throw InputError(where, msg);
}

} // namespace

std::string expected_phrase(const SchemaNode &s) {
  switch (s.kind) {
  case NodeKind::structure: return "a map of keys";
  case NodeKind::list: return "a list";
  case NodeKind::map: return "a map";
  case NodeKind::scalar: break;
  }
  switch (s.type) {
  case ScalarType::boolean: return "true or false";
  case ScalarType::int64: return "an integer";
  case ScalarType::uint64: return "an unsigned integer";
  case ScalarType::float64: return "a number";
  case ScalarType::string: return "a string";
  case ScalarType::enumeration: return "one of: " + join(s.enum_values);
  case ScalarType::path: return "a path";
  case ScalarType::any: return "a scalar value";
  }
  return "a value";
}

std::string found_phrase(const RawNode &raw) {
  switch (raw.type) {
  case RawNode::Type::null: return "nothing";
  case RawNode::Type::scalar: return "'" + raw.scalar + "'";
  case RawNode::Type::sequence: return "a list";
  case RawNode::Type::map: return "a map";
  }
  return "?";
}

ConfigNode Resolver::resolve_root(const SchemaNode &schema, const RawNode *raw) const {
  const SourceLocation anchor{top_file_, 0, 0};
  auto node = resolve(schema, raw, "", "", anchor, nullptr);
  if (!node) throw Error(ExitCode::internal, "internal error: the config root is optional");
  return std::move(*node);
}

std::optional<ConfigNode> Resolver::resolve(const SchemaNode &s, const RawNode *raw, const std::string &key,
                                            const std::string &path, const SourceLocation &anchor,
                                            const ConfigNode *parent) const {
  // An explicit null ("key:" or "key: ~") means "not given".
  const RawNode *given_null = raw && raw->is_null() ? raw : nullptr;
  if (given_null) raw = nullptr;

  // A map's default entries stay unless the file changes them: merge the
  // written entries over the default ones.
  RawNode merged;
  if (raw && s.kind == NodeKind::map && s.default_value && raw->type == RawNode::Type::map) {
    merged = *s.default_value;
    merge_into(merged, *raw);
    raw = &merged;
  }

  if (!raw) {
    if (s.default_value) {
      raw = s.default_value.get();
    } else if (s.presence == Presence::optional) {
      return std::nullopt;
    } else if (s.kind != NodeKind::structure || s.presence == Presence::required) {
      if (given_null) throw InputError(given_null->location, prefix(path) + "expected " + expected_phrase(s) + ", got nothing");
      throw InputError(anchor, "missing required key '" + path + "'");
    }
  }

  ConfigNode node;
  node.schema_ = &s;
  node.key_ = key;
  if (s.kind == NodeKind::scalar) {
    node.path_ = parent ? parent->path_ : nullptr;
    node.list_item_ = parent && parent->kind() == NodeKind::list;
  } else {
    node.path_ = std::make_shared<const std::string>(path);
  }
  if (raw && raw->origin != Origin::fallback) {
    node.origin_ = raw->origin;
    node.set_location(raw->location);
  } else {
    node.origin_ = Origin::fallback;
    node.set_location(SourceLocation{top_file_, 0, 0});
  }
  // Children that are missing report at the nearest place the user wrote.
  const SourceLocation child_anchor = node.origin_ == Origin::fallback ? anchor : node.location();

  if (raw && s.kind != NodeKind::scalar) {
    const bool ok = (s.kind == NodeKind::list && raw->type == RawNode::Type::sequence) ||
                    (s.kind != NodeKind::list && raw->type == RawNode::Type::map);
    if (!ok) {
      if (path.empty())
        throw InputError(raw->location, "expected " + expected_phrase(s) + " at the top level, got " + found_phrase(*raw));
      throw InputError(raw->location, prefix(path) + "expected " + expected_phrase(s) + ", got " + found_phrase(*raw));
    }
  }

  switch (s.kind) {
  case NodeKind::structure: resolve_struct(node, raw, child_anchor); break;
  case NodeKind::list: resolve_list(node, *raw, child_anchor); break;
  case NodeKind::map: resolve_map(node, *raw); break;
  case NodeKind::scalar: resolve_scalar(node, *raw, path); break;
  }
  return node;
}

void Resolver::resolve_struct(ConfigNode &node, const RawNode *raw, const SourceLocation &anchor) const {
  const SchemaNode &s = *node.schema_;
  if (raw) {
    for (const RawNode &child : raw->children)
      if (!s.field(child.key))
        throw InputError(child.key_location, "unknown key '" + join_key(*node.path_, child.key) + "'" +
                                                 did_you_mean(child.key, s.field_names()));
  }
  for (const SchemaNode::Field &f : s.fields) {
    const RawNode *child_raw = raw ? raw->find(f.name) : nullptr;
    auto child = resolve(f.schema.node(), child_raw, f.name, join_key(*node.path_, f.name), anchor, &node);
    if (child) node.children_.push_back(std::move(*child));
  }
  for (const Check &check : s.checks) check(node);
}

void Resolver::resolve_list(ConfigNode &node, const RawNode &raw, const SourceLocation &anchor) const {
  const SchemaNode &s = *node.schema_;
  const std::size_t n = raw.children.size();
  auto count = [](std::size_t k) { return std::to_string(k) + (k == 1 ? " element" : " elements"); };
  if (s.min_size && n < *s.min_size)
    throw InputError(node.location(), prefix(*node.path_) + "the list has " + count(n) + "; at least " +
                                         std::to_string(*s.min_size) + " required");
  if (s.max_size && n > *s.max_size)
    throw InputError(node.location(), prefix(*node.path_) + "the list has " + count(n) + "; at most " +
                                         std::to_string(*s.max_size) + " allowed");
  for (std::size_t i = 0; i < n; ++i) {
    const RawNode &item = raw.children[i];
    const std::string item_path = join_index(*node.path_, i);
    // yaml-cpp places an empty element at the next token, which may be past
    // the end of the file: point at the list instead.
    if (item.is_null())
      throw InputError(node.location(), item_path + ": empty list element; expected " + expected_phrase(*s.element));
    auto child = resolve(*s.element, &item, std::to_string(i), item_path, anchor, &node);
    node.children_.push_back(std::move(*child));
  }
}

void Resolver::resolve_map(ConfigNode &node, const RawNode &raw) const {
  const SchemaNode &s = *node.schema_;
  for (const RawNode &entry : raw.children) {
    const std::string entry_path = join_key(*node.path_, entry.key);
    if (entry.key.empty()) throw InputError(entry.key_location, prefix(*node.path_) + "empty key");
    auto child = resolve(*s.element, &entry, entry.key, entry_path, entry.key_location, &node);
    if (child) node.children_.push_back(std::move(*child));
  }
}

std::string Resolver::resolve_path(const std::string &text, const RawNode &raw) const {
  fs::path p(text);
  if (p.is_relative()) {
    fs::path base;
    if (raw.origin == Origin::file) base = fs::path(raw.location.file).parent_path();
    else if (raw.origin == Origin::fallback) base = fs::path(top_file_).parent_path();
    // overrides: relative to the current directory
    p = base / p;
  }
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  if (ec) abs = p;
  return abs.lexically_normal().string();
}

void Resolver::resolve_scalar(ConfigNode &node, const RawNode &raw, const std::string &path) const {
  const SchemaNode &s = *node.schema_;
  // A default's raw node has no file: errors point where the node does.
  const bool at_node = node.origin_ == Origin::fallback && raw.location.file.empty();
  const SourceLocation node_location = at_node ? node.location() : SourceLocation{};
  const SourceLocation &where = at_node ? node_location : raw.location;
  if (raw.type != RawNode::Type::scalar)
    throw InputError(where, prefix(path) + "expected " + expected_phrase(s) + ", got " + found_phrase(raw));
  const std::string &text = raw.scalar;
  node.text_ = text;
  std::string error;
  auto fail = [&]() { throw InputError(where, prefix(path) + error); };
  switch (s.type) {
  case ScalarType::boolean: {
    auto v = parse_bool(text, error);
    if (!v) fail();
    node.value_ = *v;
    break;
  }
  case ScalarType::int64: {
    auto v = parse_int(text, error);
    if (!v) fail();
    check_range(s, static_cast<long double>(*v), text, where, path);
    node.value_ = *v;
    break;
  }
  case ScalarType::uint64: {
    auto v = parse_uint(text, error);
    if (!v) fail();
    check_range(s, static_cast<long double>(*v), text, where, path);
    node.value_ = *v;
    break;
  }
  case ScalarType::float64: {
    auto v = parse_float(text, error);
    if (!v) fail();
    check_range(s, static_cast<long double>(*v), text, where, path);
    node.value_ = *v;
    break;
  }
  case ScalarType::enumeration:
    if (std::find(s.enum_values.begin(), s.enum_values.end(), text) == s.enum_values.end())
      throw InputError(where, prefix(path) + "invalid value '" + text + "'; expected one of: " +
                                  join(s.enum_values) + did_you_mean(text, s.enum_values));
    node.value_ = text;
    break;
  case ScalarType::path:
    if (text.empty()) throw InputError(where, prefix(path) + "expected a path, got an empty string");
    node.value_ = resolve_path(text, raw);
    break;
  case ScalarType::string:
  case ScalarType::any: node.value_ = text; break;
  }
}

} // namespace ipusim::config
