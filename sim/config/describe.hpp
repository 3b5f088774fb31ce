// Printing a schema for people: `ipusim describe` and the generated docs.
#pragma once

#include "sim/config/schema.hpp"

#include <string>
#include <vector>

namespace ipusim::config {

// One row per key, in schema order. List elements appear as "name[]", map
// entries as "name.<key>".
struct SchemaRow {
  std::string path;
  std::string type;
  std::string default_text; // the default, "required" or "optional"
  std::string unit;
  std::string range;        // "[1, 6]", ">= 1", "<= 8", "1..16 elements", or ""
  std::string description;
  std::string source;
};

std::vector<SchemaRow> schema_rows(const Schema &schema, const std::string &root_name);

// An aligned plain-text table with a header line; the description (and the
// source, in brackets) fills the rest of each line.
std::string describe_schema(const Schema &schema, const std::string &root_name);

// A Markdown table with columns key, type, default, unit, range, description,
// source.
std::string describe_schema_markdown(const Schema &schema, const std::string &root_name);

} // namespace ipusim::config
