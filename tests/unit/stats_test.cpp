// Tests of run statistics: values and types, natural order, the JSON layout
// and its reader, the text summary and the registry of declarations.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "sim/common/error.hpp"
#include "traces/stats.hpp"

using namespace ipusim;

IPUSIM_STAT(test_tile_cycles, "unittest.tile[*].cycles", "cycles", "Cycles the tile was busy");
IPUSIM_STAT(test_exact, "unittest.tile[0].cycles", "cycles", "Exact declaration wins");
IPUSIM_STAT(test_ctx, "unittest.tile[*].context[*].instructions", "instructions",
            "Instructions a context completed");

namespace {
std::vector<std::string> names_of(const Stats &s) {
  std::vector<std::string> out;
  for (const Stat *stat : s.all())
    out.push_back(stat->name);
  return out;
}
} // namespace

TEST_CASE("natural_less orders digit runs by value and stays a strict total order") {
  CHECK(natural_less("tile[2]", "tile[10]"));
  CHECK_FALSE(natural_less("tile[10]", "tile[2]"));
  CHECK(natural_less("a", "b"));
  CHECK(natural_less("a", "a.b")); // a prefix first
  CHECK(natural_less("a9z", "a10a"));
  CHECK(natural_less("x007", "x8"));
  // Equal numbers with different spellings are still different names.
  CHECK(natural_less("a1", "a01") != natural_less("a01", "a1"));
  CHECK_FALSE(natural_less("same", "same"));
  CHECK(natural_less("host.seconds", "tile[0].cycles"));
}

TEST_CASE("stat_name_matches: '*' stands for one non-empty part of a name") {
  CHECK(stat_name_matches("tile[*].cycles", "tile[3].cycles"));
  CHECK(stat_name_matches("tile[*].cycles", "tile[1471].cycles"));
  CHECK(stat_name_matches("tile[*].context[*].instructions", "tile[3].context[5].instructions"));
  CHECK(stat_name_matches("ipu*.tiles", "ipu12.tiles"));
  CHECK_FALSE(stat_name_matches("tile[*].cycles", "tile[].cycles"));    // empty part
  CHECK_FALSE(stat_name_matches("tile[*].cycles", "tile[1].x.cycles")); // '*' stops at ']'
  CHECK_FALSE(stat_name_matches("a.*", "a.b.c"));                       // nor crosses '.'
  CHECK(stat_name_matches("a.*", "a.b"));
  CHECK_FALSE(stat_name_matches("tile[*].cycles", "tile[3].cycle"));
  CHECK(stat_name_matches("exact.name", "exact.name"));
  CHECK_FALSE(stat_name_matches("", "x"));
}

TEST_CASE("Stats stores typed values in natural name order") {
  Stats s;
  s.set("tile[10].cycles", 30, "cycles", "c");
  s.set("tile[2].cycles", uint64_t(20), "cycles", "c");
  s.set("tile[1].cycles", 10u, "cycles", "c");
  s.set("delta", -5, "cycles", "a negative int stays signed");
  s.set("small", static_cast<int8_t>(7), "", "non-negative ints are stored unsigned");
  s.set("ratio", 0.25, "", "r");
  s.set("ratio_f", 1.5f, "", "a float becomes a double");
  s.set("machine", "mk2", "", "text");
  s.set("config", std::string("c.yaml"), "", "text");
  CHECK(s.size() == 9);
  CHECK(names_of(s) == std::vector<std::string>{"config", "delta", "machine", "ratio", "ratio_f",
                                                "small", "tile[1].cycles", "tile[2].cycles",
                                                "tile[10].cycles"});
  REQUIRE(s.find("tile[10].cycles"));
  CHECK(std::get<uint64_t>(s.find("tile[10].cycles")->value) == 30);
  CHECK(std::get<int64_t>(s.find("delta")->value) == -5);
  CHECK(std::get<uint64_t>(s.find("small")->value) == 7);
  CHECK(std::get<double>(s.find("ratio_f")->value) == 1.5);
  CHECK(std::get<std::string>(s.find("machine")->value) == "mk2");
  CHECK(s.find("nothing") == nullptr);

  s.set("ratio", 0.5, "", "replaced");
  CHECK(s.size() == 9);
  CHECK(std::get<double>(s.find("ratio")->value) == 0.5);
  CHECK(s.find("ratio")->description == "replaced");

  CHECK_THROWS_AS(s.set("", 1), std::invalid_argument);
  CHECK_THROWS_AS(s.set("has space", 1), std::invalid_argument);
  CHECK_THROWS_AS(s.set("tab\tname", 1), std::invalid_argument);
}

TEST_CASE("Stats::to_json writes a flat object in natural order, exactly") {
  Stats s;
  s.set("tile[10].cycles", 7, "cycles", "Busy cycles");
  s.set("tile[9].cycles", 5, "cycles", "Busy cycles");
  s.set("b.ratio", 0.1, "", "A \"quoted\" word");
  s.set("b.whole", 2.0, "x", "");
  s.set("b.nan", std::numeric_limits<double>::quiet_NaN(), "", "");
  s.set("a.neg", -3, "", "");
  s.set("a.text", "mk1", "", "");
  const std::string expected = R"({
  "a.neg": {
    "value": -3,
    "unit": "",
    "desc": ""
  },
  "a.text": {
    "value": "mk1",
    "unit": "",
    "desc": ""
  },
  "b.nan": {
    "value": null,
    "unit": "",
    "desc": ""
  },
  "b.ratio": {
    "value": 0.1,
    "unit": "",
    "desc": "A \"quoted\" word"
  },
  "b.whole": {
    "value": 2.0,
    "unit": "x",
    "desc": ""
  },
  "tile[9].cycles": {
    "value": 5,
    "unit": "cycles",
    "desc": "Busy cycles"
  },
  "tile[10].cycles": {
    "value": 7,
    "unit": "cycles",
    "desc": "Busy cycles"
  }
}
)";
  CHECK(s.to_json() == expected);
  CHECK(Stats().to_json() == "{}\n");
}

TEST_CASE("Stats::from_json reads back what to_json wrote, types included") {
  Stats s;
  s.set("u", uint64_t(18446744073709551615ull), "", "max");
  s.set("i", int64_t(-9000000000LL), "", "");
  s.set("d", 1.0 / 3.0, "ratio", "third");
  s.set("whole", 4.0, "", "");
  s.set("t", "text", "", "");
  s.set("n", std::numeric_limits<double>::infinity(), "", "");
  Stats r = Stats::from_json(s.to_json(), "stats.json");
  CHECK(r.size() == 6);
  CHECK(std::get<uint64_t>(r.find("u")->value) == 18446744073709551615ull);
  CHECK(std::get<int64_t>(r.find("i")->value) == -9000000000LL);
  CHECK(std::get<double>(r.find("d")->value) == 1.0 / 3.0); // bit-exact round trip
  CHECK(std::get<double>(r.find("whole")->value) == 4.0);
  CHECK(std::get<std::string>(r.find("t")->value) == "text");
  CHECK(std::isnan(std::get<double>(r.find("n")->value))); // infinity was written as null
  CHECK(r.find("d")->unit == "ratio");
  CHECK(r.find("d")->description == "third");
  // Same text again, except for the non-finite value that became null anyway.
  CHECK(r.to_json() == s.to_json());
}

TEST_CASE("Stats::from_json rejects malformed files with one-line errors") {
  auto message = [](const std::string &text) {
    try {
      Stats::from_json(text, "run/stats.json");
    } catch (const InputError &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("{").rfind("run/stats.json: error: statistics file is not valid JSON: ", 0) == 0);
  CHECK(message("[]") == "run/stats.json: error: statistics file must hold a JSON object");
  CHECK(message(R"({"a": 1})") ==
        "run/stats.json: error: statistic 'a' must be an object with a \"value\"");
  CHECK(message(R"({"a": {"unit": "s"}})") ==
        "run/stats.json: error: statistic 'a' must be an object with a \"value\"");
  CHECK(message(R"({"a": {"value": 1, "unit": 3}})") ==
        "run/stats.json: error: statistic 'a': unit must be text");
  CHECK(message(R"({"a": {"value": 1, "desc": []}})") ==
        "run/stats.json: error: statistic 'a': desc must be text");
  CHECK(message(R"({"a": {"value": [1]}})") ==
        "run/stats.json: error: statistic 'a': value must be a number, text or null");
  CHECK(message(R"({"": {"value": 1}})") == "run/stats.json: error: statistic with an empty name");
  for (const char *bad : {"{", "[]", "{\"a\": 1}"})
    CHECK(message(bad).find('\n') == std::string::npos);
}

TEST_CASE("Stats::summary_text aligns name, value, unit and description") {
  Stats s;
  s.set("sim.cycles", 123456, "cycles", "Simulated cycles");
  s.set("host.seconds", 1.5, "s", "Host time");
  s.set("ipc", 0.8734, "", "Instructions per cycle");
  s.set("tiny", 1.25e-7, "s", "");
  s.set("machine", "mk2", "", "");
  const std::string expected = "Run summary\n"
                               "host.seconds     1.500  s       Host time\n"
                               "ipc              0.873          Instructions per cycle\n"
                               "machine            mk2\n"
                               "sim.cycles      123456  cycles  Simulated cycles\n"
                               "tiny          1.25e-07  s\n";
  CHECK(s.summary_text("Run summary") == expected);
  CHECK(Stats().summary_text() == "");
}

TEST_CASE("Stats fills unit and description from the declarations") {
  REQUIRE(find_stat_definition("unittest.tile[7].cycles") != nullptr);
  CHECK(find_stat_definition("unittest.tile[7].cycles")->description == "Cycles the tile was busy");
  // An exact declaration wins over a pattern.
  CHECK(find_stat_definition("unittest.tile[0].cycles")->description == "Exact declaration wins");
  CHECK(find_stat_definition("unittest.tile[7].context[2].instructions")->unit == "instructions");
  CHECK(find_stat_definition("unittest.tile[7].unknown") == nullptr);

  Stats s;
  s.set("unittest.tile[7].cycles", 99);
  CHECK(s.find("unittest.tile[7].cycles")->unit == "cycles");
  CHECK(s.find("unittest.tile[7].cycles")->description == "Cycles the tile was busy");
  s.set("unittest.tile[8].cycles", 1, "ticks", ""); // a given unit is kept
  CHECK(s.find("unittest.tile[8].cycles")->unit == "ticks");
  CHECK(s.find("unittest.tile[8].cycles")->description == "Cycles the tile was busy");
  s.set("undeclared.value", 1);
  CHECK(s.find("undeclared.value")->unit == "");
}

TEST_CASE("The stat registry is sorted, free of conflicts, and re-registration is harmless") {
  const auto &defs = stat_definitions();
  CHECK(std::is_sorted(defs.begin(), defs.end(), [](const StatDef &a, const StatDef &b) {
    return natural_less(a.name, b.name);
  }));
  for (const StatDef &d : defs) {
    CHECK_FALSE(d.name.empty());
    CHECK_FALSE(d.description.empty());
  }
  CHECK(conflicting_stat_definitions().empty());
  std::size_t before = defs.size();
  register_stat({"unittest.tile[*].cycles", "cycles", "Cycles the tile was busy"});
  CHECK(stat_definitions().size() == before);
  CHECK(conflicting_stat_definitions().empty());
}

TEST_CASE("set_host_stats records wall time, peak memory and speed under host.") {
  Stats s;
  set_host_stats(s, 2.0, 1000);
  CHECK(std::get<double>(s.find("host.seconds")->value) == 2.0);
  CHECK(s.find("host.seconds")->unit == "s");
  CHECK(std::get<double>(s.find("host.cycles_per_second")->value) == 500.0);
  CHECK(s.find("host.cycles_per_second")->unit == "cycles/s");
  CHECK(std::get<uint64_t>(s.find("host.max_rss")->value) > 1024 * 1024); // a process uses > 1 MiB
  CHECK(s.find("host.max_rss")->unit == "bytes");
  set_host_stats(s, 0.0, 1000);
  CHECK(std::get<double>(s.find("host.cycles_per_second")->value) == 0.0);
}
