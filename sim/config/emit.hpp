// Writing a resolved config back out as YAML: every key, defaults included,
// in schema order, so the file beside a run's results says exactly what was
// simulated and loads back to the same tree.
#pragma once

#include "sim/config/tree.hpp"

#include <string>

namespace ipusim::config {

// Struct fields in schema order; map entries in the tree's order; lists of
// scalars in flow style. Paths are written absolute (as resolved), addresses
// marked hex() in hex, and scalars with a unit get a "# unit" comment.
std::string to_yaml(const ConfigTree &tree);
std::string to_yaml(const ConfigNode &node);

// One scalar as YAML text (hex where the schema asks for it).
std::string scalar_to_yaml(const ConfigNode &node);

} // namespace ipusim::config
