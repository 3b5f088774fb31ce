#include "sim/config/presets.hpp"

#include "sim/config/suggest.hpp"

#include <algorithm>
#include <filesystem>

namespace ipusim::config {
namespace {

namespace fs = std::filesystem;

bool has_yaml_extension(const fs::path &p) { return p.extension() == ".yaml" || p.extension() == ".yml"; }

} // namespace

std::vector<std::string> list_presets(const std::vector<std::string> &dirs) {
  std::vector<std::string> names;
  for (const auto &dir : dirs) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec) && has_yaml_extension(it->path())) names.push_back(it->path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string find_preset(const std::string &name_or_path, const SourceLocation &where,
                        const std::vector<std::string> &preset_dirs) {
  std::error_code ec;
  const fs::path value(name_or_path);
  if (name_or_path.find('/') != std::string::npos || has_yaml_extension(value)) {
    fs::path p = value;
    if (p.is_relative() && !where.file.empty() && where.line > 0) p = fs::path(where.file).parent_path() / p;
    p = p.lexically_normal();
    if (!fs::is_regular_file(p, ec)) throw InputError(where, "machine file '" + p.string() + "' not found");
    return p.string();
  }
  for (const auto &dir : preset_dirs) {
    for (const char *ext : {".yaml", ".yml"}) {
      const fs::path p = fs::path(dir) / (name_or_path + ext);
      if (fs::is_regular_file(p, ec)) return p.lexically_normal().string();
    }
  }
  const std::vector<std::string> known = list_presets(preset_dirs);
  std::string list;
  for (const auto &k : known) list += (list.empty() ? "" : ", ") + k;
  throw InputError(where, "unknown machine preset '" + name_or_path + "'" + did_you_mean(name_or_path, known) +
                              (list.empty() ? " (no presets found)" : " (presets: " + list + ")"));
}

} // namespace ipusim::config
