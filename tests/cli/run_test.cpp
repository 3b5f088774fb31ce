// `ipusim run` end to end: the demo's results against a host reference, the
// golden regression of its stats and trace, and determinism.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

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
