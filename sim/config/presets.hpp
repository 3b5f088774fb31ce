// Finding a machine description named by a run: a preset name ("gc200" ->
// <dir>/gc200.yaml, searched in the given folders) or a path to a YAML file.
#pragma once

#include "sim/common/error.hpp"

#include <string>
#include <vector>

namespace ipusim::config {

// The names of the presets (file names without .yaml/.yml) in `dirs`, sorted.
std::vector<std::string> list_presets(const std::vector<std::string> &dirs);

// A value containing '/' or ending in .yaml/.yml is a path, relative to the
// directory of `where.file` (the run file that names it). Anything else is a
// preset name. Unknown names are InputErrors at `where` listing the presets
// and suggesting the nearest one.
std::string find_preset(const std::string &name_or_path, const SourceLocation &where,
                        const std::vector<std::string> &preset_dirs);

} // namespace ipusim::config
