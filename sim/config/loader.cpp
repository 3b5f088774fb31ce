#include "sim/config/loader.hpp"

#include "sim/config/path.hpp"
#include "sim/config/raw.hpp"
#include "sim/config/resolve.hpp"
#include "sim/config/scalar.hpp"
#include "sim/config/suggest.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ipusim::config {
namespace {

namespace fs = std::filesystem;

std::string trim(const std::string &s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::string read_file(const std::string &path, const SourceLocation &named_at) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(named_at, "'" + path + "' is a directory, not a YAML file");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const std::string why = std::strerror(errno);
    if (named_at.file.empty()) throw InputError(SourceLocation{path, 0, 0}, "cannot read the file: " + why);
    throw InputError(named_at, "cannot read '" + path + "': " + why);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string canonical_name(const std::string &path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::path(path), ec);
  return ec ? fs::absolute(path).lexically_normal().string() : p.string();
}

// Loads `path` and, first, the chain of base files it names.
RawNode load_layers(const std::string &text, const std::string &path, std::vector<std::string> &stack) {
  RawNode root = raw_from_text(text, path, Origin::file);
  if (root.type != RawNode::Type::map) return root;
  const RawNode *base_entry = root.find("base");
  if (!base_entry) return root;
  const RawNode base_ref = *base_entry;
  root.erase("base");
  if (base_ref.type != RawNode::Type::scalar || base_ref.scalar.empty())
    throw InputError(base_ref.location, "base: expected the path of a YAML file, got " + found_phrase(base_ref));

  fs::path base_path(base_ref.scalar);
  if (base_path.is_relative()) base_path = fs::path(path).parent_path() / base_path;
  const std::string base_name = base_path.lexically_normal().string();
  const std::string canon = canonical_name(base_name);
  if (std::find(stack.begin(), stack.end(), canon) != stack.end()) {
    std::string chain;
    for (const auto &s : stack) chain += fs::path(s).filename().string() + " -> ";
    throw InputError(base_ref.location, "base files form a cycle: " + chain + fs::path(canon).filename().string());
  }
  std::error_code ec;
  if (!fs::exists(base_name, ec))
    throw InputError(base_ref.location, "base file '" + base_ref.scalar + "' not found (looked for " + base_name + ")");
  stack.push_back(canon);
  RawNode merged = load_layers(read_file(base_name, base_ref.location), base_name, stack);
  stack.pop_back();
  if (merged.type != RawNode::Type::map) {
    if (merged.is_null()) return root;
    throw InputError(merged.location, "expected a map of keys at the top level, got " + found_phrase(merged));
  }
  merge_into(merged, root);
  return merged;
}

// Every struct key path reachable without entering a list or map, for
// suggesting a full path when an override names a key that does not exist.
void struct_paths(const SchemaNode &s, const std::string &path, std::vector<std::string> &out) {
  if (!path.empty()) out.push_back(path);
  if (s.kind != NodeKind::structure) return;
  for (const auto &f : s.fields) struct_paths(f.schema.node(), join_key(path, f.name), out);
}

[[noreturn]] void unknown_override_key(const SchemaNode &root, const SchemaNode &parent, const std::string &parent_path,
                                       const std::string &segment, const std::string &written,
                                       const SourceLocation &where) {
  std::string msg = "unknown key '" + join_key(parent_path, segment) + "'";
  if (auto sibling = nearest(segment, parent.field_names())) {
    msg += "; did you mean '" + join_key(parent_path, *sibling) + "'?";
  } else {
    std::vector<std::string> all;
    struct_paths(root, "", all);
    std::vector<std::string> suffix;
    for (const auto &p : all)
      if (p.size() > written.size() && p.compare(p.size() - written.size(), written.size(), written) == 0 &&
          p[p.size() - written.size() - 1] == '.')
        suffix.push_back(p);
    if (suffix.size() == 1) msg += "; did you mean '" + suffix.front() + "'?";
    else msg += did_you_mean(written, all);
  }
  throw InputError(where, msg);
}

void make_map(RawNode &node, const SourceLocation &where) {
  if (node.type == RawNode::Type::map) return;
  node.type = RawNode::Type::map;
  node.scalar.clear();
  node.children.clear();
  node.origin = Origin::override_;
  node.location = where;
}

void apply_override(RawNode &root, const SchemaNode &schema, const Override &ov) {
  const SourceLocation where = ov.where.file.empty() ? SourceLocation{"-p " + ov.text, 0, 0} : ov.where;
  const auto eq = ov.text.find('=');
  if (eq == std::string::npos) throw InputError(where, "expected key.path=value");
  const std::string key_text = trim(ov.text.substr(0, eq));
  const std::string value_text = trim(ov.text.substr(eq + 1));
  const auto segments = split_path(key_text);
  if (!segments) throw InputError(where, "malformed key path '" + key_text + "'");
  RawNode value = raw_from_text(value_text, where.str(), Origin::override_, where);

  RawNode *cur = &root;
  const SchemaNode *s = &schema;
  std::string path;
  for (const std::string &seg : *segments) {
    switch (s->kind) {
    case NodeKind::scalar:
      throw InputError(where, "'" + path + "' is a " + type_name(*s) + " value; it has no key '" + seg + "'");
    case NodeKind::structure: {
      const auto *f = s->field(seg);
      if (!f) unknown_override_key(schema, *s, path, seg, key_text, where);
      make_map(*cur, where);
      cur = &cur->entry(seg, where);
      s = &f->schema.node();
      path = join_key(path, seg);
      break;
    }
    case NodeKind::map:
      make_map(*cur, where);
      cur = &cur->entry(seg, where);
      s = s->element.get();
      path = join_key(path, seg);
      break;
    case NodeKind::list: {
      const auto index = parse_index(seg);
      if (!index) throw InputError(where, "'" + path + "' is a list; '" + seg + "' is not an index");
      if (cur->type != RawNode::Type::sequence && s->default_value &&
          s->default_value->type == RawNode::Type::sequence) {
        const std::string key = cur->key;
        const SourceLocation key_location = cur->key_location;
        *cur = *s->default_value;
        cur->key = key;
        cur->key_location = key_location;
      }
      if (cur->type != RawNode::Type::sequence)
        throw InputError(where, "'" + path + "' is not set, so it has no element [" + seg +
                                    "]; set the whole list, e.g. " + path + "=[...]");
      if (*index >= cur->children.size())
        throw InputError(where, "index " + seg + " is out of range: '" + path + "' has " +
                                    std::to_string(cur->children.size()) +
                                    (cur->children.size() == 1 ? " element" : " elements"));
      cur = &cur->children[*index];
      s = s->element.get();
      path = join_index(path, *index);
      break;
    }
    }
  }
  merge_into(*cur, value);
}

ConfigTree load(const Schema &schema, const std::string *text, const std::string &name,
                const std::vector<Override> &overrides) {
  if (!schema) throw Error(ExitCode::internal, "internal error: load_config with an empty schema");
  RawNode root;
  if (text) {
    std::vector<std::string> stack{canonical_name(name)};
    root = load_layers(*text, name, stack);
  }
  if (!overrides.empty()) {
    if (root.is_null()) make_map(root, SourceLocation{name, 0, 0});
    if (root.type != RawNode::Type::map)
      throw InputError(root.location, "expected a map of keys at the top level, got " + found_phrase(root));
    for (const Override &ov : overrides) apply_override(root, schema.node(), ov);
  }
  Resolver resolver(name);
  return ConfigTree(schema, resolver.resolve_root(schema.node(), text || !overrides.empty() ? &root : nullptr), name);
}

std::vector<Override> as_overrides(const std::vector<std::string> &texts) {
  std::vector<Override> out;
  for (const auto &t : texts) out.push_back({t, {}});
  return out;
}

} // namespace

ConfigTree load_config_with(const Schema &schema, const std::string &yaml_path, const std::vector<Override> &overrides) {
  const std::string text = read_file(yaml_path, {});
  return load(schema, &text, yaml_path, overrides);
}

ConfigTree load_config(const Schema &schema, const std::string &yaml_path, const std::vector<std::string> &overrides) {
  return load_config_with(schema, yaml_path, as_overrides(overrides));
}

ConfigTree load_config_text(const Schema &schema, const std::string &yaml_text, const std::string &display_name,
                            const std::vector<std::string> &overrides) {
  return load(schema, &yaml_text, display_name, as_overrides(overrides));
}

ConfigTree default_config(const Schema &schema, const std::vector<std::string> &overrides) {
  return load(schema, nullptr, "<defaults>", as_overrides(overrides));
}

std::vector<Override> overrides_from_map(const ConfigNode &map) {
  std::vector<Override> out;
  for (const ConfigNode &entry : map) {
    if (entry.kind() != NodeKind::scalar)
      throw Error(ExitCode::internal, "internal error: overrides_from_map on a map of non-scalars");
    out.push_back({entry.key() + "=" + quote_if_needed(entry.text()), entry.location()});
  }
  return out;
}

} // namespace ipusim::config
