// Bad input of every kind: one line naming where, a distinct non-zero exit
// code, no crash and no results folder that looks complete.
#include <doctest/doctest.h>

#include "cli_harness.hpp"
#include "sim/io/npy.hpp"

#include <algorithm>

using namespace ipusim;
namespace fs = std::filesystem;

namespace {
const char *kWorker = R"(
  .section .text.w, "ax"
  .worker
  .align 8
w:
  ld32  $m0, $mvertex_base, 0
  ld32  $m1, $m0, $mzero, 0
  exitz $mzero
)";

std::string run_yaml(const std::string &extra_program = "", const std::string &extra_top = "") {
  return "name: t\nmachine: gc2\n" + extra_top +
         "program:\n  sources: [w.S]\n  entry: w\n  start: worker\n"
         "  tensors:\n    - {name: x, dtype: float, shape: [4], init: {fill: 1.5}}\n"
         "  vertex:\n    - {name: x, kind: tensor, tensor: x}\n" +
         extra_program;
}

struct Case {
  fs::path dir;
  test::Outcome o;
};

Case run_case(const std::string &name, const std::string &yaml, const std::string &source = kWorker,
              const std::string &args = "") {
  Case c{test::scratch(name), {}};
  test::write(c.dir / "run.yaml", yaml);
  test::write(c.dir / "w.S", source);
  c.o = test::ipusim("run run.yaml -o out " + args, c.dir.string());
  return c;
}

bool one_line(const std::string &s) {
  size_t n = s.find('\n');
  return n != std::string::npos && n + 1 == s.size();
}
} // namespace

TEST_CASE("a good program runs") {
  auto c = run_case("good", run_yaml());
  INFO(c.o.out);
  CHECK(c.o.exit_code == 0);
  CHECK(fs::exists(c.dir / "out/stats.json"));
}

TEST_CASE("malformed YAML") {
  auto c = run_case("malformed", "name: t\nmachine: [gc2\n");
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("run.yaml:") != std::string::npos);
  CHECK(one_line(c.o.out));
  CHECK_FALSE(fs::exists(c.dir / "out"));
}

TEST_CASE("unknown key with a suggestion") {
  auto c = run_case("unknown_key", run_yaml("", "sed: 3\n"));
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("run.yaml:3:1: error:") == 0);
  CHECK(c.o.out.find("did you mean 'seed'") != std::string::npos);
  CHECK(one_line(c.o.out));
}

TEST_CASE("unknown override key") {
  auto c = run_case("override", run_yaml(), kWorker, "-p machine.tile.workerz=4");
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("workerz") != std::string::npos);
  CHECK(c.o.out.find("did you mean 'tile.workers'") != std::string::npos);
  CHECK(c.o.out.find("-p machine.tile.workerz=4: error:") == 0);
}

TEST_CASE("bad instruction in a source") {
  std::string src = kWorker;
  src.replace(src.find("ld32  $m1"), 4, "lx32");
  auto c = run_case("bad_insn", run_yaml(), src);
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("w.S:7:3: error: unknown instruction 'lx32'") != std::string::npos);
  CHECK(one_line(c.o.out));
}

TEST_CASE("a fault in the program: exit 4, tile/context/pc/cycle, failed folder") {
  std::string src = kWorker;
  src.replace(src.find("ld32  $m1, $m0, $mzero, 0"), 25, "setzi $m0, 0x7FFFC\n  ld32  $m1, $m0, $mzero, 1");
  auto c = run_case("fault", run_yaml(), src);
  CHECK(c.o.exit_code == 4);
  CHECK(c.o.out.find("tile 0, worker 0, pc 0x") == 0);
  CHECK(c.o.out.find("cycle") != std::string::npos);
  CHECK(one_line(c.o.out));
  CHECK_FALSE(fs::exists(c.dir / "out"));
  CHECK(fs::exists(c.dir / "out.failed/error.txt"));
}

TEST_CASE("a deadlocked program trips the watchdog") {
  const char *sup = R"(
  .section .text.s, "ax"
  .supervisor
  .align 8
s:
  sync 5
  br $lr
)";
  std::string yaml = "name: t\nmachine: gc2\nmachine_overrides: {watchdog_cycles: 500}\n"
                     "program:\n  sources: [w.S]\n  entry: s\n  start: supervisor\n";
  auto c = run_case("deadlock", yaml, sup);
  CHECK(c.o.exit_code == 4);
  CHECK(c.o.out.find("deadlock: no instruction issued for 500 cycles (supervisor waits on sync zone 5") !=
        std::string::npos);
}

TEST_CASE("a tensor that does not fit names the tile and the shortfall") {
  auto c = run_case("oom", run_yaml("    - {name: big, dtype: float, shape: [100000]}\n"));
  // The second tensors entry is appended after vertex: make it a real list entry instead.
  std::string yaml = "name: t\nmachine: gc2\nprogram:\n  sources: [w.S]\n  entry: w\n  start: worker\n"
                     "  tensors:\n    - {name: big, dtype: float, shape: [100000]}\n";
  c = run_case("oom2", yaml);
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("run.yaml:8:") == 0);
  CHECK(c.o.out.find("tensor 'big' (400000 bytes) does not fit: ") != std::string::npos);
  CHECK(c.o.out.find("in tile 0's free memory (largest gap ") != std::string::npos);
  CHECK(c.o.out.find("short by") != std::string::npos);
}

TEST_CASE("a vertex field naming an unknown tensor") {
  std::string yaml = run_yaml();
  yaml.replace(yaml.find("tensor: x}"), 10, "tensor: y}");
  auto c = run_case("vertex", yaml);
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("run.yaml:10:") == 0);
  CHECK(c.o.out.find("unknown tensor 'y'") != std::string::npos);
}

TEST_CASE("a missing .npy input") {
  std::string yaml = run_yaml();
  yaml.replace(yaml.find("{fill: 1.5}"), 11, "{npy: nothere.npy}");
  auto c = run_case("npy", yaml);
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("nothere.npy") != std::string::npos);
  CHECK(one_line(c.o.out));
}

TEST_CASE("an existing results folder is never overwritten") {
  auto c = run_case("exists", run_yaml());
  REQUIRE(c.o.exit_code == 0);
  auto again = test::ipusim("run run.yaml -o out", c.dir.string());
  CHECK(again.exit_code == 3);
  CHECK(again.out.find("output directory") != std::string::npos);
}

TEST_CASE("usage errors exit with 2") {
  auto dir = test::scratch("usage");
  CHECK(test::ipusim("", dir.string()).exit_code == 2);
  CHECK(test::ipusim("run", dir.string()).exit_code == 2);
  CHECK(test::ipusim("frobnicate", dir.string()).exit_code == 2);
  CHECK(test::ipusim("describe nosuch", dir.string()).exit_code == 2);
}

TEST_CASE("describe lists config keys, instructions, CSRs and statistics") {
  auto dir = test::scratch("describe");
  auto o = test::ipusim("describe", dir.string());
  CHECK(o.exit_code == 0);
  for (const char *s : {"tile.sram.conflict_penalty_cycles", "program.tensors", "ld2xst64pace", "f16v4add", "$FP_CTL",
                        "sim.cycles"})
    CHECK_MESSAGE(o.out.find(s) != std::string::npos, s);
}

TEST_CASE("a recursive YAML alias is an error, not a crash") {
  auto c = run_case("alias", "name: t\nmachine: gc2\nx: &a [*a]\n");
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("recursive alias") != std::string::npos);
  CHECK(one_line(c.o.out));
}

TEST_CASE("runaway macro expansion stops with an error") {
  auto c = run_case("macro_bomb", run_yaml(), ".macro m a\n m \\a\\a\n.endm\n m x\n");
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("w.S:4:2: error: macro and .rept expansion exceeds 64 MiB") != std::string::npos);
  CHECK(one_line(c.o.out));
}

TEST_CASE("values that do not fit their type are rejected where they are written") {
  std::string yaml = run_yaml("    - {name: n, kind: uint, value: -1}\n");
  auto c = run_case("vertex_value", yaml);
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("run.yaml:11:") == 0);
  CHECK(c.o.out.find("vertex field 'n': -1 is out of range for uint [0, 4294967295]") != std::string::npos);

  std::string fill = run_yaml();
  const std::string from = "dtype: float, shape: [4], init: {fill: 1.5}";
  fill.replace(fill.find(from), from.size(), "dtype: uchar, shape: [4], init: {fill: 300}");
  c = run_case("fill_value", fill);
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("fill value 300 is out of range for uchar [0, 255]") != std::string::npos);

  std::string huge = run_yaml();
  huge.replace(huge.find("shape: [4]"), 10, "shape: [4294967296, 4294967296]");
  c = run_case("huge", huge);
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("far larger than a tile's memory") != std::string::npos);
}

TEST_CASE("an inverted trace window is rejected") {
  auto c = run_case("window", run_yaml(), kWorker, "-p outputs.trace.start_cycle=100 -p outputs.trace.end_cycle=50");
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("the trace window ends before it starts") != std::string::npos);
  CHECK_FALSE(fs::exists(c.dir / "out"));
}

namespace {
// A two-tile graph around configs/runs/graph_scale/scale.S; `mapping` and
// `fields` can be replaced to make it wrong.
std::string graph_yaml(const std::string &mapping, const std::string &fields, const std::string &control) {
  return "name: g\nmachine: gc200\ngraph:\n  tiles: 2\n  sources: [scale.S]\n  tensors:\n"
         "    - name: x\n      dtype: float\n      shape: [16]\n      mapping:\n" + mapping +
         "  compute_sets:\n    - name: cs\n      vertices:\n        - codelet: scale_f32\n          tile: 0\n"
         "          fields:\n" + fields + "  control:\n" + control;
}
const char *kMapping = "        - {tile: 0, begin: 0, end: 8}\n        - {tile: 1, begin: 8, end: 16}\n";
const char *kFields = "            - {name: ptr, kind: tensor, tensor: x, offset_elems: 0}\n"
                      "            - {name: pairs, kind: uint, value: 4}\n"
                      "            - {name: scale, kind: float, value: 2.0}\n";
const char *kControl = "    - {execute: cs}\n";

Case graph_case(const std::string &name, const std::string &yaml) {
  std::string src = test::read(fs::path(test::source_dir()) / "configs/runs/graph_scale/scale.S");
  Case c{test::scratch(name), {}};
  test::write(c.dir / "run.yaml", yaml);
  test::write(c.dir / "scale.S", src);
  c.o = test::ipusim("run run.yaml -o out", c.dir.string());
  return c;
}
} // namespace

TEST_CASE("graph: a correct two-tile graph runs") {
  auto c = graph_case("graph_ok", graph_yaml(kMapping, kFields, kControl));
  INFO(c.o.out);
  CHECK(c.o.exit_code == 0);
}

TEST_CASE("graph: mapping errors name the region") {
  auto gap = graph_case("graph_gap", graph_yaml("        - {tile: 0, begin: 0, end: 8}\n        - {tile: 1, begin: 9, end: 16}\n",
                                               kFields, kControl));
  CHECK(gap.o.exit_code == 3);
  CHECK(gap.o.out.find("run.yaml:12:") == 0); // at the region after the gap
  CHECK(gap.o.out.find("elements [8, 9) of tensor 'x' are mapped to no tile") != std::string::npos);
  auto twice = graph_case("graph_twice", graph_yaml("        - {tile: 0, begin: 0, end: 9}\n        - {tile: 1, begin: 8, end: 16}\n",
                                                   kFields, kControl));
  CHECK(twice.o.out.find("element 8 of tensor 'x' is mapped twice") != std::string::npos);
  auto tile = graph_case("graph_tile", graph_yaml("        - {tile: 0, begin: 0, end: 8}\n        - {tile: 2, begin: 8, end: 16}\n",
                                                  kFields, kControl));
  CHECK(tile.o.out.find("tile 2 is not one of the program's 2 tiles") != std::string::npos);
}

TEST_CASE("graph: a vertex field must point at its own tile's region") {
  std::string fields = kFields;
  fields.replace(fields.find("offset_elems: 0"), 15, "offset_elems: 8");
  auto c = graph_case("graph_remote", graph_yaml(kMapping, fields, kControl));
  CHECK(c.o.exit_code == 3);
  CHECK(c.o.out.find("element 8 of tensor 'x' is on tile 1, not on this vertex's tile 0") != std::string::npos);
  CHECK(one_line(c.o.out));
}

TEST_CASE("graph: unknown compute sets and codelets, and program with graph") {
  auto cs = graph_case("graph_cs", graph_yaml(kMapping, kFields, "    - {execute: nope}\n"));
  CHECK(cs.o.exit_code == 3);
  CHECK(cs.o.out.find("no compute set named 'nope'") != std::string::npos);
  std::string yaml = graph_yaml(kMapping, kFields, kControl);
  yaml.replace(yaml.find("codelet: scale_f32"), 18, "codelet: scale_f64");
  auto cod = graph_case("graph_codelet", yaml);
  CHECK(cod.o.out.find("codelet 'scale_f64' is not defined by the sources") != std::string::npos);
  auto both = graph_case("graph_both", graph_yaml(kMapping, kFields, kControl) +
                                           "program:\n  sources: [scale.S]\n  entry: scale_f32\n");
  CHECK(both.o.exit_code == 3);
  CHECK(both.o.out.find("program") != std::string::npos);
  CHECK(one_line(both.o.out));
}

TEST_CASE("graph: copy errors name the copy") {
  std::string base = graph_yaml(kMapping, kFields, "    - {copy: c}\n");
  auto unknown = graph_case("copy_unknown", base);
  CHECK(unknown.o.exit_code == 3);
  CHECK(unknown.o.out.find("no copy named 'c'") != std::string::npos);
  std::string sized = base + "";
  sized.replace(sized.find("  compute_sets:"), 0,
                "  copies:\n    - {name: c, source: {tensor: x, begin: 0, end: 4}, destination: {tensor: x, begin: 8, end: 11}}\n");
  auto size = graph_case("copy_size", sized);
  CHECK(size.o.exit_code == 3);
  CHECK(size.o.out.find("the source has 16 bytes, the destination 12") != std::string::npos);
  CHECK(one_line(size.o.out));
}

TEST_CASE("graph: a copy of several parts exchanges them together; a part's errors name it") {
  std::string yaml = graph_yaml(kMapping, kFields, "    - {copy: swap}\n");
  yaml.replace(yaml.find("  compute_sets:"), 0,
               "  copies:\n    - name: swap\n      parts:\n"
               "        - {source: {tensor: x, begin: 0, end: 4}, destination: {tensor: x, begin: 12, end: 16}}\n"
               "        - {source: {tensor: x, begin: 8, end: 12}, destination: {tensor: x, begin: 4, end: 8}}\n");
  auto ok = graph_case("copy_parts", yaml);
  INFO(ok.o.out);
  CHECK(ok.o.exit_code == 0);
  // Both parts went in one round: one internal sync for the copy (two copies would take two).
  CHECK(ok.o.out.find("chip.supersteps                                   1 ") != std::string::npos);

  std::string bad = yaml;
  bad.replace(bad.find("{tensor: x, begin: 4, end: 8}"), 29, "{tensor: x, begin: 5, end: 8}");
  auto size = graph_case("copy_parts_size", bad);
  CHECK(size.o.exit_code == 3);
  CHECK(size.o.out.find("the source has 16 bytes, the destination 12") != std::string::npos);
  CHECK(one_line(size.o.out));

  std::string both = yaml;
  both.replace(both.find("      parts:"), 0, "      destination: {tensor: x, begin: 0, end: 4}\n");
  auto mixed = graph_case("copy_parts_mixed", both);
  CHECK(mixed.o.exit_code == 3);
  CHECK(mixed.o.out.find("has parts: each part names its destination(s)") != std::string::npos);
}

TEST_CASE("graph: host stream errors name the stream") {
  auto with_streams = [](const std::string &streams, const std::string &control) {
    std::string y = graph_yaml(kMapping, kFields, control);
    y.replace(y.find("  compute_sets:"), 0, "  streams:\n" + streams);
    return y;
  };
  std::string bad = with_streams("    - {name: s, tensor: x, direction: from_device}\n", "    - {stream: t}\n");
  auto unknown = graph_case("stream_unknown", bad);
  CHECK(unknown.o.exit_code == 3);
  size_t line = 1 + std::count(bad.begin(), bad.begin() + bad.find("{stream: t}"), '\n');
  CHECK(unknown.o.out.find("run.yaml:" + std::to_string(line) + ":") == 0);
  CHECK(unknown.o.out.find("no stream named 't'") != std::string::npos);
  CHECK(one_line(unknown.o.out));

  auto tensor = graph_case("stream_tensor", with_streams("    - {name: s, tensor: y, direction: from_device}\n",
                                                         "    - {stream: s}\n"));
  CHECK(tensor.o.out.find("stream 's' names unknown tensor 'y'") != std::string::npos);

  auto no_data = graph_case("stream_nodata", with_streams("    - {name: s, tensor: x, direction: to_device}\n",
                                                          "    - {stream: s}\n"));
  CHECK(no_data.o.exit_code == 3);
  CHECK(no_data.o.out.find("stream 's' (to_device) needs 'data'") != std::string::npos);

  // Three uses but two rows of data (and a shape that fits neither way).
  Case rows{test::scratch("stream_rows"), {}};
  NpyArray a;
  a.dtype = "<f4";
  a.shape = {2, 16};
  a.data.assign(2 * 16 * 4, 0);
  test::write(rows.dir / "run.yaml",
              with_streams("    - {name: s, tensor: x, direction: to_device, data: {npy: d.npy}}\n",
                           "    - repeat: {count: 3, body: [{stream: s}]}\n"));
  test::write(rows.dir / "scale.S", test::read(fs::path(test::source_dir()) / "configs/runs/graph_scale/scale.S"));
  write_npy((rows.dir / "d.npy").string(), a);
  rows.o = test::ipusim("run run.yaml -o out", rows.dir.string());
  CHECK(rows.o.exit_code == 3);
  CHECK(rows.o.out.find("d.npy has shape (2, 16) but tensor 's' has shape (16) (or (3, 16) with one slice per use "
                        "of the stream)") != std::string::npos);
  CHECK(one_line(rows.o.out));
  CHECK_FALSE(fs::exists(rows.dir / "out"));
}
