// The tiles of a chip run on several host threads (--threads): stats (less
// host.*), outputs and traces must not depend on how many, nor must the error
// a faulting program reports.
#include <doctest/doctest.h>

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

void same_for_any_thread_count(const std::string &name, const std::string &yaml, const std::string &params,
                               const std::string &trace_file = "trace.json") {
  auto dir = test::scratch("threads_" + name);
  for (unsigned threads : {1u, 2u, 3u}) {
    std::string out = (dir / ("j" + std::to_string(threads))).string();
    auto o = test::ipusim("run '" + yaml + "' -o '" + out + "' --threads " + std::to_string(threads) + " " + params,
                          dir.string());
    INFO(name << " --threads " << threads << ": " << o.out);
    REQUIRE(o.exit_code == 0);
  }
  auto files = result_files(dir / "j1");
  CHECK(files.count(trace_file) == 1);
  for (const char *other : {"j2", "j3"}) {
    INFO(name << ": --threads 1 against " << other);
    CHECK(stats_less_host(dir / "j1/stats.json") == stats_less_host(dir / other / "stats.json"));
    CHECK(result_files(dir / other) == files); // outputs, trace, memory map
  }
}

} // namespace

TEST_CASE("threads: the examples give the same stats, outputs and traces with 1, 2 and 3 threads") {
  const std::string runs = test::source_dir() + "/configs/runs/";
  const std::string trace = "-p outputs.trace.enabled=true";
  same_for_any_thread_count("graph_scale", runs + "graph_scale/run.yaml", trace);
  same_for_any_thread_count("graph_shift", runs + "graph_shift/run.yaml", trace);
  same_for_any_thread_count("graph_stream", runs + "graph_stream/run.yaml", trace);
  // All 1,472 tiles, exchange and sync: a trace window over the first rounds.
  same_for_any_thread_count("ring_exchange", runs + "ring_exchange/run.yaml",
                            trace + " -p outputs.trace.end_cycle=2000");
  same_for_any_thread_count("bsp_count", runs + "bsp_count/run.yaml", trace + " -p outputs.trace.end_cycle=600");
  same_for_any_thread_count("exchange_ring", test::source_dir() + "/configs/bench/exchange_ring/run.yaml", trace);
  // A full trace of some 3,200 issues per tile in one phase (the spill file
  // the buffers overflow into is tested in tests/unit/compact_trace_test.cpp).
  same_for_any_thread_count("triad", test::source_dir() + "/configs/bench/triad/run.yaml", trace);
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

TEST_CASE("threads: the earliest fault by (cycle, tile) is reported, whatever the thread count") {
  // Tile t spins 40 * (7 - t % 8) times, then loads from a misaligned
  // address: tiles 7 and 15 fault first, at the same cycle; tiles 0 and 8 last.
  const char *src = R"(
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
  auto dir = test::scratch("threads_fault");
  test::write(dir / "s.S", src);
  test::write(dir / "run.yaml", "name: t\nmachine: gc200\nprogram:\n  tiles: 16\n  sources: [s.S]\n  entry: s\n"
                                "  start: supervisor\noutputs:\n  trace: {enabled: true}\n");
  std::string first;
  std::string first_trace, first_compact;
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
      first_trace = test::read(dir / (out + ".failed") / "trace.json");
      // Tiles 7 and 15 fault at the same, earliest cycle: the lower id wins.
      CHECK(o.out.find("tile 7, supervisor, pc 0x") == 0);
      CHECK(o.out.find("misaligned") != std::string::npos);
    } else {
      CHECK(o.out == first);
      CHECK(test::read(dir / (out + ".failed") / "trace.json") == first_trace);
      CHECK(compact == first_compact);
    }
  }
}
