#include "sim/config/raw.hpp"

#include "sim/config/path.hpp"
#include "sim/config/scalar.hpp"

#include <yaml-cpp/yaml.h>

namespace ipusim::config {
namespace {

SourceLocation at(const YAML::Mark &mark, const std::string &file) {
  if (mark.is_null() || mark.line < 0) return SourceLocation{file, 0, 0};
  return SourceLocation{file, mark.line + 1, mark.column + 1};
}

} // namespace

RawNode *RawNode::find(const std::string &k) {
  for (RawNode &c : children)
    if (c.key == k) return &c;
  return nullptr;
}

const RawNode *RawNode::find(const std::string &k) const {
  for (const RawNode &c : children)
    if (c.key == k) return &c;
  return nullptr;
}

RawNode &RawNode::entry(const std::string &k, const SourceLocation &where) {
  if (RawNode *existing = find(k)) return *existing;
  RawNode child;
  child.key = k;
  child.key_location = where;
  child.location = where;
  child.origin = origin;
  children.push_back(std::move(child));
  return children.back();
}

void RawNode::erase(const std::string &k) {
  for (auto it = children.begin(); it != children.end(); ++it)
    if (it->key == k) {
      children.erase(it);
      return;
    }
}

RawNode raw_from_yaml(const YAML::Node &node, const std::string &file, Origin origin, const std::string &path,
                      int depth) {
  RawNode out;
  out.origin = origin;
  out.location = at(node.Mark(), file);
  // A recursive alias (`a: &a [*a]`) would otherwise recurse without end.
  if (depth > kMaxYamlDepth)
    throw InputError(out.location, "YAML nested more than " + std::to_string(kMaxYamlDepth) +
                                       " levels deep (a recursive alias?)");
  if (!node.IsDefined() || node.IsNull()) return out;
  if (node.IsScalar()) {
    out.type = RawNode::Type::scalar;
    out.scalar = node.Scalar();
    return out;
  }
  if (node.IsSequence()) {
    out.type = RawNode::Type::sequence;
    std::size_t i = 0;
    for (const YAML::Node &item : node) {
      out.children.push_back(raw_from_yaml(item, file, origin, join_index(path, i), depth + 1));
      ++i;
    }
    return out;
  }
  out.type = RawNode::Type::map;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const SourceLocation key_at = at(it->first.Mark(), file);
    if (!it->first.IsScalar())
      throw InputError(key_at, "keys must be plain names" +
                                   (path.empty() ? std::string() : std::string(" (in '") + path + "')"));
    const std::string key = it->first.Scalar();
    const std::string key_path = join_key(path, key);
    if (const RawNode *first = out.find(key))
      throw InputError(key_at, "duplicate key '" + key_path + "' (first given at line " +
                                   std::to_string(first->key_location.line) + ")");
    RawNode value = raw_from_yaml(it->second, file, origin, key_path, depth + 1);
    // A null value has no position of its own worth showing (yaml-cpp puts it
    // at the next token); point at its key instead.
    if (value.is_null() || value.location.line == 0) value.location = key_at;
    value.key = key;
    value.key_location = key_at;
    out.children.push_back(std::move(value));
  }
  return out;
}

RawNode raw_from_text(const std::string &text, const std::string &display, Origin origin,
                      const SourceLocation &fixed_location) {
  const bool fixed = !fixed_location.file.empty();
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception &e) {
    const SourceLocation where = fixed ? fixed_location : at(e.mark, display);
    throw InputError(where, "invalid YAML: " + e.msg);
  }
  if (docs.size() > 1)
    throw InputError(fixed ? fixed_location : SourceLocation{display, 0, 0},
                     "holds " + std::to_string(docs.size()) + " YAML documents; expected one");
  RawNode out;
  out.origin = origin;
  if (!docs.empty()) out = raw_from_yaml(docs.front(), display, origin, "");
  if (fixed) set_origin(out, origin, fixed_location);
  else if (out.location.line == 0) out.location = SourceLocation{display, 1, 1};
  return out;
}

void merge_into(RawNode &base, const RawNode &overlay) {
  if (overlay.type == RawNode::Type::map && base.type == RawNode::Type::map) {
    for (const RawNode &child : overlay.children) {
      if (RawNode *existing = base.find(child.key)) merge_into(*existing, child);
      else base.children.push_back(child);
    }
    base.location = overlay.location;
    base.origin = overlay.origin;
    return;
  }
  if (overlay.is_null() && (base.type == RawNode::Type::map || base.type == RawNode::Type::sequence)) return;
  // Replace the value but keep the key this node is stored under.
  const std::string key = base.key;
  const SourceLocation key_location = overlay.key.empty() ? base.key_location : overlay.key_location;
  base = overlay;
  base.key = key;
  base.key_location = key_location;
}

void set_origin(RawNode &node, Origin origin, const SourceLocation &location) {
  node.origin = origin;
  node.location = location;
  if (!node.key.empty()) node.key_location = location;
  for (RawNode &c : node.children) set_origin(c, origin, location);
}

std::string raw_to_flow(const RawNode &node) {
  switch (node.type) {
  case RawNode::Type::null: return "~";
  case RawNode::Type::scalar: return quote_if_needed(node.scalar);
  case RawNode::Type::sequence: {
    std::string out = "[";
    for (std::size_t i = 0; i < node.children.size(); ++i)
      out += (i ? ", " : "") + raw_to_flow(node.children[i]);
    return out + "]";
  }
  case RawNode::Type::map: {
    std::string out = "{";
    for (std::size_t i = 0; i < node.children.size(); ++i)
      out += (i ? ", " : "") + quote_if_needed(node.children[i].key) + ": " + raw_to_flow(node.children[i]);
    return out + "}";
  }
  }
  return "";
}

} // namespace ipusim::config
