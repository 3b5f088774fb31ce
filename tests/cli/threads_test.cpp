// Determinism: the same inputs give byte-identical stats (less host.*),
// outputs and traces, and the same error, whichever engine computes them --
// the reference engine (every tile cycle by cycle under the SystemC kernel)
// or the fast one with 1, 2 or 3 host threads (--threads). Checked on every
// example and benchmark program in configs/runs and configs/bench, and on
// programs that fault or break the exchange's schedule.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli_harness.hpp"

using namespace ipusim;
namespace fs = std::filesystem;

namespace {

nlohmann::json stats_less_host(const fs::path &file) {
  nlohmann::json j = nlohmann::json::parse(test::read(file));
  for (auto it = j.begin(); it != j.end();) it = it.key().rfind("host.", 0) == 0 ? j.erase(it) : std::next(it);
  return j;
}

// Every file of a results folder but the ones naming the folder, the command
// line or the time (and stats.json, compared less host.*).
std::map<std::string, std::string> result_files(const fs::path &dir) {
  std::map<std::string, std::string> out;
  for (const auto &e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::string rel = fs::relative(e.path(), dir).string();
    if (rel == "stats.json" || rel == "summary.txt" || rel == "config.yaml" || rel == "machine.yaml" ||
        rel == "manifest.json")
      continue;
    out[rel] = test::read(e.path());
  }
  return out;
}

// How each run is computed: the reference engine, then the fast one.
const std::vector<std::pair<std::string, std::string>> kEngines = {
    {"reference", "--engine reference"},
    {"j1", "--threads 1"},
    {"j2", "--threads 2"},
    {"j3", "--threads 3"},
};

void same_for_any_thread_count(const std::string &name, const std::string &yaml, const std::string &params,
                               const std::string &trace_file = "trace.json") {
  auto dir = test::scratch("threads_" + name);
  for (const auto &[label, option] : kEngines) {
    std::string out = (dir / label).string();
    auto o = test::ipusim("run '" + yaml + "' -o '" + out + "' " + option + " " + params, dir.string());
    INFO(name << " " << option << ": " << o.out);
    REQUIRE(o.exit_code == 0);
  }
  auto files = result_files(dir / "reference");
  CHECK(files.count(trace_file) == 1);
  for (const auto &[label, option] : kEngines) {
    INFO(name << ": the reference engine against " << option);
    CHECK(stats_less_host(dir / "reference/stats.json") == stats_less_host(dir / label / "stats.json"));
    CHECK(result_files(dir / label) == files); // outputs, trace, memory map
  }
}

// The same failure from every engine: exit code, message and the trace up to it.
void same_failure_for_every_engine(const fs::path &dir, const std::string &expected_start,
                                   const std::string &expected_part, int exit_code = 4) {
  std::string first, first_trace;
  for (const auto &[label, option] : kEngines) {
    auto o = test::ipusim("run run.yaml -o " + label + " " + option, dir.string());
    INFO(option << ": " << o.out);
    CHECK(o.exit_code == exit_code);
    std::string trace = test::read(dir / (label + ".failed") / "trace.json");
    if (label == "reference") {
      first = o.out;
      first_trace = trace;
      CHECK(o.out.find(expected_start) == 0);
      CHECK(o.out.find(expected_part) != std::string::npos);
    } else {
      CHECK(o.out == first);
      CHECK(trace == first_trace);
    }
  }
}

} // namespace

// Every run in configs/runs and configs/bench, traced: a program added there
// is covered without touching this test. The chip-wide ones trace a window
// (their full traces are hundreds of MB).
TEST_CASE("determinism: every example and benchmark program, reference engine and 1, 2, 3 threads") {
  const std::map<std::string, std::string> window = {{"ring_exchange", "2000"}, {"bsp_count", "600"}};
  std::vector<fs::path> runs;
  for (const char *folder : {"/configs/runs", "/configs/bench"})
    for (const auto &e : fs::directory_iterator(test::source_dir() + folder))
      if (fs::exists(e.path() / "run.yaml")) runs.push_back(e.path());
  std::sort(runs.begin(), runs.end());
  CHECK(runs.size() >= 15);
  for (const fs::path &r : runs) {
    const std::string name = r.filename().string();
    std::string params = "-p outputs.trace.enabled=true";
    if (window.count(name)) params += " -p outputs.trace.end_cycle=" + window.at(name);
    same_for_any_thread_count(r.parent_path().filename().string() + "_" + name, (r / "run.yaml").string(), params);
  }
}

// The speed benchmarks (configs/perf, all 1,472 tiles) on a few tiles: the
// all-to-all's tile count is also in its tensors and vertex, so it runs from
// a copy for 6 tiles (5 rounds).
TEST_CASE("determinism: the speed benchmarks' programs on a few tiles, every engine") {
  const std::string perf = test::source_dir() + "/configs/perf/";
  const std::string small = "-p outputs.trace.enabled=true -p outputs.trace.end_cycle=3000 -p program.tiles=";
  same_for_any_thread_count("perf_triad", perf + "triad/run.yaml", small + "5");
  same_for_any_thread_count("perf_spmv", perf + "spmv/run.yaml", small + "5");
  auto dir = test::scratch("perf_alltoall_copy");
  std::string yaml = test::read(perf + "alltoall/run.yaml");
  for (const auto &[from, to] : {std::pair<std::string, std::string>{"1472", "6"}, {"1471", "5"}})
    for (size_t at; (at = yaml.find(from)) != std::string::npos;) yaml.replace(at, from.size(), to);
  test::write(dir / "run.yaml", yaml);
  fs::copy_file(perf + "alltoall/alltoall.S", dir / "alltoall.S");
  same_for_any_thread_count("perf_alltoall", (dir / "run.yaml").string(), "-p outputs.trace.enabled=true");
}

TEST_CASE("threads: a trace cut short by max_events is the same with 1, 2 and 3 threads") {
  same_for_any_thread_count("truncated", test::source_dir() + "/configs/runs/graph_shift/run.yaml",
                            "-p outputs.trace.enabled=true -p outputs.trace.max_events=100");
  same_for_any_thread_count("truncated_compact", test::source_dir() + "/configs/runs/graph_shift/run.yaml",
                            "-p outputs.trace.enabled=true -p outputs.trace.max_events=100 "
                            "-p outputs.trace.format=compact",
                            "trace.ipt.zst");
}

TEST_CASE("threads: the compact trace is byte-identical with 1, 2 and 3 threads") {
  const std::string runs = test::source_dir() + "/configs/runs/";
  const std::string trace = "-p outputs.trace.enabled=true -p outputs.trace.format=compact";
  same_for_any_thread_count("c_graph_stream", runs + "graph_stream/run.yaml", trace, "trace.ipt.zst");
  same_for_any_thread_count("c_ring_exchange", runs + "ring_exchange/run.yaml",
                            trace + " -p outputs.trace.end_cycle=2000", "trace.ipt.zst");
  same_for_any_thread_count("c_bsp_count", runs + "bsp_count/run.yaml", trace + " -p outputs.trace.end_cycle=600",
                            "trace.ipt.zst");
  // 16 tiles, some 3,200 issues each, and memory-conflict stalls.
  same_for_any_thread_count("c_triad", test::source_dir() + "/configs/bench/triad/run.yaml", trace, "trace.ipt.zst");
}

namespace {
// A run of program s.S (supervisor entry `s`) on `tiles` GC200 tiles, traced.
fs::path failing_program(const std::string &name, unsigned tiles, const std::string &source) {
  auto dir = test::scratch("determinism_" + name);
  test::write(dir / "s.S", source);
  test::write(dir / "run.yaml", "name: t\nmachine: gc200\nprogram:\n  tiles: " + std::to_string(tiles) +
                                    "\n  sources: [s.S]\n  entry: s\n  start: supervisor\n"
                                    "outputs:\n  trace: {enabled: true}\n");
  return dir;
}

// Tile t spins 40 * (7 - t % 8) times, then loads from a misaligned address:
// on 16 tiles, tiles 7 and 15 fault first, at the same cycle; tiles 0 and 8 last.
const char *const kStaggeredFault = R"(
  .section .text.s, "ax"
  .supervisor
  .align 8
s:
  get     $m0, $TILE_ID
  and     $m0, $m0, 7
  sub     $m1, $mzero, $m0
  add     $m1, $m1, 7
  mul     $m1, $m1, 40
spin:
  brnzdec $m1, spin
  setzi   $m2, 0x40002
  ld32    $m3, $m2, $mzero, 0
  br      $lr
)";
} // namespace

TEST_CASE("determinism: the earliest fault by (cycle, tile) is reported by every engine") {
  auto dir = failing_program("fault", 16, kStaggeredFault);
  // Tiles 7 and 15 fault at the same, earliest cycle: the lower id wins.
  same_failure_for_every_engine(dir, "tile 7, supervisor, pc 0x", "misaligned");
}

TEST_CASE("determinism: a tile released from sync 0 that faults first is the one reported") {
  // Tile 2 faults after a long spin. Tile 1 waits in `sync 0` for a word
  // that tile 0 sends early, then faults at once: long before tile 2 does,
  // although the fast engine sees tile 2's fault in its first round, before
  // the exchange has released tile 1.
  auto dir = failing_program("released_fault", 3, R"(
  .section .text.s, "ax"
  .supervisor
  .align 8
s:
  get     $m0, $TILE_ID
  brz     $m0, sender
  setzi   $m1, 1
  cmpeq   $m2, $m0, $m1
  brnz    $m2, receiver
  setzi   $m1, 300
spin:
  brnzdec $m1, spin
  setzi   $m2, 0x40002
  ld32    $m3, $m2, $mzero, 0
  br      $lr
receiver:
  put     $INCOMING_MUX, $mzero
  setzi   $m3, 0x60000
  put     $INCOMING_BASE, $m3
  setzi   $m6, 1
  put     $INCOMING_DCOUNT, $m6
  sync    0
  setzi   $m2, 0x40006
  ld32    $m3, $m2, $mzero, 0
  br      $lr
sender:
  setzi   $m1, 20
wait:
  brnzdec $m1, wait
  setzi   $m2, 0x60000
  send    $m2, 1
  br      $lr
)");
  same_failure_for_every_engine(dir, "tile 1, supervisor, pc 0x", "misaligned");
}

TEST_CASE("determinism: exchange errors and deadlocks are reported alike by every engine") {
  // Tile 1 expects two words; tile 0 sends one.
  auto never_sent = failing_program("never_sent", 2, R"(
  .section .text.s, "ax"
  .supervisor
  .align 8
s:
  get     $m0, $TILE_ID
  brz     $m0, sender
  put     $INCOMING_MUX, $mzero
  setzi   $m3, 0x60000
  put     $INCOMING_BASE, $m3
  setzi   $m6, 2
  put     $INCOMING_DCOUNT, $m6
  sync    0
  br      $lr
sender:
  setzi   $m1, 20
wait:
  brnzdec $m1, wait
  setzi   $m2, 0x60000
  send    $m2, 1
  br      $lr
)");
  same_failure_for_every_engine(never_sent, "tile 1, cycle ", "waits in sync 0 for 1 more word(s) from tile 0");
  // Tile 0 ends while the others wait on the internal sync.
  auto deadlock = failing_program("deadlock", 4, R"(
  .section .text.s, "ax"
  .supervisor
  .align 8
s:
  get     $m0, $TILE_ID
  brz     $m0, done
  sync    3
done:
  br      $lr
)");
  same_failure_for_every_engine(deadlock, "cycle ", "deadlock: 3 tile(s) (first: tile 1");
}

TEST_CASE("determinism: a faulting run's compact trace is the JSON one's events, the same for 1, 2, 3 threads") {
  auto dir = failing_program("fault_compact", 16, kStaggeredFault);
  std::string first, first_compact;
  for (unsigned threads : {1u, 2u, 3u}) {
    std::string out = "o" + std::to_string(threads);
    auto o = test::ipusim("run run.yaml -o " + out + " --threads " + std::to_string(threads), dir.string());
    INFO("--threads " << threads << ": " << o.out);
    CHECK(o.exit_code == 4);
    auto c = test::ipusim("run run.yaml -o c" + out + " -p outputs.trace.format=compact --threads " +
                              std::to_string(threads),
                          dir.string());
    CHECK(c.out == o.out);
    const std::string compact = test::read(dir / ("c" + out + ".failed") / "trace.ipt.zst");
    CHECK_FALSE(compact.empty());
    if (threads == 1) {
      first = o.out;
      first_compact = compact;
      // The compact trace holds the same events as the JSON one.
      auto conv = test::ipusim("trace c" + out + ".failed/trace.ipt.zst --json conv.json", dir.string());
      CHECK(conv.exit_code == 0);
      CHECK(test::read(dir / "conv.json") == test::read(dir / (out + ".failed") / "trace.json"));
    } else {
      CHECK(o.out == first);
      CHECK(compact == first_compact);
    }
  }
}
