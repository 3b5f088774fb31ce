// Tests of the schema-checked YAML configuration: loading, every kind of
// error with its exact file:line:column and key path, overrides, base files,
// defaults, writing back out, describing, and the checked-in presets.
#include "sim/config/describe.hpp"
#include "sim/config/emit.hpp"
#include "sim/config/loader.hpp"
#include "sim/config/machine_schema.hpp"
#include "sim/config/presets.hpp"
#include "sim/config/run_schema.hpp"
#include "sim/config/scalar.hpp"
#include "sim/config/suggest.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace ipusim;
using namespace ipusim::config;

namespace {

// A fresh directory under the system temp dir, removed at the end of a test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ipusim_config_test_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  // Writes `text` to `name` (sub-folders created) and returns the full path.
  std::string write(const std::string &name, const std::string &text) const {
    const fs::path p = path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
};

// The message of the InputError thrown by `fn`, or "" if none is thrown.
template <class F> std::string error_of(F &&fn) {
  try {
    fn();
  } catch (const InputError &e) {
    return e.what();
  }
  return "";
}

// A small schema whose shape the tests know by heart.
const Schema &test_schema() {
  static const Schema s =
      Struct("test", "A test config")
          .field("name", String().required().desc("Name"))
          .field("count", UInt().range(1, 8).def(4).desc("How many"))
          .field("offset", Int().def(-3))
          .field("ratio", Float().min(0).def(0.5).unit("Hz"))
          .field("flag", Bool().def(false))
          .field("mode", Enum({"fast", "slow", "exact"}).def("fast"))
          .field("file", Path().optional())
          .field("tile", Struct("tile").field(
                             "sram", Struct("sram")
                                         .field("size_bytes", UInt().unit("bytes").def(1024))
                                         .field("base", UInt().hex().def(0x40000))))
          .field("items", List(Struct("item").field("id", String().required()).field("size", UInt().def(1)))
                              .def_yaml("[]")
                              .max_size(3))
          .field("dims", List(UInt()).min_size(1).def_yaml("[1]"))
          .field("defines", Map(String()).def_yaml("{}"))
          .field("opt", Struct("opt")
                            .field("a", UInt().optional())
                            .field("b", UInt().optional())
                            .exactly_one_of({"a", "b"})
                            .optional());
  return s;
}

std::string source_dir() { return IPUSIM_SOURCE_DIR; }
std::string machines_dir() { return source_dir() + "/configs/machines"; }

} // namespace

TEST_CASE("config: edit distance and suggestions") {
  CHECK(edit_distance("sise_bytes", "size_bytes") == 1);
  CHECK(edit_distance("abcd", "abdc") == 1); // one swap
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(nearest("wrkers", {"workers", "sram"}) == std::optional<std::string>("workers"));
  CHECK_FALSE(nearest("x", {"y", "z"}).has_value());            // a tie: no guess
  CHECK_FALSE(nearest("zzzzzz", {"workers", "sram"}).has_value()); // too far
  CHECK(did_you_mean("Workers", {"workers"}) == "; did you mean 'workers'?");
  CHECK(did_you_mean("qqq", {"workers"}).empty());
}

TEST_CASE("config: scalar parsing") {
  std::string err;
  CHECK(parse_uint("0x40000", err) == std::optional<std::uint64_t>(262144));
  CHECK(parse_uint("1e9", err) == std::optional<std::uint64_t>(1000000000));
  CHECK(parse_uint("6.0", err) == std::optional<std::uint64_t>(6));
  CHECK(parse_uint("0b101", err) == std::optional<std::uint64_t>(5));
  CHECK(parse_uint("18446744073709551615", err) == std::optional<std::uint64_t>(18446744073709551615ull));
  CHECK_FALSE(parse_uint("18446744073709551616", err));
  CHECK(err == "value 18446744073709551616 does not fit in 64 bits");
  CHECK_FALSE(parse_uint("1.5", err));
  CHECK(err == "expected an unsigned integer, got '1.5'");
  CHECK_FALSE(parse_uint("-1", err));
  CHECK(err == "expected an unsigned integer, got '-1'");
  CHECK_FALSE(parse_uint("abc", err));
  CHECK(parse_int("-0x10", err) == std::optional<std::int64_t>(-16));
  CHECK(parse_int("-9223372036854775808", err) == std::optional<std::int64_t>(std::numeric_limits<std::int64_t>::min()));
  CHECK_FALSE(parse_int("9223372036854775808", err));
  CHECK(parse_float("1.33e9", err) == std::optional<double>(1.33e9));
  CHECK(parse_float("-.inf", err) == std::optional<double>(-std::numeric_limits<double>::infinity()));
  CHECK(parse_float("0x10", err) == std::optional<double>(16.0));
  CHECK_FALSE(parse_float("inf", err));
  CHECK(err == "expected a number, got 'inf'");
  CHECK(parse_bool("yes", err) == std::optional<bool>(true));
  CHECK(parse_bool("Off", err) == std::optional<bool>(false));
  CHECK_FALSE(parse_bool("1", err));
  CHECK(err == "expected true or false, got '1'");
  CHECK(format_float(1.33e9) == "1330000000");
  CHECK(format_float(0.1) == "0.1");
  CHECK(quote_if_needed("gc200") == "gc200");
  CHECK(quote_if_needed("yes") == "\"yes\"");
  CHECK(quote_if_needed("a b") == "\"a b\"");
  CHECK(quote_if_needed("") == "\"\"");
  CHECK(quote_if_needed("say \"hi\"") == "\"say \\\"hi\\\"\"");
}

TEST_CASE("config: defaults fill every key the file leaves out") {
  TempDir dir;
  const std::string f = dir.write("a.yaml", "name: x\n");
  const ConfigTree t = load_config(test_schema(), f);
  CHECK(t.get_string("name") == "x");
  CHECK(t.get_uint("count") == 4);
  CHECK(t.get_int("offset") == -3);
  CHECK(t.get_float("ratio") == 0.5);
  CHECK(t.get_bool("flag") == false);
  CHECK(t.get_string("mode") == "fast");
  CHECK_FALSE(t.has("file"));
  CHECK_FALSE(t.has("opt"));
  CHECK(t.get_uint("tile.sram.size_bytes") == 1024);
  CHECK(t.get_uint("tile.sram.base") == 0x40000);
  CHECK(t.node("items").empty());
  CHECK(t.get_uint_list("dims") == std::vector<std::uint64_t>{1});
  CHECK(t.node("defines").empty());
  CHECK(t.location("name").str() == f + ":1:7");
  CHECK(t.node("name").where() == f + ":1:7");
  CHECK(t.node("count").is_default());
  CHECK(t.node("count").where() == "default");
  CHECK(t.node("tile.sram").is_default());
}

TEST_CASE("config: values in every scalar form") {
  TempDir dir;
  const std::string f = dir.write("a.yaml", "name: x\n"
                                            "count: 0x8\n"
                                            "offset: -0x10\n"
                                            "ratio: 1e-3\n"
                                            "flag: yes\n"
                                            "mode: exact\n"
                                            "file: data/in.npy\n"
                                            "tile:\n"
                                            "  sram:\n"
                                            "    size_bytes: 1e6\n"
                                            "dims: [2, 3, 0x4]\n"
                                            "defines: {A: 1, B: two}\n"
                                            "opt: {b: 7}\n");
  const ConfigTree t = load_config(test_schema(), f);
  CHECK(t.get_uint("count") == 8);
  CHECK(t.get_int("offset") == -16);
  CHECK(t.get_float("ratio") == 1e-3);
  CHECK(t.get_bool("flag"));
  CHECK(t.get_string("mode") == "exact");
  // Paths are resolved against the folder of the file that wrote them.
  CHECK(t.get_path("file") == (dir.path / "data/in.npy").lexically_normal().string());
  CHECK(t.node("file").text() == "data/in.npy");
  CHECK(t.get_uint("tile.sram.size_bytes") == 1000000);
  CHECK(t.get_uint_list("dims") == std::vector<std::uint64_t>{2, 3, 4});
  CHECK(t.node("defines").keys() == std::vector<std::string>{"A", "B"});
  CHECK(t.get_string("defines.B") == "two");
  CHECK(t.has("opt.b"));
  CHECK_FALSE(t.has("opt.a"));
  CHECK(t.get_uint("opt.b") == 7);
}

TEST_CASE("config: unknown keys name the full path and suggest the nearest sibling") {
  TempDir dir;
  const std::string f = dir.write("a.yaml", "name: x\n"
                                            "tile:\n"
                                            "  sram:\n"
                                            "    sise_bytes: 5\n");
  CHECK(error_of([&] { load_config(test_schema(), f); }) ==
        f + ":4:5: error: unknown key 'tile.sram.sise_bytes'; did you mean 'size_bytes'?");
  const std::string g = dir.write("b.yaml", "name: x\nzzz: 1\n");
  CHECK(error_of([&] { load_config(test_schema(), g); }) == g + ":2:1: error: unknown key 'zzz'");
  const std::string h = dir.write("c.yaml", "name: x\nitems:\n  - id: a\n    sise: 2\n");
  CHECK(error_of([&] { load_config(test_schema(), h); }) ==
        h + ":4:5: error: unknown key 'items[0].sise'; did you mean 'size'?");
}

TEST_CASE("config: wrong types, ranges and enum values") {
  TempDir dir;
  auto load_text = [&](const std::string &text) {
    const std::string f = dir.write("a.yaml", text);
    return error_of([&] { load_config(test_schema(), f); });
  };
  const std::string f = (dir.path / "a.yaml").string();
  CHECK(load_text("name: x\ncount: abc\n") == f + ":2:8: error: count: expected an unsigned integer, got 'abc'");
  CHECK(load_text("name: x\ncount: 9\n") == f + ":2:8: error: count: value 9 is out of range [1, 8]");
  CHECK(load_text("name: x\ncount: 0\n") == f + ":2:8: error: count: value 0 is out of range [1, 8]");
  CHECK(load_text("name: x\nratio: -1\n") == f + ":2:8: error: ratio: value -1 is below the minimum 0");
  CHECK(load_text("name: x\noffset: 1.5\n") == f + ":2:9: error: offset: expected an integer, got '1.5'");
  CHECK(load_text("name: x\nflag: maybe\n") == f + ":2:7: error: flag: expected true or false, got 'maybe'");
  CHECK(load_text("name: x\nmode: fsat\n") ==
        f + ":2:7: error: mode: invalid value 'fsat'; expected one of: fast, slow, exact; did you mean 'fast'?");
  CHECK(load_text("name: x\nmode: quick\n") ==
        f + ":2:7: error: mode: invalid value 'quick'; expected one of: fast, slow, exact");
  CHECK(load_text("name: x\ntile: 5\n") == f + ":2:7: error: tile: expected a map of keys, got '5'");
  CHECK(load_text("name: x\ncount: [1]\n") == f + ":2:8: error: count: expected an unsigned integer, got a list");
  CHECK(load_text("name: x\ndims: 3\n") == f + ":2:7: error: dims: expected a list, got '3'");
  CHECK(load_text("name: x\ndims: [1, x]\n") == f + ":2:11: error: dims[1]: expected an unsigned integer, got 'x'");
  CHECK(load_text("- a\n") == f + ":1:1: error: expected a map of keys at the top level, got a list");
  CHECK(load_text("name: x\nfile: \"\"\n") == f + ":2:7: error: file: expected a path, got an empty string");
}

TEST_CASE("config: missing required keys") {
  TempDir dir;
  const std::string f = dir.write("a.yaml", "count: 2\n");
  CHECK(error_of([&] { load_config(test_schema(), f); }) == f + ":1:1: error: missing required key 'name'");
  const std::string empty = dir.write("empty.yaml", "");
  CHECK(error_of([&] { load_config(test_schema(), empty); }) == empty + ": error: missing required key 'name'");
  // "name:" with nothing after it.
  const std::string null_value = dir.write("null.yaml", "count: 2\nname:\n");
  CHECK(error_of([&] { load_config(test_schema(), null_value); }) == null_value + ":2:1: error: name: expected a string, got nothing");
  const std::string item = dir.write("item.yaml", "name: x\nitems:\n  - id: a\n  - size: 2\n");
  CHECK(error_of([&] { load_config(test_schema(), item); }) == item + ":4:5: error: missing required key 'items[1].id'");
  CHECK(error_of([&] { default_config(test_schema()); }) == "<defaults>: error: missing required key 'name'");
}

TEST_CASE("config: malformed YAML, duplicate keys, unreadable files") {
  TempDir dir;
  const std::string f = dir.write("a.yaml", "name: [x\ncount: 2\n");
  CHECK(error_of([&] { load_config(test_schema(), f); }) == f + ":2:6: error: invalid YAML: end of sequence flow not found");
  const std::string g = dir.write("b.yaml", "name: x\n count: 2\n");
  CHECK(error_of([&] { load_config(test_schema(), g); }) == g + ":2:7: error: invalid YAML: illegal map value");
  const std::string d = dir.write("dup.yaml", "name: x\ncount: 1\ncount: 2\n");
  CHECK(error_of([&] { load_config(test_schema(), d); }) == d + ":3:1: error: duplicate key 'count' (first given at line 2)");
  const std::string nested = dir.write("dup2.yaml", "name: x\ntile:\n  sram:\n    base: 1\n    base: 2\n");
  CHECK(error_of([&] { load_config(test_schema(), nested); }) ==
        nested + ":5:5: error: duplicate key 'tile.sram.base' (first given at line 4)");
  const std::string two = dir.write("two.yaml", "name: x\n---\nname: y\n");
  CHECK(error_of([&] { load_config(test_schema(), two); }) == two + ": error: holds 2 YAML documents; expected one");
  const std::string missing = (dir.path / "nope.yaml").string();
  CHECK(error_of([&] { load_config(test_schema(), missing); }) ==
        missing + ": error: cannot read the file: No such file or directory");
}

TEST_CASE("config: list lengths and struct checks") {
  TempDir dir;
  const std::string f = dir.write("a.yaml", "name: x\n"
                                            "items:\n"
                                            "  - id: a\n"
                                            "  - id: b\n"
                                            "  - id: c\n"
                                            "  - id: d\n");
  CHECK(error_of([&] { load_config(test_schema(), f); }) == f + ":3:3: error: items: the list has 4 elements; at most 3 allowed");
  const std::string g = dir.write("b.yaml", "name: x\ndims: []\n");
  CHECK(error_of([&] { load_config(test_schema(), g); }) == g + ":2:7: error: dims: the list has 0 elements; at least 1 required");
  const std::string h = dir.write("c.yaml", "name: x\nopt: {a: 1, b: 2}\n");
  CHECK(error_of([&] { load_config(test_schema(), h); }) == h + ":2:6: error: 'opt' needs exactly one of a, b; a and b are given");
  const std::string i = dir.write("d.yaml", "name: x\nopt: {}\n");
  CHECK(error_of([&] { load_config(test_schema(), i); }) == i + ":2:6: error: 'opt' needs exactly one of a, b; none is given");
  const std::string j = dir.write("e.yaml", "name: x\nitems:\n  - id: a\n  -\n");
  CHECK(error_of([&] { load_config(test_schema(), j); }) == j + ":3:3: error: items[1]: empty list element; expected a map of keys");
}

TEST_CASE("config: overrides") {
  TempDir dir;
  const std::string f = dir.write("a.yaml", "name: x\ncount: 2\nitems:\n  - id: a\n");
  const ConfigTree t = load_config(test_schema(), f,
                                   {"count=7", "tile.sram.size_bytes=0x100", "mode=slow", "items[0].size=5",
                                    "items.0.id=b", "dims=[2, 3]", "defines.FOO=1", "opt.a=3", "ratio = 2.5"});
  CHECK(t.get_uint("count") == 7);
  CHECK(t.node("count").where() == "-p count=7");
  CHECK(t.get_uint("tile.sram.size_bytes") == 256);
  CHECK(t.get_uint("tile.sram.base") == 0x40000);
  CHECK(t.get_string("mode") == "slow");
  CHECK(t.get_uint("items[0].size") == 5);
  CHECK(t.get_string("items.0.id") == "b");
  CHECK(t.get_uint_list("dims") == std::vector<std::uint64_t>{2, 3});
  CHECK(t.get_string("defines.FOO") == "1");
  CHECK(t.get_uint("opt.a") == 3);
  CHECK(t.get_float("ratio") == 2.5);
  // An empty value puts the key back to its default.
  CHECK(load_config(test_schema(), f, {"count="}).get_uint("count") == 4);
  // A list the file does not set can be indexed when its default has the element.
  CHECK(load_config(test_schema(), f, {"dims.0=9"}).get_uint_list("dims") == std::vector<std::uint64_t>{9});
  // Later overrides win.
  CHECK(load_config(test_schema(), f, {"count=5", "count=6"}).get_uint("count") == 6);
  // Overrides also work without a file.
  CHECK(default_config(test_schema(), {"name=y"}).get_string("name") == "y");
}

TEST_CASE("config: override errors are located at the override") {
  TempDir dir;
  const std::string f = dir.write("a.yaml", "name: x\nitems:\n  - id: a\n");
  auto err = [&](const std::string &ov) { return error_of([&] { load_config(test_schema(), f, {ov}); }); };
  CHECK(err("tile.sram.sise_bytes=5") ==
        "-p tile.sram.sise_bytes=5: error: unknown key 'tile.sram.sise_bytes'; did you mean 'tile.sram.size_bytes'?");
  CHECK(err("sram.size_bytes=5") == "-p sram.size_bytes=5: error: unknown key 'sram'; did you mean 'tile.sram.size_bytes'?");
  CHECK(err("cuont=5") == "-p cuont=5: error: unknown key 'cuont'; did you mean 'count'?");
  CHECK(err("count=abc") == "-p count=abc: error: count: expected an unsigned integer, got 'abc'");
  CHECK(err("count=9") == "-p count=9: error: count: value 9 is out of range [1, 8]");
  CHECK(err("count") == "-p count: error: expected key.path=value");
  CHECK(err("count..x=1") == "-p count..x=1: error: malformed key path 'count..x'");
  CHECK(err("count.x=1") == "-p count.x=1: error: 'count' is a uint value; it has no key 'x'");
  CHECK(err("items.5.id=x") == "-p items.5.id=x: error: index 5 is out of range: 'items' has 1 element");
  CHECK(err("items.first.id=x") == "-p items.first.id=x: error: 'items' is a list; 'first' is not an index");
  CHECK(err("mode=[a") == "-p mode=[a: error: invalid YAML: end of sequence flow not found");
  CHECK(err("opt.a=1") == "");
  CHECK(err("tile={sram: {sise_bytes: 1}}") ==
        "-p tile={sram: {sise_bytes: 1}}: error: unknown key 'tile.sram.sise_bytes'; did you mean 'size_bytes'?");
  // Overrides given with their own location (e.g. a run file's machine_overrides).
  const std::vector<Override> located{{"count=0", SourceLocation{"run.yaml", 7, 10}}};
  CHECK(error_of([&] { load_config_with(test_schema(), f, located); }) ==
        "run.yaml:7:10: error: count: value 0 is out of range [1, 8]");
}

TEST_CASE("config: base files are loaded first and overlaid") {
  TempDir dir;
  const std::string base = dir.write("presets/base.yaml", "name: base\n"
                                                          "count: 2\n"
                                                          "tile:\n"
                                                          "  sram:\n"
                                                          "    size_bytes: 2048\n"
                                                          "    base: 0x80000\n"
                                                          "items:\n"
                                                          "  - id: a\n"
                                                          "  - id: b\n"
                                                          "defines: {A: '1', B: '2'}\n");
  const std::string child = dir.write("child.yaml", "base: presets/base.yaml\n"
                                                    "count: 3\n"
                                                    "tile:\n"
                                                    "  sram:\n"
                                                    "    size_bytes: 4096\n"
                                                    "items:\n"
                                                    "  - id: c\n"
                                                    "defines: {B: '3', C: '4'}\n");
  const ConfigTree t = load_config(test_schema(), child);
  CHECK(t.get_string("name") == "base");
  CHECK(t.location("name").str() == base + ":1:7");
  CHECK(t.get_uint("count") == 3);
  CHECK(t.location("count").str() == child + ":2:8");
  CHECK(t.get_uint("tile.sram.size_bytes") == 4096);
  CHECK(t.get_uint("tile.sram.base") == 0x80000); // deep merge keeps the base's sibling
  CHECK(t.location("tile.sram.base").str() == base + ":6:11");
  REQUIRE(t.node("items").size() == 1); // lists are replaced, not merged
  CHECK(t.get_string("items[0].id") == "c");
  CHECK(t.node("defines").keys() == std::vector<std::string>{"A", "B", "C"});
  CHECK(t.get_string("defines.B") == "3");
  // Overrides apply after both files.
  CHECK(load_config(test_schema(), child, {"tile.sram.base=0x10"}).get_uint("tile.sram.base") == 0x10);

  // A chain of bases, with relative paths from each file.
  dir.write("presets/deeper.yaml", "base: ../child.yaml\nflag: true\n");
  const std::string top = dir.write("top.yaml", "base: presets/deeper.yaml\nmode: slow\n");
  const ConfigTree chain = load_config(test_schema(), top);
  CHECK(chain.get_string("name") == "base");
  CHECK(chain.get_uint("count") == 3);
  CHECK(chain.get_bool("flag"));
  CHECK(chain.get_string("mode") == "slow");
}

TEST_CASE("config: errors inside a base file name the base file") {
  TempDir dir;
  const std::string base = dir.write("base.yaml", "name: b\ncount: 99\n");
  const std::string child = dir.write("child.yaml", "base: base.yaml\nmode: slow\n");
  CHECK(error_of([&] { load_config(test_schema(), child); }) == base + ":2:8: error: count: value 99 is out of range [1, 8]");
  const std::string base2 = dir.write("base2.yaml", "name: b\ntile:\n  sarm: {}\n");
  const std::string child2 = dir.write("child2.yaml", "base: base2.yaml\n");
  CHECK(error_of([&] { load_config(test_schema(), child2); }) ==
        base2 + ":3:3: error: unknown key 'tile.sarm'; did you mean 'sram'?");
  const std::string broken = dir.write("broken.yaml", "name: [b\n");
  const std::string child3 = dir.write("child3.yaml", "base: broken.yaml\n");
  CHECK(error_of([&] { load_config(test_schema(), child3); }) ==
        broken + ":2:1: error: invalid YAML: end of sequence flow not found");
}

TEST_CASE("config: base file cycles and missing base files") {
  TempDir dir;
  const std::string a = dir.write("a.yaml", "base: b.yaml\nname: a\n");
  const std::string b = dir.write("b.yaml", "base: a.yaml\n");
  CHECK(error_of([&] { load_config(test_schema(), a); }) == b + ":1:7: error: base files form a cycle: a.yaml -> b.yaml -> a.yaml");
  const std::string self = dir.write("self.yaml", "name: s\nbase: ./self.yaml\n");
  CHECK(error_of([&] { load_config(test_schema(), self); }) == self + ":2:7: error: base files form a cycle: self.yaml -> self.yaml");
  const std::string lost = dir.write("lost.yaml", "base: nope.yaml\n");
  CHECK(error_of([&] { load_config(test_schema(), lost); }) ==
        lost + ":1:7: error: base file 'nope.yaml' not found (looked for " + (dir.path / "nope.yaml").string() + ")");
  const std::string bad = dir.write("bad.yaml", "base: [x]\n");
  CHECK(error_of([&] { load_config(test_schema(), bad); }) == bad + ":1:7: error: base: expected the path of a YAML file, got a list");
}

TEST_CASE("config: reading the tree") {
  TempDir dir;
  const std::string f = dir.write("a.yaml", "name: x\n"
                                            "items:\n"
                                            "  - id: a\n"
                                            "    size: 3\n"
                                            "  - id: b\n");
  const ConfigTree t = load_config(test_schema(), f);
  std::vector<std::string> ids;
  std::uint64_t total = 0;
  for (const ConfigNode &item : t.node("items")) {
    ids.push_back(item.get_string("id"));
    total += item.get_uint("size");
  }
  CHECK(ids == std::vector<std::string>{"a", "b"});
  CHECK(total == 4); // 3 + the default 1
  CHECK(t.node("items")[1].path() == "items[1]");
  CHECK(t.node("items")[1].key() == "1");
  CHECK(t.location("items[1].id").str() == f + ":5:9");
  CHECK(t.node("tile").node("sram").get_uint("size_bytes") == 1024);
  CHECK(t.node("ratio").as_float() == 0.5);
  CHECK(t.node("count").as_float() == 4.0); // numbers read as float too

  // Semantic errors found later point at the value.
  CHECK(error_of([&] { t.fail("items[1].id", "tensor 'b' is not declared"); }) ==
        f + ":5:9: error: tensor 'b' is not declared");
  CHECK(error_of([&] { t.node("items")[0].fail("size", "too big"); }) == f + ":4:11: error: too big");
  CHECK(error_of([&] { t.fail("count", "count must be even"); }) ==
        f + ": error: count must be even (the default value of 'count')");
  // A missing optional key falls back to the node asked.
  CHECK(error_of([&] { t.fail("file", "no file"); }) == f + ":1:1: error: no file");

  // Asking for what the schema does not have is a bug in the caller.
  auto internal = [](auto fn) {
    try {
      fn();
    } catch (const Error &e) {
      return e.code() == ExitCode::internal;
    }
    return false;
  };
  CHECK(internal([&] { t.get_string("count"); }));
  CHECK(internal([&] { t.get_uint("nope"); }));
  CHECK(internal([&] { t.get_path("file"); })); // optional and not set
  CHECK(internal([&] { t.node("items")[5]; }));
  CHECK(internal([&] { t.get_uint("items.x"); }));
}

TEST_CASE("config: to_yaml writes every key and loads back to the same tree") {
  TempDir dir;
  const std::string f = dir.write("in/a.yaml", "name: \"odd: name\"\n"
                                               "count: 3\n"
                                               "ratio: 0.1\n"
                                               "file: data/x.npy\n"
                                               "items:\n"
                                               "  - id: a\n"
                                               "  - id: \"yes\"\n"
                                               "    size: 2\n"
                                               "dims: [4, 5]\n"
                                               "defines: {FOO: bar}\n"
                                               "opt: {a: 1}\n");
  const ConfigTree t = load_config(test_schema(), f, {"tile.sram.base=0x1000"});
  const std::string yaml = to_yaml(t);
  const std::string expected = "# Resolved configuration: every key, defaults included.\n"
                               "name: \"odd: name\"\n"
                               "count: 3\n"
                               "offset: -3\n"
                               "ratio: 0.1  # Hz\n"
                               "flag: false\n"
                               "mode: fast\n"
                               "file: " +
                               (dir.path / "in/data/x.npy").string() +
                               "\n"
                               "tile:\n"
                               "  sram:\n"
                               "    size_bytes: 1024  # bytes\n"
                               "    base: 0x1000\n"
                               "items:\n"
                               "  - id: a\n"
                               "    size: 1\n"
                               "  - id: \"yes\"\n"
                               "    size: 2\n"
                               "dims: [4, 5]\n"
                               "defines:\n"
                               "  FOO: bar\n"
                               "opt:\n"
                               "  a: 1\n";
  CHECK(yaml == expected);
  // Written somewhere else, it loads back to the same values.
  const std::string out = dir.write("elsewhere/resolved.yaml", yaml);
  const ConfigTree back = load_config(test_schema(), out);
  CHECK(to_yaml(back) == yaml);
  CHECK(back.get_path("file") == t.get_path("file"));
  CHECK(back.get_string("items[1].id") == "yes");
  CHECK(back.get_uint("tile.sram.base") == 0x1000);
}

TEST_CASE("config: describe prints one aligned line per key") {
  const Schema s = Struct("tiny", "A tiny schema")
                       .field("workers", UInt().range(1, 6).def(6).desc("Worker contexts").source("ref §2"))
                       .field("clock_hz", Float().unit("Hz").def(1.6e9).desc("Clock"))
                       .field("mode", Enum({"a", "b"}).required().desc("Mode"));
  CHECK(describe_schema(s, "tiny") == "key       type    default     unit  range   description\n"
                                      "tiny      struct                            A tiny schema\n"
                                      "workers   uint    6                 [1, 6]  Worker contexts [ref §2]\n"
                                      "clock_hz  float   1600000000  Hz            Clock\n"
                                      "mode      enum    required                  Mode. Values: a, b\n");
  CHECK(describe_schema_markdown(s, "") == "| key | type | default | unit | range | description | source |\n"
                                           "|---|---|---|---|---|---|---|\n"
                                           "| `workers` | uint | `6` |  | [1, 6] | Worker contexts | ref §2 |\n"
                                           "| `clock_hz` | float | `1600000000` | Hz |  | Clock |  |\n"
                                           "| `mode` | enum | required |  |  | Mode. Values: a, b |  |\n");
  const std::string machine = describe_schema(machine_schema(), "machine");
  CHECK(machine.find("tile.sram.size_bytes ") != std::string::npos);
  CHECK(machine.find("tile.timing.<key>.issue_cycles ") != std::string::npos);
  CHECK(machine.find("0xbc000") != std::string::npos);
  const std::string run = describe_schema_markdown(run_schema(), "run");
  CHECK(run.find("| `program.tensors[].init.random.min` | float | `-1` |") != std::string::npos);
  CHECK(run.find("| `outputs.vcd.signals` | list<enum> | `[pc, issue]` |") != std::string::npos);
}

TEST_CASE("config: schema mistakes are caught when the schema is built") {
  CHECK_THROWS_AS(UInt().def("abc"), std::logic_error);
  CHECK_THROWS_AS(Enum({"a"}).def("b"), std::logic_error);
  CHECK_THROWS_AS(UInt().field("x", UInt()), std::logic_error);
  CHECK_THROWS_AS(Struct("s").field("x", UInt()).field("x", UInt()), std::logic_error);
  CHECK_THROWS_AS(Struct("s").field("a.b", UInt()), std::logic_error);
  CHECK_THROWS_AS(Struct("s").exactly_one_of({"x"}), std::logic_error);
  CHECK_THROWS_AS(List(UInt()).min(1), std::logic_error);
}

TEST_CASE("config: the machine presets load against machine_schema") {
  const ConfigTree gc2 = load_config(machine_schema(), machines_dir() + "/gc2.yaml");
  CHECK(gc2.get_string("name") == "gc2");
  CHECK(gc2.get_string("generation") == "mk1");
  CHECK(gc2.get_uint("arch_version") == 1);
  CHECK(gc2.get_float("clock_hz") == 1.6e9);
  CHECK(gc2.get_uint("tile.workers") == 6);
  CHECK(gc2.get_uint("tile.sram.base_address") == 0x40000);
  CHECK(gc2.get_uint("tile.sram.size_bytes") == 256 * 1024);
  CHECK(gc2.get_uint("tile.sram.base_address") + gc2.get_uint("tile.sram.size_bytes") == 0x80000);
  CHECK(gc2.get_uint("tile.sram.element_bytes") == 16 * 1024);
  CHECK(gc2.get_uint("tile.sram.interleaved_base") == 0x60000);
  CHECK(gc2.get_uint("tile.sram.interleave_bytes") == 8);
  CHECK(gc2.get_uint("tile.repeat_count_bits") == 12);
  CHECK(gc2.node("tile.timing").keys() == std::vector<std::string>{"alu", "mul", "load", "store", "branch", "control",
                                                                    "system", "csr", "fp32", "fp16", "fpconv",
                                                                    "transcendental"});

  // The schema defaults are the GC200: the preset and the defaults agree.
  const ConfigTree gc200 = load_config(machine_schema(), machines_dir() + "/gc200.yaml");
  CHECK(gc200.get_uint("tile.sram.size_bytes") == 624 * 1024);
  CHECK(gc200.get_float("clock_hz") == 1.33e9);
  CHECK(gc200.get_uint("tile.repeat_count_bits") == 16);
  CHECK(to_yaml(gc200) == to_yaml(default_config(machine_schema())));

  const ConfigTree bow = load_config(machine_schema(), machines_dir() + "/bow.yaml");
  CHECK(bow.get_string("name") == "bow");
  CHECK(bow.get_string("generation") == "bow");
  CHECK(bow.get_float("clock_hz") == 1.85e9);
  CHECK(bow.get_uint("tile.sram.size_bytes") == 638976);
  CHECK(bow.location("tile.sram.size_bytes").file == machines_dir() + "/gc200.yaml");

  const ConfigTree c600 = load_config(machine_schema(), machines_dir() + "/c600.yaml");
  CHECK(c600.get_uint("arch_version") == 21);
  CHECK(c600.get_string("generation") == "c600");

  // Overrides on a preset.
  const ConfigTree small = load_config(machine_schema(), machines_dir() + "/gc2.yaml",
                                       {"tile.workers=4", "tile.timing.transcendental.issue_cycles=4",
                                        "tile.timing.custom.issue_cycles=2"});
  CHECK(small.get_uint("tile.workers") == 4);
  CHECK(small.get_uint("tile.timing.transcendental.issue_cycles") == 4);
  CHECK(small.get_uint("tile.timing.custom.issue_cycles") == 2);
  CHECK(small.node("tile.timing").size() == 13);
}

TEST_CASE("config: the machine schema checks the SRAM layout") {
  const std::string gc200 = machines_dir() + "/gc200.yaml";
  auto err = [&](const std::string &ov) { return error_of([&] { load_config(machine_schema(), gc200, {ov}); }); };
  CHECK(err("tile.sram.interleaved_base=0x60001") ==
        "-p tile.sram.interleaved_base=0x60001: error: interleaved_base 0x60001 is not on a memory-element boundary "
        "(base_address + n * element_bytes)");
  CHECK(err("tile.sram.interleaved_base=0x30000") ==
        "-p tile.sram.interleaved_base=0x30000: error: interleaved_base 0x30000 is outside the SRAM [0x40000, 0xdc000]");
  // 0xD8000..0xDC000 is one element, not a pair.
  CHECK(err("tile.sram.interleaved_base=0xD8000") ==
        "-p tile.sram.interleaved_base=0xD8000: error: the interleaved region [0xd8000, 0xdc000) is not a whole "
        "number of element pairs (32768 bytes each)");
  CHECK(err("tile.sram.size_bytes=1000") ==
        "-p tile.sram.size_bytes=1000: error: size_bytes 1000 is not a whole number of 16384-byte memory elements");
  CHECK(err("tile.sram.interleave_bytes=24") ==
        "-p tile.sram.interleave_bytes=24: error: interleave_bytes 24 must be a power of two that divides "
        "element_bytes 16384");
  CHECK(err("tile.workers=7") == "-p tile.workers=7: error: tile.workers: value 7 is out of range [1, 6]");
  CHECK(err("generation=mk3") ==
        "-p generation=mk3: error: generation: invalid value 'mk3'; expected one of: mk1, mk2, bow, c600");
  CHECK(err("tile.sram.sise_bytes=1") ==
        "-p tile.sram.sise_bytes=1: error: unknown key 'tile.sram.sise_bytes'; did you mean 'tile.sram.size_bytes'?");
  CHECK(err("tile.sram.size_bytes=0x100000000") ==
        "-p tile.sram.size_bytes=0x100000000: error: the SRAM from 0x40000 with size_bytes 4294967296 does not fit in "
        "32-bit addresses");
  // No interleaved region at all is a valid layout.
  CHECK(err("tile.sram.interleaved_base=0xDC000") == "");
}

TEST_CASE("config: run files") {
  TempDir dir;
  const std::string f = dir.write("runs/r.yaml", "name: dot\n"
                                                 "machine: gc2\n"
                                                 "machine_overrides:\n"
                                                 "  tile.workers: 4\n"
                                                 "  tile.sram.sise_bytes: 1\n"
                                                 "program:\n"
                                                 "  sources: [dot.S]\n"
                                                 "  include_dirs: [../inc]\n"
                                                 "  defines: {N: '16'}\n"
                                                 "  entry: dot_main\n"
                                                 "  vertex:\n"
                                                 "    - {name: in, kind: tensor, tensor: x}\n"
                                                 "    - {name: n, kind: uint, value: 16}\n"
                                                 "  tensors:\n"
                                                 "    - name: x\n"
                                                 "      dtype: half\n"
                                                 "      shape: [16]\n"
                                                 "      init: {random: {seed: 3}}\n"
                                                 "    - name: y\n"
                                                 "      dtype: float\n"
                                                 "      shape: [4, 4]\n"
                                                 "      region: interleaved\n"
                                                 "      output: true\n");
  const ConfigTree run = load_config(run_schema(), f);
  CHECK(run.get_string("machine") == "gc2");
  CHECK(run.get_uint("seed") == 1);
  CHECK(run.get_uint("max_cycles") == 100000000);
  CHECK(run.get_string_list("program.sources") == std::vector<std::string>{(dir.path / "runs/dot.S").string()});
  CHECK(run.get_string_list("program.include_dirs") == std::vector<std::string>{(dir.path / "inc").string()});
  CHECK(run.get_string("program.defines.N") == "16");
  CHECK(run.get_string("program.start") == "supervisor");
  CHECK(run.get_float("program.vertex[1].value") == 16.0);
  CHECK(run.get_uint("program.vertex[0].offset_elems") == 0);
  CHECK(run.get_uint("program.tensors[0].init.random.seed") == 3);
  CHECK(run.get_float("program.tensors[0].init.random.min") == -1.0);
  CHECK(run.get_float("program.tensors[0].init.random.max") == 1.0);
  CHECK(run.get_uint("program.tensors[0].align") == 8);
  CHECK_FALSE(run.has("program.tensors[1].init"));
  CHECK(run.get_uint_list("program.tensors[1].shape") == std::vector<std::uint64_t>{4, 4});
  CHECK(run.get_bool("program.tensors[1].output"));
  CHECK(run.get_bool("outputs.trace.enabled"));
  CHECK(run.get_uint("outputs.trace.end_cycle") == std::numeric_limits<std::uint64_t>::max());
  CHECK_FALSE(run.get_bool("outputs.vcd.enabled"));
  CHECK(run.get_string_list("outputs.vcd.signals") == std::vector<std::string>{"pc", "issue"});
  CHECK_FALSE(run.has("outputs.dir"));

  // The machine: a preset name, with the run's overrides located in the run file.
  const std::string machine = find_preset(run.get_string("machine"), run.location("machine"), {machines_dir()});
  CHECK(machine == machines_dir() + "/gc2.yaml");
  const std::vector<Override> ovs = overrides_from_map(run.node("machine_overrides"));
  REQUIRE(ovs.size() == 2);
  CHECK(ovs[0].text == "tile.workers=4");
  CHECK(load_config_with(machine_schema(), machine, {ovs[0]}).get_uint("tile.workers") == 4);
  CHECK(error_of([&] { load_config_with(machine_schema(), machine, ovs); }) ==
        f + ":5:25: error: unknown key 'tile.sram.sise_bytes'; did you mean 'tile.sram.size_bytes'?");

  // A full round trip of a run file.
  const std::string back = dir.write("out/resolved.yaml", to_yaml(run));
  CHECK(to_yaml(load_config(run_schema(), back)) == to_yaml(run));
}

TEST_CASE("config: run file checks") {
  TempDir dir;
  const std::string head = "name: r\nmachine: gc200\nprogram:\n  sources: [a.S]\n  entry: main\n";
  auto err = [&](const std::string &tail) {
    const std::string f = dir.write("r.yaml", head + tail);
    return error_of([&] { load_config(run_schema(), f); });
  };
  const std::string f = (dir.path / "r.yaml").string();
  CHECK(err("  tensors:\n    - {name: x, dtype: half, shape: [2], init: {fill: 1, npy: a.npy}}\n") ==
        f + ":7:48: error: 'program.tensors[0].init' needs exactly one of npy, fill, random; npy and fill are given");
  CHECK(err("  tensors:\n    - {name: x, dtype: half, shape: [2], init: {}}\n") ==
        f + ":7:48: error: 'program.tensors[0].init' needs exactly one of npy, fill, random; none is given");
  CHECK(err("  tensors:\n    - {name: x, dtype: half, shape: []}\n") ==
        f + ":7:37: error: program.tensors[0].shape: the list has 0 elements; at least 1 required");
  CHECK(err("  tensors:\n    - {name: x, dtype: double, shape: [1]}\n") ==
        f + ":7:24: error: program.tensors[0].dtype: invalid value 'double'; expected one of: half, float, int, uint, "
            "short, ushort, char, uchar, bool, longlong, ulonglong, fp8_143, fp8_152");
  CHECK(err("  tensors:\n    - {name: x, dtype: half, scale: 2, shape: [1]}\n") ==
        f + ":7:37: error: tensor 'x' is half: only FP8 tensors (fp8_143, fp8_152) have a scale");
  CHECK(err("  tensors:\n    - {name: x, dtype: fp8_143, scale: 32, shape: [1]}\n").find("scale") != std::string::npos);
  CHECK(err("  tensors:\n    - {name: x, dtype: half}\n") == f + ":7:7: error: missing required key 'program.tensors[0].shape'");
  CHECK(err("  tensors:\n    - {name: x, dtype: half, shape: [1], init: {random: {min: 2, max: 1}}}\n") ==
        f + ":7:71: error: random init: max is below min");
  CHECK(err("  vertex:\n    - {name: in, kind: tensor}\n") ==
        f + ":7:7: error: vertex field 'in' of kind tensor needs 'tensor'");
  CHECK(err("  vertex:\n    - {name: n, kind: uint, value: 1, tensor: x}\n") ==
        f + ":7:47: error: vertex field 'n' of kind uint takes no 'tensor'");
  CHECK(err("  sources: []\n") == f + ":6:3: error: duplicate key 'program.sources' (first given at line 4)");
  CHECK(err("outputs:\n  vcd:\n    signals: [pc, pcs]\n") ==
        f + ":8:19: error: outputs.vcd.signals[1]: invalid value 'pcs'; expected one of: pc, issue, context, stall; "
            "did you mean 'pc'?");
  CHECK(error_of([&] { default_config(run_schema()); }) == "<defaults>: error: missing required key 'name'");
}

TEST_CASE("config: finding machine presets") {
  const SourceLocation where{"runs/r.yaml", 2, 10};
  CHECK(find_preset("gc200", where, {machines_dir()}) == machines_dir() + "/gc200.yaml");
  const std::string unknown = error_of([&] { find_preset("gc300", where, {machines_dir()}); });
  CHECK(unknown.rfind("runs/r.yaml:2:10: error: unknown machine preset 'gc300'; did you mean 'gc200'? (presets: ", 0) == 0);
  CHECK(unknown.find("gc2, gc200") != std::string::npos);
  TempDir dir;
  const std::string run = dir.write("runs/r.yaml", "");
  dir.write("machines/mine.yaml", "name: mine\n");
  CHECK(find_preset("../machines/mine.yaml", SourceLocation{run, 2, 10}, {}) == (dir.path / "machines/mine.yaml").string());
  CHECK(error_of([&] { find_preset("../machines/none.yaml", SourceLocation{run, 2, 10}, {}); }) ==
        run + ":2:10: error: machine file '" + (dir.path / "machines/none.yaml").string() + "' not found");
  const std::vector<std::string> names = list_presets({machines_dir()});
  CHECK(std::find(names.begin(), names.end(), "gc2") != names.end());
  CHECK(std::find(names.begin(), names.end(), "c600") != names.end());
}
