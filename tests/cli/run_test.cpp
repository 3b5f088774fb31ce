// `ipusim run` end to end: the demo's results against a host reference, the
// golden regression of its stats and trace, and determinism.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "cli_harness.hpp"
#include "sim/io/npy.hpp"
#include "sim/numeric/half.hpp"

using namespace ipusim;
namespace fs = std::filesystem;

namespace {
std::string demo_yaml() { return test::source_dir() + "/configs/runs/f16_mad/run.yaml"; }

// stats.json without the host-dependent entries.
nlohmann::json stable_stats(const fs::path &file) {
  nlohmann::json j = nlohmann::json::parse(test::read(file));
  for (auto it = j.begin(); it != j.end();) {
    if (it.key().rfind("host.", 0) == 0) it = j.erase(it);
    else ++it;
  }
  return j;
}

std::vector<uint16_t> halves(const NpyArray &a) {
  std::vector<uint16_t> v(a.element_count());
  std::memcpy(v.data(), a.data.data(), v.size() * 2);
  return v;
}
} // namespace

TEST_CASE("the demo computes a*b+c bit-exactly") {
  auto dir = test::scratch("demo");
  auto o = test::ipusim("run '" + demo_yaml() + "' -o '" + (dir / "r").string() + "'", dir.string());
  INFO(o.out);
  REQUIRE(o.exit_code == 0);
  CHECK(o.out.find("results: ") != std::string::npos);
  auto a = halves(read_npy((dir / "r/outputs/a.npy").string()));
  auto b = halves(read_npy((dir / "r/outputs/b.npy").string()));
  auto c = halves(read_npy((dir / "r/outputs/c.npy").string()));
  auto out = halves(read_npy((dir / "r/outputs/out.npy").string()));
  REQUIRE(out.size() == 384u);
  size_t mismatches = 0;
  for (size_t i = 0; i < out.size(); ++i) mismatches += out[i] != f16_add(f16_mul(a[i], b[i]), c[i]);
  CHECK(mismatches == 0u);
  for (const char *f : {"config.yaml", "machine.yaml", "stats.json", "summary.txt", "manifest.json", "trace.json",
                        "memory.txt"})
    CHECK_MESSAGE(fs::exists(dir / "r" / f), f);
}

TEST_CASE("golden regression: the demo's stats and trace are unchanged") {
  auto dir = test::scratch("golden");
  auto o = test::ipusim("run '" + demo_yaml() + "' -o '" + (dir / "r").string() + "'", dir.string());
  REQUIRE(o.exit_code == 0);
  fs::path golden = fs::path(IPUSIM_GOLDEN_DIR) / "f16_mad";
  if (std::getenv("IPUSIM_UPDATE_GOLDEN")) {
    fs::create_directories(golden);
    test::write(golden / "stats.json", stable_stats(dir / "r/stats.json").dump(2) + "\n");
    fs::copy_file(dir / "r/trace.json", golden / "trace.json", fs::copy_options::overwrite_existing);
  }
  CHECK(stable_stats(dir / "r/stats.json") == nlohmann::json::parse(test::read(golden / "stats.json")));
  CHECK(test::read(dir / "r/trace.json") == test::read(golden / "trace.json"));
}

TEST_CASE("two runs of the same inputs give byte-identical stats and traces") {
  auto dir = test::scratch("determinism");
  for (const char *name : {"r1", "r2"})
    REQUIRE(test::ipusim("run '" + demo_yaml() + "' -o '" + (dir / name).string() + "'", dir.string()).exit_code == 0);
  CHECK(stable_stats(dir / "r1/stats.json") == stable_stats(dir / "r2/stats.json"));
  CHECK(test::read(dir / "r1/trace.json") == test::read(dir / "r2/trace.json"));
  CHECK(test::read(dir / "r1/outputs/out.npy") == test::read(dir / "r2/outputs/out.npy"));
}

TEST_CASE("a trace window limits the trace to its cycles") {
  auto dir = test::scratch("window");
  auto o = test::ipusim("run '" + demo_yaml() + "' -o '" + (dir / "r").string() +
                            "' -p outputs.trace.start_cycle=100 -p outputs.trace.end_cycle=160",
                        dir.string());
  REQUIRE(o.exit_code == 0);
  auto j = nlohmann::json::parse(test::read(dir / "r/trace.json"));
  size_t slices = 0;
  for (const auto &e : j["traceEvents"])
    if (e["ph"] == "X") {
      ++slices;
      CHECK(e["ts"].get<uint64_t>() + e["dur"].get<uint64_t>() > 100u);
      CHECK(e["ts"].get<uint64_t>() < 160u);
    }
  CHECK(slices >= 55u); // every cycle in [100, 160) issues in this busy program
  CHECK(slices <= 66u);
}

TEST_CASE("the VCD option writes a value change dump") {
  auto dir = test::scratch("vcd");
  auto o = test::ipusim("run '" + demo_yaml() + "' -o '" + (dir / "r").string() + "' -p outputs.vcd.enabled=true",
                        dir.string());
  REQUIRE(o.exit_code == 0);
  std::string vcd = test::read(dir / "r/tile.vcd");
  CHECK(vcd.find("$var") != std::string::npos);
  CHECK(vcd.find("issue_pc") != std::string::npos);
}

TEST_CASE("docs/reference is what `ipusim describe --markdown` prints") {
  auto dir = test::scratch("describe_docs");
  for (const char *topic : {"machine", "run", "isa", "csr", "stats"}) {
    auto o = test::ipusim(std::string("describe ") + topic + " --markdown", dir.string());
    REQUIRE(o.exit_code == 0);
    std::string doc = test::read(fs::path(test::source_dir()) / "docs/reference" / (std::string(topic) + ".md"));
    std::string body = doc.substr(doc.find('\n') + 1); // after the "generated" comment line
    CHECK_MESSAGE(body == o.out, "docs/reference/" << topic << ".md is stale: run scripts/gen-docs");
  }
}

TEST_CASE("all 1,472 tiles of a GC200 compute, sync and repeat; results match the host") {
  auto dir = test::scratch("bsp_count");
  std::string yaml = test::source_dir() + "/configs/runs/bsp_count/run.yaml";
  auto o = test::ipusim("run '" + yaml + "' -o '" + (dir / "r").string() + "'", dir.string());
  INFO(o.out);
  REQUIRE(o.exit_code == 0);
  NpyArray out = read_npy((dir / "r/outputs/out.npy").string());
  REQUIRE(out.shape == std::vector<size_t>{1472, 2});
  std::vector<uint32_t> v(out.element_count());
  std::memcpy(v.data(), out.data.data(), v.size() * 4);
  size_t wrong = 0;
  for (uint32_t t = 0; t < 1472; ++t) wrong += v[2 * t] != 4 * t || v[2 * t + 1] != t;
  CHECK(wrong == 0u);
  auto stats = nlohmann::json::parse(test::read(dir / "r/stats.json"));
  CHECK(stats["chip.tiles"]["value"] == 1472);
  CHECK(stats["chip.supersteps"]["value"] == 4);
  // Tile t costs 4 issues per subtraction of 7, so tile 1469 (209 r 6) is the slowest:
  // after a release R it issues brnzdec, add, add, 209 * 4 + 2 loop issues, brz, 7 brnzdec
  // and sync: 850 issues, the sync (its arrival) at R + 6 * 849; the release 90 cycles later.
  CHECK(stats["superstep1.pacing_tile"]["value"] == 1469);
  CHECK(stats["superstep1.compute_cycles_max"]["value"] == 6 * 849);
  CHECK(stats["superstep1.release_cycle"]["value"].get<uint64_t>() ==
        stats["superstep0.release_cycle"]["value"].get<uint64_t>() + 6 * 849 + 90);
}

TEST_CASE("asking for more tiles than the machine has") {
  auto dir = test::scratch("too_many_tiles");
  std::string yaml = test::source_dir() + "/configs/runs/bsp_count/run.yaml";
  auto o = test::ipusim("run '" + yaml + "' -o '" + (dir / "r").string() + "' -p machine=gc2", dir.string());
  CHECK(o.exit_code == 3);
  CHECK(o.out.find("1472 tiles requested, but machine 'gc2' has 1216 (chip.tiles)") != std::string::npos);
}

TEST_CASE("a chip trace has one process per tile with its BSP phases") {
  auto dir = test::scratch("chip_trace");
  std::string yaml = test::source_dir() + "/configs/runs/bsp_count/run.yaml";
  auto o = test::ipusim("run '" + yaml + "' -o '" + (dir / "r").string() +
                            "' -p program.tiles=4 -p outputs.trace.enabled=true",
                        dir.string());
  REQUIRE(o.exit_code == 0);
  auto j = nlohmann::json::parse(test::read(dir / "r/trace.json"));
  std::set<int> processes;
  size_t compute = 0, sync = 0;
  for (const auto &e : j["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "process_name") processes.insert(e["pid"].get<int>());
    if (e["ph"] == "X" && e["tid"] == 8) (e["name"] == "compute" ? compute : sync) += 1;
  }
  CHECK(processes == std::set<int>{0, 1, 2, 3});
  CHECK(compute == 20u); // 4 tiles x (4 supersteps + the phase that ends the program)
  CHECK(sync == 16u);    // 4 tiles x 4 syncs
}

TEST_CASE("a ring exchange over all 1,472 GC200 tiles matches the host") {
  auto dir = test::scratch("ring");
  std::string yaml = test::source_dir() + "/configs/runs/ring_exchange/run.yaml";
  auto o = test::ipusim("run '" + yaml + "' -o '" + (dir / "r").string() + "'", dir.string());
  INFO(o.out);
  REQUIRE(o.exit_code == 0);
  NpyArray local = read_npy((dir / "r/outputs/local.npy").string());
  REQUIRE(local.shape == std::vector<size_t>{1472, 4});
  std::vector<uint32_t> v(local.element_count());
  std::memcpy(v.data(), local.data.data(), v.size() * 4);
  size_t wrong = 0;
  for (uint32_t t = 0; t < 1472; ++t)
    for (unsigned k = 0; k < 4; ++k) wrong += v[4 * t + k] != ((t + 1472 - 3) % 1472) + 3;
  CHECK(wrong == 0u);
  auto stats = nlohmann::json::parse(test::read(dir / "r/stats.json"));
  CHECK(stats["chip.exchange_bytes"]["value"] == 3 * 1472 * 16);
  CHECK(stats["chip.exchange_delivered_bytes"]["value"] == 3 * 1472 * 16);
}

TEST_CASE("a compiled program (graph) on 8 tiles: mapped tensor, two vertices per tile, repeat and sync") {
  auto dir = test::scratch("graph_scale");
  std::string yaml = test::source_dir() + "/configs/runs/graph_scale/run.yaml";
  auto o = test::ipusim("run '" + yaml + "' -o '" + (dir / "r").string() + "'", dir.string());
  INFO(o.out);
  REQUIRE(o.exit_code == 0);
  NpyArray x = read_npy((dir / "r/outputs/x.npy").string());
  NpyArray x0 = read_npy((dir / "r/outputs/x0.npy").string());
  REQUIRE(x.shape == std::vector<size_t>{8, 16});
  std::vector<float> a(128), b(128);
  std::memcpy(a.data(), x.data.data(), 512);
  std::memcpy(b.data(), x0.data.data(), 512);
  size_t wrong = 0, zeros = 0;
  for (size_t i = 0; i < 128; ++i) {
    wrong += a[i] != 8.0f * b[i]; // three doublings are exact
    zeros += b[i] == 0.0f;
  }
  CHECK(wrong == 0u);
  CHECK(zeros == 0u);
  auto stats = nlohmann::json::parse(test::read(dir / "r/stats.json"));
  CHECK(stats["chip.supersteps"]["value"] == 3);
  CHECK(stats["chip.tiles"]["value"] == 8);
  std::string memory = test::read(dir / "r/memory.txt");
  CHECK(memory.find("tile 7 SRAM") != std::string::npos);
  CHECK(memory.find("x[112:128]") != std::string::npos);
}

TEST_CASE("a compiled program's copies go over the exchange: y[t] = 2 * x[t-1]") {
  auto dir = test::scratch("graph_shift");
  std::string yaml = test::source_dir() + "/configs/runs/graph_shift/run.yaml";
  auto o = test::ipusim("run '" + yaml + "' -o '" + (dir / "r").string() + "'", dir.string());
  INFO(o.out);
  REQUIRE(o.exit_code == 0);
  NpyArray xa = read_npy((dir / "r/outputs/x.npy").string());
  NpyArray ya = read_npy((dir / "r/outputs/y.npy").string());
  std::vector<float> x(32), y(32);
  std::memcpy(x.data(), xa.data.data(), 128);
  std::memcpy(y.data(), ya.data.data(), 128);
  size_t wrong = 0;
  for (unsigned t = 0; t < 8; ++t)
    for (unsigned k = 0; k < 4; ++k) wrong += y[4 * t + k] != 2.0f * x[4 * ((t + 7) % 8) + k];
  CHECK(wrong == 0u);
  auto stats = nlohmann::json::parse(test::read(dir / "r/stats.json"));
  CHECK(stats["chip.exchange_bytes"]["value"] == 128);
  CHECK(stats["chip.supersteps"]["value"] == 3); // one round per copy + the explicit sync
}

TEST_CASE("host streams: batches in, doubled, results out; the host link timed per exchange") {
  auto dir = test::scratch("graph_stream");
  std::string yaml = test::source_dir() + "/configs/runs/graph_stream/run.yaml";
  auto o = test::ipusim("run '" + yaml + "' -o '" + (dir / "r").string() + "'", dir.string());
  INFO(o.out);
  REQUIRE(o.exit_code == 0);
  NpyArray in = read_npy(test::source_dir() + "/configs/runs/graph_stream/batches.npy");
  NpyArray out = read_npy((dir / "r/outputs/results.npy").string());
  REQUIRE(out.shape == std::vector<size_t>{4, 8, 16});
  REQUIRE(in.data.size() == out.data.size());
  std::vector<float> x(4 * 128), y(4 * 128);
  std::memcpy(x.data(), in.data.data(), in.data.size());
  std::memcpy(y.data(), out.data.data(), out.data.size());
  size_t wrong = 0;
  for (size_t i = 0; i < x.size(); ++i) wrong += y[i] != 2.0f * x[i];
  CHECK(wrong == 0u);
  auto stats = nlohmann::json::parse(test::read(dir / "r/stats.json"));
  CHECK(stats["chip.host_link.exchanges"]["value"] == 8);
  CHECK(stats["chip.host_link.to_device_bytes"]["value"] == 4 * 512);
  CHECK(stats["chip.host_link.from_device_bytes"]["value"] == 4 * 512);
  // By hand (gc200.yaml): latency 1000 ns x 1.33 GHz = 1330 cycles; 512 bytes
  // at 32e9 x 0.9 bytes/s = 23.6 -> 24 cycles, more than the busiest tile's
  // 64 bytes / 4 bytes per cycle = 16: 1354 cycles per exchange.
  CHECK(stats["superstep0.host_link_cycles"]["value"] == 1354);
  CHECK(stats["superstep1.host_link_from_device_bytes"]["value"] == 512);
  CHECK(stats["chip.host_link.cycles"]["value"] == 8 * 1354);
  // Each release comes 90 (sync) + 1354 cycles after the last arrival.
  uint64_t arrival0 = stats["superstep0.compute_cycles_max"]["value"];
  CHECK(stats["superstep0.release_cycle"]["value"] == arrival0 + 90 + 1354);
  std::string trace = test::read(dir / "r/trace.json");
  CHECK(trace.find("\"host link\"") != std::string::npos);
  CHECK(trace.find("stream to device batches: x") != std::string::npos);
  CHECK(trace.find("stream from device results: x") != std::string::npos);
}

TEST_CASE("a broadcast copy: one send per source piece, stored by every destination") {
  auto dir = test::scratch("graph_broadcast");
  test::write(dir / "scale.S", test::read(fs::path(test::source_dir()) / "configs/runs/graph_scale/scale.S"));
  test::write(dir / "run.yaml", R"(name: bcast
machine: gc200
graph:
  tiles: 3
  sources: [scale.S]
  tensors:
    - name: x
      dtype: uint
      shape: [12]
      init: {random: {seed: 5, min: 0, max: 1000000}}
      output: true
      mapping: [{tile: 0, begin: 0, end: 4}, {tile: 1, begin: 4, end: 8}, {tile: 2, begin: 8, end: 12}]
    - name: y
      dtype: uint
      shape: [12]
      output: true
      mapping: [{tile: 0, begin: 0, end: 4}, {tile: 1, begin: 4, end: 8}, {tile: 2, begin: 8, end: 12}]
  copies:
    - name: b
      source: {tensor: x, begin: 0, end: 4}
      destinations: [{tensor: y, begin: 4, end: 8}, {tensor: y, begin: 8, end: 12}]
  control:
    - {copy: b}
)");
  auto o = test::ipusim("run run.yaml -o r", dir.string());
  INFO(o.out);
  REQUIRE(o.exit_code == 0);
  NpyArray x = read_npy((dir / "r/outputs/x.npy").string()), y = read_npy((dir / "r/outputs/y.npy").string());
  std::vector<uint32_t> xv(12), yv(12);
  std::memcpy(xv.data(), x.data.data(), 48);
  std::memcpy(yv.data(), y.data.data(), 48);
  for (unsigned k = 0; k < 4; ++k) {
    CHECK(yv[k] == 0u);
    CHECK(yv[4 + k] == xv[k]);
    CHECK(yv[8 + k] == xv[k]);
  }
  CHECK(xv[0] != xv[1]);
  auto stats = nlohmann::json::parse(test::read(dir / "r/stats.json"));
  CHECK(stats["chip.exchange_bytes"]["value"] == 16);           // sent once
  CHECK(stats["chip.exchange_delivered_bytes"]["value"] == 32); // stored twice
  CHECK(stats["chip.supersteps"]["value"] == 1);                // one round
}
