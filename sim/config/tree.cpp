#include "sim/config/tree.hpp"

#include "sim/config/path.hpp"

#include <mutex>
#include <unordered_set>

namespace ipusim::config {

namespace {
// The one copy of each file name the nodes point at (never freed: a run
// reads a handful of files).
const std::string *intern_file(const std::string &file) {
  static std::mutex lock;
  static std::unordered_set<std::string> files;
  std::lock_guard<std::mutex> g(lock);
  return &*files.insert(file).first;
}
} // namespace

void ConfigNode::set_location(const SourceLocation &where) {
  file_ = where.file.empty() ? nullptr : intern_file(where.file);
  line_ = where.line;
  column_ = where.column;
}

std::string ConfigNode::path() const {
  if (!path_) return key_;
  if (kind() != NodeKind::scalar) return *path_;
  return list_item_ ? *path_ + "[" + key_ + "]" : join_key(*path_, key_);
}

std::string ConfigNode::where() const {
  if (origin_ == Origin::fallback) return "default";
  return location().str();
}

void ConfigNode::misuse(const std::string &what) const {
  const std::string p = path();
  throw Error(ExitCode::internal, "internal error: config key '" + (p.empty() ? std::string("<root>") : p) + "': " + what);
}

const ConfigNode &ConfigNode::operator[](std::size_t index) const {
  if (kind() == NodeKind::scalar) misuse("is a scalar, not a list");
  if (index >= children_.size())
    misuse("index " + std::to_string(index) + " is past the end (" + std::to_string(children_.size()) +
           " elements)");
  return children_[index];
}

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> out;
  for (const ConfigNode &c : children_) out.push_back(c.key_);
  return out;
}

const ConfigNode *ConfigNode::find(const std::string &rel_path) const {
  if (rel_path.empty()) return this;
  const auto segments = split_path(rel_path);
  if (!segments) misuse("malformed key path '" + rel_path + "'");
  const ConfigNode *cur = this;
  for (const std::string &seg : *segments) {
    switch (cur->kind()) {
    case NodeKind::scalar: cur->misuse("is a scalar and has no key '" + seg + "'");
    case NodeKind::structure:
      if (!cur->schema_->field(seg)) cur->misuse("has no key '" + seg + "' in its schema");
      [[fallthrough]];
    case NodeKind::map: {
      const ConfigNode *next = nullptr;
      for (const ConfigNode &c : cur->children_)
        if (c.key_ == seg) next = &c;
      if (!next) return nullptr;
      cur = next;
      break;
    }
    case NodeKind::list: {
      const auto index = parse_index(seg);
      if (!index) cur->misuse("is a list; '" + seg + "' is not an index");
      if (*index >= cur->children_.size()) return nullptr;
      cur = &cur->children_[*index];
      break;
    }
    }
  }
  return cur;
}

const ConfigNode &ConfigNode::node(const std::string &rel_path) const {
  const ConfigNode *n = find(rel_path);
  if (!n) misuse("'" + rel_path + "' is not set (an optional key not given, or a missing map key or index)");
  return *n;
}

bool ConfigNode::as_bool() const {
  if (const bool *v = std::get_if<bool>(&value_)) return *v;
  misuse("is a " + type_name(*schema_) + ", not a bool");
}

std::int64_t ConfigNode::as_int() const {
  if (const auto *v = std::get_if<std::int64_t>(&value_)) return *v;
  misuse("is a " + type_name(*schema_) + ", not an int");
}

std::uint64_t ConfigNode::as_uint() const {
  if (const auto *v = std::get_if<std::uint64_t>(&value_)) return *v;
  misuse("is a " + type_name(*schema_) + ", not a uint");
}

double ConfigNode::as_float() const {
  if (const auto *v = std::get_if<double>(&value_)) return *v;
  if (const auto *v = std::get_if<std::uint64_t>(&value_)) return static_cast<double>(*v);
  if (const auto *v = std::get_if<std::int64_t>(&value_)) return static_cast<double>(*v);
  misuse("is a " + type_name(*schema_) + ", not a number");
}

const std::string &ConfigNode::as_string() const {
  if (const auto *v = std::get_if<std::string>(&value_)) return *v;
  misuse("is a " + type_name(*schema_) + ", not a string");
}

const std::string &ConfigNode::as_path() const {
  if (kind() != NodeKind::scalar || schema_->type != ScalarType::path)
    misuse("is a " + type_name(*schema_) + ", not a path");
  return as_string();
}

std::vector<std::uint64_t> ConfigNode::get_uint_list(const std::string &rel_path) const {
  std::vector<std::uint64_t> out;
  for (const ConfigNode &c : node(rel_path)) out.push_back(c.as_uint());
  return out;
}

std::vector<std::int64_t> ConfigNode::get_int_list(const std::string &rel_path) const {
  std::vector<std::int64_t> out;
  for (const ConfigNode &c : node(rel_path)) out.push_back(c.as_int());
  return out;
}

std::vector<double> ConfigNode::get_float_list(const std::string &rel_path) const {
  std::vector<double> out;
  for (const ConfigNode &c : node(rel_path)) out.push_back(c.as_float());
  return out;
}

std::vector<std::string> ConfigNode::get_string_list(const std::string &rel_path) const {
  std::vector<std::string> out;
  for (const ConfigNode &c : node(rel_path)) out.push_back(c.as_string());
  return out;
}

void ConfigNode::fail(const std::string &message) const {
  std::string msg = message;
  if (origin_ == Origin::fallback)
    msg += " (the default value of '" + (path().empty() ? std::string("<root>") : path()) + "')";
  if (!file_) throw InputError(msg);
  throw InputError(location(), msg);
}

void ConfigNode::fail(const std::string &rel_path, const std::string &message) const {
  const auto segments = split_path(rel_path);
  const ConfigNode *target = segments ? find(rel_path) : nullptr;
  (target ? *target : *this).fail(message);
}

} // namespace ipusim::config
