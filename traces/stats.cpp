#include "traces/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include "sim/common/error.hpp"

namespace ipusim {

IPUSIM_STAT(host_seconds, "host.seconds", "s", "Host wall-clock time spent simulating");
IPUSIM_STAT(host_max_rss, "host.max_rss", "bytes", "Peak resident memory of the ipusim process");
IPUSIM_STAT(host_rate, "host.cycles_per_second", "cycles/s",
            "Simulated cycles per host second (simulation speed)");

namespace {

struct Registry {
  std::vector<StatDef> defs; // sorted by natural_less on name
  std::vector<std::string> conflicts;
};

// A function-local static, so registrations from static initialisers in any
// translation unit find it constructed.
Registry &registry() {
  static Registry r;
  return r;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_part_char(char c) { return c != '.' && c != '[' && c != ']'; }

} // namespace

// Runs of digits compare by numeric value (leading zeros ignored); any other
// byte compares by its unsigned value. Names that are equal under that rule
// ("a01", "a1") fall back to plain byte order, so the order stays strict and
// total and a std::map never merges two different names.
bool natural_less(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      std::size_t ia = i, ib = j;
      while (ia < a.size() && a[ia] == '0')
        ++ia;
      while (ib < b.size() && b[ib] == '0')
        ++ib;
      std::size_t ea = ia, eb = ib;
      while (ea < a.size() && is_digit(a[ea]))
        ++ea;
      while (eb < b.size() && is_digit(b[eb]))
        ++eb;
      if (ea - ia != eb - ib)
        return ea - ia < eb - ib; // fewer digits = smaller
      int c = a.substr(ia, ea - ia).compare(b.substr(ib, eb - ib));
      if (c != 0)
        return c < 0;
      i = ea;
      j = eb;
      continue;
    }
    unsigned char ca = static_cast<unsigned char>(a[i]), cb = static_cast<unsigned char>(b[j]);
    if (ca != cb)
      return ca < cb;
    ++i;
    ++j;
  }
  if (i < a.size() || j < b.size())
    return i == a.size(); // a proper prefix sorts first
  return a < b;
}

bool stat_name_matches(std::string_view pattern, std::string_view name) {
  if (pattern.empty())
    return name.empty();
  if (pattern[0] != '*') {
    return !name.empty() && name[0] == pattern[0] &&
           stat_name_matches(pattern.substr(1), name.substr(1));
  }
  // "*" takes one or more characters of a single name part.
  for (std::size_t n = 1; n <= name.size() && is_part_char(name[n - 1]); ++n)
    if (stat_name_matches(pattern.substr(1), name.substr(n)))
      return true;
  return false;
}

void register_stat(StatDef def) {
  Registry &r = registry();
  auto at = std::lower_bound(
      r.defs.begin(), r.defs.end(), def.name,
      [](const StatDef &d, const std::string &n) { return natural_less(d.name, n); });
  if (at != r.defs.end() && at->name == def.name) {
    if (at->unit != def.unit || at->description != def.description)
      r.conflicts.push_back(def.name);
    return;
  }
  r.defs.insert(at, std::move(def));
}

const std::vector<StatDef> &stat_definitions() { return registry().defs; }

const std::vector<std::string> &conflicting_stat_definitions() { return registry().conflicts; }

const StatDef *find_stat_definition(std::string_view name) {
  const std::vector<StatDef> &defs = registry().defs;
  auto at =
      std::lower_bound(defs.begin(), defs.end(), name, [](const StatDef &d, std::string_view n) {
        return natural_less(d.name, n);
      });
  if (at != defs.end() && at->name == name)
    return &*at;
  for (const StatDef &d : defs)
    if (d.name.find('*') != std::string::npos && stat_name_matches(d.name, name))
      return &d;
  return nullptr;
}

void Stats::put(const std::string &name, StatValue value, std::string unit,
                std::string description) {
  if (name.empty())
    throw std::invalid_argument("statistic with an empty name");
  for (char c : name)
    if (static_cast<unsigned char>(c) <= ' ')
      throw std::invalid_argument("statistic name '" + name + "' contains a space or control");
  if (unit.empty() || description.empty()) {
    if (const StatDef *def = find_stat_definition(name)) {
      if (unit.empty())
        unit = def->unit;
      if (description.empty())
        description = def->description;
    }
  }
  Stat &s = stats_[name];
  s.name = name;
  s.value = std::move(value);
  s.unit = std::move(unit);
  s.description = std::move(description);
}

void Stats::set(const std::string &name, double value, std::string unit, std::string description) {
  put(name, StatValue(value), std::move(unit), std::move(description));
}

void Stats::set(const std::string &name, std::string value, std::string unit,
                std::string description) {
  put(name, StatValue(std::move(value)), std::move(unit), std::move(description));
}

void Stats::set(const std::string &name, const char *value, std::string unit,
                std::string description) {
  put(name, StatValue(std::string(value ? value : "")), std::move(unit), std::move(description));
}

const Stat *Stats::find(std::string_view name) const {
  auto it = stats_.find(name);
  return it == stats_.end() ? nullptr : &it->second;
}

std::vector<const Stat *> Stats::all() const {
  std::vector<const Stat *> out;
  out.reserve(stats_.size());
  for (const auto &entry : stats_)
    out.push_back(&entry.second);
  return out;
}

std::string Stats::to_json() const {
  // ordered_json keeps our natural order; plain json would re-sort bytewise.
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  // Names are unique (stats_ is a map), so entries are appended: the
  // ordered object's operator[] searches linearly, quadratic over a chip's
  // tens of thousands of per-tile statistics.
  auto &entries = root.get_ref<nlohmann::ordered_json::object_t &>();
  entries.reserve(stats_.size());
  for (const auto &[name, stat] : stats_) {
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    std::visit([&](const auto &v) { entry["value"] = v; }, stat.value);
    entry["unit"] = stat.unit;
    entry["desc"] = stat.description;
    entries.emplace_back(name, std::move(entry));
  }
  // nlohmann prints doubles as the shortest round-trip text, NaN/inf as null;
  // invalid UTF-8 becomes U+FFFD instead of an exception.
  return root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Stats Stats::from_json(const std::string &text, const std::string &source) {
  auto fail = [&](const std::string &message) -> InputError {
    return InputError(SourceLocation{source, 0, 0}, message);
  };
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error &e) {
    throw fail(std::string("statistics file is not valid JSON: ") + e.what());
  }
  if (!root.is_object())
    throw fail("statistics file must hold a JSON object");
  Stats stats;
  for (const auto &[name, entry] : root.items()) {
    if (!entry.is_object() || !entry.contains("value"))
      throw fail("statistic '" + name + "' must be an object with a \"value\"");
    std::string unit, desc;
    if (entry.contains("unit")) {
      if (!entry["unit"].is_string())
        throw fail("statistic '" + name + "': unit must be text");
      unit = entry["unit"].get<std::string>();
    }
    if (entry.contains("desc")) {
      if (!entry["desc"].is_string())
        throw fail("statistic '" + name + "': desc must be text");
      desc = entry["desc"].get<std::string>();
    }
    const nlohmann::json &v = entry["value"];
    StatValue value;
    if (v.is_number_unsigned())
      value = v.get<uint64_t>();
    else if (v.is_number_integer())
      value = v.get<int64_t>();
    else if (v.is_number_float())
      value = v.get<double>();
    else if (v.is_string())
      value = v.get<std::string>();
    else if (v.is_null()) // how to_json() writes NaN and infinities
      value = std::numeric_limits<double>::quiet_NaN();
    else
      throw fail("statistic '" + name + "': value must be a number, text or null");
    if (name.empty())
      throw fail("statistic with an empty name");
    // Keep the file's unit and description even when empty: they are not
    // filled in from this build's registry, the file is what it is.
    Stat &s = stats.stats_[name];
    s.name = name;
    s.value = std::move(value);
    s.unit = std::move(unit);
    s.description = std::move(desc);
  }
  return stats;
}

namespace {

std::string summary_value(const StatValue &value) {
  struct Visitor {
    std::string operator()(uint64_t v) const { return fmt::format("{}", v); }
    std::string operator()(int64_t v) const { return fmt::format("{}", v); }
    std::string operator()(const std::string &v) const { return v; }
    std::string operator()(double v) const {
      if (!std::isfinite(v))
        return fmt::format("{}", v); // nan, inf, -inf
      double a = std::fabs(v);
      if (a == 0 || (a >= 1e-3 && a < 1e15))
        return fmt::format("{:.3f}", v);
      return fmt::format("{:.6g}", v);
    }
  };
  return std::visit(Visitor{}, value);
}

} // namespace

std::string Stats::summary_text(std::string_view title) const {
  struct Row {
    const Stat *stat;
    std::string value;
  };
  std::vector<Row> rows;
  std::size_t name_w = 0, value_w = 0, unit_w = 0;
  for (const auto &[name, stat] : stats_) {
    rows.push_back({&stat, summary_value(stat.value)});
    name_w = std::max(name_w, name.size());
    value_w = std::max(value_w, rows.back().value.size());
    unit_w = std::max(unit_w, stat.unit.size());
  }
  std::string out;
  if (!title.empty()) {
    out.append(title);
    out += '\n';
  }
  for (const Row &row : rows) {
    // Padded by bytes, not by fmt's display width: names and units are ASCII
    // and this keeps the columns independent of Unicode width tables.
    std::string line = row.stat->name;
    line.append(name_w - row.stat->name.size() + 2, ' ');
    line.append(value_w - row.value.size(), ' ');
    line += row.value;
    line += "  ";
    line += row.stat->unit;
    line.append(unit_w - row.stat->unit.size() + 2, ' ');
    line += row.stat->description;
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line;
    out += '\n';
  }
  return out;
}

void set_host_stats(Stats &stats, double host_seconds, uint64_t simulated_cycles) {
  stats.set("host.seconds", host_seconds);
  struct rusage usage {};
  uint64_t max_rss = 0;
  if (getrusage(RUSAGE_SELF, &usage) == 0)
    max_rss = static_cast<uint64_t>(usage.ru_maxrss) * 1024; // Linux reports KiB
  stats.set("host.max_rss", max_rss);
  double rate = host_seconds > 0 ? static_cast<double>(simulated_cycles) / host_seconds : 0.0;
  stats.set("host.cycles_per_second", rate);
}

} // namespace ipusim
