#include "sim/config/describe.hpp"

#include "sim/config/path.hpp"
#include "sim/config/raw.hpp"
#include "sim/config/scalar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace ipusim::config {
namespace {

std::string bound(const SchemaNode &s, double v) {
  const bool integral = s.type == ScalarType::uint64 || s.type == ScalarType::int64;
  if (integral && std::abs(v) < 9.2e18) {
    const auto i = static_cast<long long>(v);
    return s.hex && i >= 0 ? fmt::format("{:#x}", i) : std::to_string(i);
  }
  return format_float(v);
}

std::string range_text(const SchemaNode &s) {
  if (s.kind == NodeKind::scalar) {
    if (s.min && s.max) return "[" + bound(s, *s.min) + ", " + bound(s, *s.max) + "]";
    if (s.min) return ">= " + bound(s, *s.min);
    if (s.max) return "<= " + bound(s, *s.max);
    return "";
  }
  if (s.kind == NodeKind::list) {
    if (s.min_size && s.max_size) return std::to_string(*s.min_size) + ".." + std::to_string(*s.max_size) + " elements";
    if (s.min_size) return ">= " + std::to_string(*s.min_size) + " elements";
    if (s.max_size) return "<= " + std::to_string(*s.max_size) + " elements";
  }
  return "";
}

std::string default_text(const SchemaNode &s) {
  if (s.default_value) {
    const RawNode &d = *s.default_value;
    if (s.kind == NodeKind::map && d.type == RawNode::Type::map) {
      if (d.children.empty()) return "{}";
      return "{" + std::to_string(d.children.size()) + (d.children.size() == 1 ? " entry}" : " entries}");
    }
    if (s.kind == NodeKind::scalar && d.type == RawNode::Type::scalar) {
      // Show numbers as the loader reads them (hex addresses in hex).
      std::string error;
      if (s.type == ScalarType::uint64 && s.hex)
        if (auto v = parse_uint(d.scalar, error)) return fmt::format("{:#x}", *v);
      if (s.type == ScalarType::float64)
        if (auto v = parse_float(d.scalar, error)) return format_float(*v);
      return d.scalar.empty() ? "\"\"" : d.scalar;
    }
    return raw_to_flow(d);
  }
  if (s.presence == Presence::optional) return "optional";
  if (s.kind == NodeKind::structure && s.presence != Presence::required) return "";
  return "required";
}

// Short type names keep the table narrow; enum values go to the description.
std::string short_type(const SchemaNode &s) {
  if (s.kind == NodeKind::scalar && s.type == ScalarType::enumeration) return "enum";
  if (s.kind == NodeKind::list || s.kind == NodeKind::map) {
    const std::string inner = short_type(*s.element);
    return (s.kind == NodeKind::list ? "list<" : "map<") + inner + ">";
  }
  return type_name(s);
}

std::string long_description(const SchemaNode &s) {
  std::string text = s.description;
  const SchemaNode *values = &s;
  while (values->kind == NodeKind::list && values->element) values = values->element.get();
  if (values->kind == NodeKind::scalar && values->type == ScalarType::enumeration) {
    std::string list;
    for (const auto &v : values->enum_values) list += (list.empty() ? "" : ", ") + v;
    text += (text.empty() ? "" : ". ") + std::string("Values: ") + list;
  }
  if (s.kind == NodeKind::map && s.default_value && !s.default_value->children.empty()) {
    std::string keys;
    for (const RawNode &c : s.default_value->children) keys += (keys.empty() ? "" : ", ") + c.key;
    text += (text.empty() ? "" : ". ") + std::string("Default entries: ") + keys;
  }
  return text;
}

void rows(const SchemaNode &s, const std::string &path, std::vector<SchemaRow> &out) {
  if (!path.empty())
    out.push_back({path, short_type(s), default_text(s), s.unit, range_text(s), long_description(s), s.source});
  switch (s.kind) {
  case NodeKind::structure:
    for (const auto &f : s.fields) rows(f.schema.node(), join_key(path, f.name), out);
    break;
  case NodeKind::list:
    if (s.element->kind != NodeKind::scalar) rows(*s.element, path + "[]", out);
    break;
  case NodeKind::map:
    if (s.element->kind != NodeKind::scalar) {
      // The element's own row is the map's template: skip it, list its fields.
      std::vector<SchemaRow> inner;
      rows(*s.element, join_key(path, "<key>"), inner);
      out.insert(out.end(), inner.begin(), inner.end());
    }
    break;
  case NodeKind::scalar: break;
  }
}

std::string md_cell(const std::string &text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

} // namespace

std::vector<SchemaRow> schema_rows(const Schema &schema, const std::string &root_name) {
  std::vector<SchemaRow> out;
  if (!root_name.empty())
    out.push_back({root_name, type_name(schema.node()), "", schema->unit, "", schema->description, schema->source});
  std::vector<SchemaRow> inner;
  rows(schema.node(), "", inner);
  out.insert(out.end(), inner.begin(), inner.end());
  return out;
}

std::string describe_schema(const Schema &schema, const std::string &root_name) {
  const std::vector<SchemaRow> table = schema_rows(schema, root_name);
  SchemaRow header{"key", "type", "default", "unit", "range", "description", ""};
  std::size_t w[5] = {header.path.size(), header.type.size(), header.default_text.size(), header.unit.size(),
                      header.range.size()};
  for (const auto &r : table) {
    w[0] = std::max(w[0], r.path.size());
    w[1] = std::max(w[1], r.type.size());
    w[2] = std::max(w[2], r.default_text.size());
    w[3] = std::max(w[3], r.unit.size());
    w[4] = std::max(w[4], r.range.size());
  }
  auto line = [&](const SchemaRow &r) {
    std::string text = r.description;
    if (!r.source.empty()) text += (text.empty() ? "[" : " [") + r.source + "]";
    std::string out = fmt::format("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {:<{}}  {}", r.path, w[0], r.type, w[1],
                                  r.default_text, w[2], r.unit, w[3], r.range, w[4], text);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header);
  for (const auto &r : table) out += line(r);
  return out;
}

std::string describe_schema_markdown(const Schema &schema, const std::string &root_name) {
  std::string out = "| key | type | default | unit | range | description | source |\n"
                    "|---|---|---|---|---|---|---|\n";
  for (const auto &r : schema_rows(schema, root_name)) {
    auto code = [](const std::string &s) { return s.empty() ? std::string() : "`" + md_cell(s) + "`"; };
    const bool word = r.default_text == "required" || r.default_text == "optional";
    out += "| " + code(r.path) + " | " + md_cell(r.type) + " | " + (word ? r.default_text : code(r.default_text)) +
           " | " + md_cell(r.unit) +
           " | " + md_cell(r.range) + " | " + md_cell(r.description) + " | " + md_cell(r.source) + " |\n";
  }
  return out;
}

} // namespace ipusim::config
