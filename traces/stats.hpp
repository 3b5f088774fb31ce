// Run statistics that describe themselves, as gem5's and SST's do: every
// value carries a unit and a one-line description, and the declarations that
// give them are the ones `ipusim describe` prints.
//
// Stats are collected once, at the end of a run (not on the hot path), into a
// Stats object, which writes stats.json and a text summary.
//
// Names are dotted paths ("tile[3].context[1].instructions"). Everything
// measured on the host (wall time, memory, speed) lives under "host.", so
// comparisons of two runs of the same program can leave out that one prefix.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace ipusim {

// The declaration of a statistic. `name` may contain "*" placeholders, each
// standing for one non-empty part of a name without '.', '[' or ']':
// "tile[*].context[*].instructions" describes "tile[3].context[1].instructions".
struct StatDef {
  std::string name;
  std::string unit;
  std::string description;
};

// Adds a declaration to the registry. Registering the same name again with
// the same unit and description is harmless; a conflicting second
// registration is ignored (the first wins) and reported by
// conflicting_stat_definitions() so a unit test can catch it.
void register_stat(StatDef def);

// All declarations, sorted by name (natural order, see natural_less).
const std::vector<StatDef> &stat_definitions();
// Names registered twice with different units or descriptions.
const std::vector<std::string> &conflicting_stat_definitions();

// The declaration that describes a concrete name, or nullptr. An exact name
// wins over a pattern; among patterns the first in sorted order wins.
const StatDef *find_stat_definition(std::string_view name);

// Whether `name` is an instance of `pattern` ("*" as described at StatDef).
bool stat_name_matches(std::string_view pattern, std::string_view name);

// Orders names so that runs of digits compare as numbers: "tile[2]" comes
// before "tile[10]". Deterministic and locale-free.
bool natural_less(std::string_view a, std::string_view b);
struct NaturalLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return natural_less(a, b); }
};

// Declares a statistic at namespace scope in a .cpp file:
//   IPUSIM_STAT(tile_cycles, "tile[*].cycles", "cycles", "Cycles the tile was busy");
// Put it in a file that is linked for other reasons (the model that produces
// the value): a file of declarations alone is dropped from a static library.
struct StatRegistrar {
  StatRegistrar(const char *name, const char *unit, const char *description) {
    register_stat({name, unit, description});
  }
};
#define IPUSIM_STAT(id, name, unit, description)                                                   \
  static const ::ipusim::StatRegistrar ipusim_stat_##id { name, unit, description }

using StatValue = std::variant<uint64_t, int64_t, double, std::string>;

struct Stat {
  std::string name;
  StatValue value;
  std::string unit;
  std::string description;
};

class Stats {
public:
  // Sets (or replaces) a value. An empty unit or description is taken from the
  // registered declaration that matches the name, when there is one. Names must
  // be non-empty and without spaces (std::invalid_argument otherwise: a bug).
  // Integers of any type are accepted; non-negative ones are stored as
  // unsigned so that a value's type does not depend on the caller's variable.
  template <typename T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
  void set(const std::string &name, T value, std::string unit = {}, std::string description = {}) {
    static_assert(!std::is_same_v<T, bool>, "store flags as 0/1 or as text");
    if constexpr (std::is_signed_v<T>) {
      if (value < 0) {
        put(name, StatValue(int64_t(value)), std::move(unit), std::move(description));
        return;
      }
    }
    put(name, StatValue(uint64_t(value)), std::move(unit), std::move(description));
  }
  void set(const std::string &name, double value, std::string unit = {},
           std::string description = {});
  void set(const std::string &name, std::string value, std::string unit = {},
           std::string description = {});
  void set(const std::string &name, const char *value, std::string unit = {},
           std::string description = {});

  const Stat *find(std::string_view name) const; // nullptr when not set
  std::size_t size() const { return stats_.size(); }
  bool empty() const { return stats_.empty(); }
  // All stats in natural name order.
  std::vector<const Stat *> all() const;

  // stats.json. The layout is a flat object in natural name order,
  //   {"host.seconds": {"value": 1.5, "unit": "s", "desc": "..."}, ...}
  // rather than nested objects: a dotted name is its own key, so "a.b" and
  // "a.b.c" can both hold values, a name can be grepped for, and two files
  // diff line by line. NaN and infinities are written as null (JSON has
  // neither). Doubles use the shortest text that reads back exactly.
  std::string to_json() const;
  // Reads what to_json() wrote (for inspection and comparison tools). Throws
  // InputError naming `source` on malformed input.
  static Stats from_json(const std::string &text, const std::string &source);

  // A readable table, one stat a line: name, value (right-aligned), unit and
  // description in aligned columns, under an optional title. Doubles are
  // rounded for reading here (3 decimals, or 6 significant digits when very
  // small or large); stats.json has the exact values.
  std::string summary_text(std::string_view title = {}) const;

  // Copies one statistic (for building a subset, e.g. a summary).
  void put_stat(const Stat &stat) { put(stat.name, stat.value, stat.unit, stat.description); }

private:
  void put(const std::string &name, StatValue value, std::string unit, std::string description);

  std::map<std::string, Stat, NaturalLess> stats_;
};

// Sets the host measurements gem5 also reports: host.seconds (wall time given
// by the caller), host.max_rss (peak resident memory of this process) and
// host.cycles_per_second (simulated cycles per host second; 0 when
// host_seconds is 0).
void set_host_stats(Stats &stats, double host_seconds, uint64_t simulated_cycles);

} // namespace ipusim
