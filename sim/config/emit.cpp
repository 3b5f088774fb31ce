#include "sim/config/emit.hpp"

#include "sim/config/scalar.hpp"

#include <fmt/format.h>

namespace ipusim::config {
namespace {

bool is_scalar_list(const ConfigNode &node) {
  if (node.kind() != NodeKind::list) return false;
  for (const ConfigNode &c : node)
    if (c.kind() != NodeKind::scalar && !is_scalar_list(c)) return false;
  return true;
}

std::string flow(const ConfigNode &node) {
  if (node.kind() == NodeKind::scalar) return scalar_to_yaml(node);
  std::string out = node.kind() == NodeKind::list ? "[" : "{";
  bool first = true;
  for (const ConfigNode &c : node) {
    out += first ? "" : ", ";
    first = false;
    if (node.kind() != NodeKind::list) out += quote_if_needed(c.key()) + ": ";
    out += flow(c);
  }
  return out + (node.kind() == NodeKind::list ? "]" : "}");
}

std::string comment(const ConfigNode &node) {
  const std::string &unit = node.schema().unit;
  return unit.empty() ? std::string() : "  # " + unit;
}

void write_entries(std::string &out, const ConfigNode &node, int indent);

// "key: value" or "key:" followed by an indented block.
void write_entry(std::string &out, const std::string &key, const ConfigNode &node, int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  const std::string k = quote_if_needed(key);
  if (node.kind() == NodeKind::scalar) {
    out += pad + k + ": " + scalar_to_yaml(node) + comment(node) + "\n";
  } else if (node.empty() || is_scalar_list(node)) {
    out += pad + k + ": " + flow(node) + "\n";
  } else if (node.kind() == NodeKind::list) {
    out += pad + k + ":\n";
    for (const ConfigNode &item : node) {
      if (item.kind() == NodeKind::scalar || item.empty() || is_scalar_list(item)) {
        out += pad + "  - " + flow(item) + "\n";
        continue;
      }
      // Write the element's block at indent+4, then turn the first line's
      // indentation into "- ".
      std::string block;
      write_entries(block, item, indent + 4);
      block.replace(0, static_cast<std::size_t>(indent) + 4, pad + "  - ");
      out += block;
    }
  } else {
    out += pad + k + ":\n";
    write_entries(out, node, indent + 2);
  }
}

void write_entries(std::string &out, const ConfigNode &node, int indent) {
  if (node.kind() == NodeKind::list) {
    // A list directly inside a list: rare, written in flow style.
    for (const ConfigNode &item : node) out += std::string(static_cast<std::size_t>(indent), ' ') + "- " + flow(item) + "\n";
    return;
  }
  for (const ConfigNode &c : node) write_entry(out, c.key(), c, indent);
}

} // namespace

std::string scalar_to_yaml(const ConfigNode &node) {
  const Value &v = node.value();
  if (const auto *b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto *i = std::get_if<std::int64_t>(&v)) {
    if (node.schema().hex && *i >= 0) return fmt::format("{:#x}", *i);
    return std::to_string(*i);
  }
  if (const auto *u = std::get_if<std::uint64_t>(&v)) {
    if (node.schema().hex) return fmt::format("{:#x}", *u);
    return std::to_string(*u);
  }
  if (const auto *d = std::get_if<double>(&v)) return format_float(*d);
  if (const auto *s = std::get_if<std::string>(&v)) return quote_if_needed(*s);
  return "~";
}

std::string to_yaml(const ConfigNode &node) {
  std::string out;
  if (node.kind() == NodeKind::scalar) return scalar_to_yaml(node) + "\n";
  if (node.kind() != NodeKind::structure && node.kind() != NodeKind::map) return flow(node) + "\n";
  write_entries(out, node, 0);
  return out;
}

std::string to_yaml(const ConfigTree &tree) {
  return "# Resolved configuration: every key, defaults included.\n" + to_yaml(tree.root());
}

} // namespace ipusim::config
