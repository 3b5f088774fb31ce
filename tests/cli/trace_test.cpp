// The compact trace end to end: `outputs.trace.format: compact` and the
// inspector, `ipusim trace FILE`: a listing checked against cycles and pcs
// worked out by hand, the filters, the summary, the conversion to the same
// JSON the json format writes, and the errors for files that are not traces.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_harness.hpp"

using namespace ipusim;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The listing's lines that are events (not "#" comments).
std::vector<std::string> event_lines(const std::string &text) {
  std::vector<std::string> out;
  for (const std::string &l : lines_of(text))
    if (!l.empty() && l[0] != '#') out.push_back(l);
  return out;
}

struct Row {
  uint64_t cycle;
  std::string tile, context, pc, tc, text;
};
// Columns of a listing line: cycle (10), tile (5), context (10), pc (7), tc (3), text.
Row parse(const std::string &l) {
  REQUIRE(l.size() > 41);
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(' '));
    s.erase(s.find_last_not_of(' ') + 1);
    return s;
  };
  return {std::stoull(l.substr(0, 10)), trim(l.substr(11, 5)), trim(l.substr(17, 10)), trim(l.substr(28, 7)),
          trim(l.substr(36, 3)), l.substr(41)};
}

std::string issue_line(uint64_t cycle, unsigned tile, const char *context, uint32_t pc, unsigned tc,
                       const std::string &text) {
  return fmt::format("{:>10} {:>5} {:<10} 0x{:05x} {:>3}  {}", cycle, tile, context, pc, tc, text);
}

} // namespace

TEST_CASE("ipusim trace lists a known program's issues at the cycles and pcs worked out by hand") {
  // One supervisor: it issues once per thread cycle, every 6 tile cycles; a
  // taken branch costs 2 more thread cycles here (3 in all: 18 tile cycles).
  auto dir = test::scratch("trace_listing");
  test::write(dir / "s.S", R"(
  .section .text.s, "ax"
  .supervisor
  .align 8
s:
  setzi   $m0, 2
loop:
  add     $m1, $m1, 1
  brnzdec $m0, loop
  br      $lr
)");
  test::write(dir / "run.yaml", "name: t\nmachine: gc200\nprogram:\n  tiles: 1\n  sources: [s.S]\n  entry: s\n"
                                "  start: supervisor\noutputs:\n  trace: {enabled: true, format: compact}\n");
  auto o = test::ipusim("run run.yaml -o r -p machine.tile.branch_taken_extra_cycles=2", dir.string());
  INFO(o.out);
  REQUIRE(o.exit_code == 0);
  CHECK(fs::exists(dir / "r/trace.ipt.zst"));
  CHECK_FALSE(fs::exists(dir / "r/trace.json"));
  CHECK_FALSE(fs::exists(dir / "r/trace.ipt.zst.tmp"));

  auto l = test::ipusim("trace r/trace.ipt.zst", dir.string());
  INFO(l.out);
  REQUIRE(l.exit_code == 0);
  std::vector<std::string> lines = lines_of(l.out);
  REQUIRE(lines.size() == 15);
  CHECK(lines[0] == "# r/trace.ipt.zst: machine gc200, 1 tile(s), 6 workers, clock 1330000000 Hz, window [0, "
                    "18446744073709551615), max_events 10000000");
  // The code is at 0x40000 (16 bytes); ipusim's boot stub follows at 0x40010:
  // three setzi ($sp, the vertex base, $lr = its exit at 0x40020), then bri.
  const std::vector<std::string> stub = {"setzi $m11, ", "setzi $m13, ", "setzi $m10, 262176", "bri 0x40000"};
  for (unsigned k = 0; k < 4; ++k) {
    Row r = parse(lines[2 + k]);
    CHECK(r.cycle == 6 * k);
    CHECK(r.tile == "0");
    CHECK(r.context == "supervisor");
    CHECK(r.pc == fmt::format("0x{:05x}", 0x40010 + 4 * k));
    CHECK(r.tc == (k == 3 ? "3" : "1")); // bri is a taken branch
    CHECK(r.text.rfind(stub[k], 0) == 0);
  }
  // bri at 18 + 3 x 6 = 36: setzi; add at 42, brnzdec at 48 taken (m0 2 -> 1):
  // 3 thread cycles, so add at 66, brnzdec at 72 taken (1 -> 0), add at 90,
  // brnzdec at 96 falls through (m0 = 0), br $lr at 102 (taken, to the exit,
  // where the supervisor ends without issuing).
  const std::vector<std::string> want = {
      issue_line(36, 0, "supervisor", 0x40000, 1, "setzi $m0, 2"),
      issue_line(42, 0, "supervisor", 0x40004, 1, "add $m1, $m1, 1"),
      issue_line(48, 0, "supervisor", 0x40008, 3, "brnzdec $m0, 0x40004"),
      issue_line(66, 0, "supervisor", 0x40004, 1, "add $m1, $m1, 1"),
      issue_line(72, 0, "supervisor", 0x40008, 3, "brnzdec $m0, 0x40004"),
      issue_line(90, 0, "supervisor", 0x40004, 1, "add $m1, $m1, 1"),
      issue_line(96, 0, "supervisor", 0x40008, 1, "brnzdec $m0, 0x40004"),
      issue_line(102, 0, "supervisor", 0x4000c, 3, "br $m10"),
  };
  CHECK(std::vector<std::string>(lines.begin() + 6, lines.begin() + 14) == want);
  CHECK(lines[14] == "# end: 12 events written, 0 dropped (max_events)");

  // --from / --to select [from, to).
  auto w = test::ipusim("trace r/trace.ipt.zst --from 42 --to 72", dir.string());
  CHECK(event_lines(w.out) == std::vector<std::string>(want.begin() + 1, want.begin() + 4));
  // The supervisor is context 0; there are no workers here.
  CHECK(event_lines(test::ipusim("trace r/trace.ipt.zst --context 0", dir.string()).out).size() == 12);
  CHECK(event_lines(test::ipusim("trace r/trace.ipt.zst --context worker0,w5", dir.string()).out).empty());

  auto s = test::ipusim("trace r/trace.ipt.zst --summary", dir.string());
  INFO(s.out);
  CHECK(s.out.find("selected: 12 issues, 0 stalls, 0 BSP phases, 0 host transfers; cycles 0 to 102") !=
        std::string::npos);
  CHECK(s.out.find("     0         12         0         0         0         0         0         0         12"
                   "            0") != std::string::npos);
  CHECK(s.out.find("  setzi                           4   33.3 %") != std::string::npos);
  CHECK(s.out.find("  brnzdec                         3   25.0 %") != std::string::npos);

  // The same run as JSON, and the compact trace converted: the same bytes.
  REQUIRE(test::ipusim("run run.yaml -o j -p machine.tile.branch_taken_extra_cycles=2 -p outputs.trace.format=json",
                       dir.string())
              .exit_code == 0);
  REQUIRE(test::ipusim("trace r/trace.ipt.zst --json conv.json", dir.string()).exit_code == 0);
  CHECK(test::read(dir / "conv.json") == test::read(dir / "j/trace.json"));
}

TEST_CASE("ipusim trace: a memory conflict's stall, in the listing and in the JSON") {
  // One worker loads two words of one memory element at once (as in
  // tests/unit/tile_timing_test.cpp): the pipeline stalls 3 cycles (the
  // penalty set here) from the next cycle, and the worker's next issue comes
  // a thread cycle (6) plus those 3 after the load.
  auto dir = test::scratch("trace_stall");
  test::write(dir / "w.S", R"(
  .section .text.w, "ax"
  .worker
  .align 8
w:
  setzi      $m0, 0x40000
  add        $m1, $m0, 16
  tapack     $m4:5, $m0, $m1, $mzero
  ld2x64pace $a0:1, $a2:3, $m4:5+=, $mzero, 0
  exitz      $mzero
)");
  test::write(dir / "run.yaml", "name: t\nmachine: gc200\nprogram:\n  tiles: 1\n  sources: [w.S]\n  entry: w\n"
                                "  start: worker\noutputs:\n  trace: {enabled: true, format: compact}\n");
  const std::string penalty = " -p machine.tile.sram.conflict_penalty_cycles=3";
  REQUIRE(test::ipusim("run run.yaml -o c" + penalty, dir.string()).exit_code == 0);
  auto l = test::ipusim("trace c/trace.ipt.zst --tile 0", dir.string());
  INFO(l.out);
  std::vector<std::string> ev = event_lines(l.out);
  auto at = [&](const std::string &text) {
    for (size_t k = 0; k < ev.size(); ++k)
      if (parse(ev[k]).text.rfind(text, 0) == 0) return k;
    return ev.size();
  };
  const size_t load = at("ld2x64pace"), stall = at("memory conflict"), exitz = at("exitz");
  REQUIRE(exitz < ev.size());
  CHECK(stall == load + 1);
  const uint64_t c = parse(ev[load]).cycle;
  CHECK(ev[stall] == fmt::format("{:>10} {:>5} {:<10} {:<7} {:>3}  memory conflict: 3 cycle(s)", c + 1, 0, "stall", "-", "-"));
  CHECK(parse(ev[exitz]).cycle == c + 6 + 3);
  CHECK(parse(ev[exitz]).context == "worker 0");
  CHECK(event_lines(test::ipusim("trace c/trace.ipt.zst --context w0", dir.string()).out).size() == 5);
  auto s = test::ipusim("trace c/trace.ipt.zst --summary", dir.string());
  CHECK(s.out.find("selected: 11 issues, 1 stalls,") != std::string::npos);

  REQUIRE(test::ipusim("run run.yaml -o j -p outputs.trace.format=json" + penalty, dir.string()).exit_code == 0);
  REQUIRE(test::ipusim("trace c/trace.ipt.zst --json conv.json", dir.string()).exit_code == 0);
  CHECK(test::read(dir / "conv.json") == test::read(dir / "j/trace.json"));
  CHECK(test::read(dir / "conv.json").find("\"memory conflict\"") != std::string::npos);
}

TEST_CASE("ipusim trace: filters by tile, context and cycle on a chip; --json is the json format's trace") {
  auto dir = test::scratch("trace_filters");
  const std::string yaml = test::source_dir() + "/configs/runs/bsp_count/run.yaml";
  const std::string p = "-p program.tiles=4 -p outputs.trace.enabled=true ";
  REQUIRE(test::ipusim("run '" + yaml + "' -o c " + p + "-p outputs.trace.format=compact", dir.string()).exit_code == 0);
  REQUIRE(test::ipusim("run '" + yaml + "' -o j " + p, dir.string()).exit_code == 0);
  REQUIRE(test::ipusim("trace c/trace.ipt.zst --json conv.json", dir.string()).exit_code == 0);
  CHECK(test::read(dir / "conv.json") == test::read(dir / "j/trace.json"));

  // What the JSON holds per tile and context, to compare the filters with.
  auto j = nlohmann::json::parse(test::read(dir / "j/trace.json"));
  std::map<std::pair<int, int>, size_t> issues; // (tile, context)
  size_t phases = 0;
  for (const auto &e : j["traceEvents"])
    if (e["ph"] == "X") {
      int tid = e["tid"];
      if (tid <= 6) ++issues[{e["pid"].get<int>(), tid}];
      else if (tid == 8) ++phases;
    }
  REQUIRE(phases == 36u); // 4 tiles x (5 compute + 4 sync)

  auto all = event_lines(test::ipusim("trace c/trace.ipt.zst", dir.string()).out);
  size_t all_issues = 0;
  for (auto &[k, n] : issues) all_issues += n;
  CHECK(all.size() == all_issues + phases);

  auto t2 = event_lines(test::ipusim("trace c/trace.ipt.zst --tile 2", dir.string()).out);
  size_t t2_issues = 0;
  for (const std::string &l : t2) {
    Row r = parse(l);
    CHECK(r.tile == "2");
    t2_issues += r.context != "bsp";
  }
  size_t want2 = 0;
  for (int c = 0; c <= 6; ++c) want2 += issues[{2, c}];
  CHECK(t2_issues == want2);
  CHECK(t2.size() == want2 + 9);

  auto sup = event_lines(test::ipusim("trace c/trace.ipt.zst --tile 1,3 --context supervisor", dir.string()).out);
  CHECK(sup.size() == issues[{1, 0}] + issues[{3, 0}]);
  for (const std::string &l : sup) {
    Row r = parse(l);
    CHECK((r.tile == "1" || r.tile == "3"));
    CHECK(r.context == "supervisor");
  }

  auto window = event_lines(test::ipusim("trace c/trace.ipt.zst --tile 0-1 --from 200 --to 400", dir.string()).out);
  CHECK_FALSE(window.empty());
  for (const std::string &l : window) {
    Row r = parse(l);
    CHECK((r.tile == "0" || r.tile == "1"));
    if (r.context != "bsp") CHECK((r.cycle >= 200 && r.cycle < 400));
  }

  auto s = test::ipusim("trace c/trace.ipt.zst --summary --tile 2", dir.string());
  CHECK(s.out.find(fmt::format("selected: {} issues, 0 stalls, 9 BSP phases, 0 host transfers", want2)) !=
        std::string::npos);

  auto bad = test::ipusim("trace c/trace.ipt.zst --context worker6", dir.string());
  CHECK(bad.exit_code == 2);
  CHECK(bad.out == "ipusim trace: no context 'worker6' (supervisor, worker0..worker5, or 0..6)\n");
}

TEST_CASE("ipusim trace: host exchanges survive the round trip to JSON") {
  auto dir = test::scratch("trace_host");
  const std::string yaml = test::source_dir() + "/configs/runs/graph_stream/run.yaml";
  REQUIRE(test::ipusim("run '" + yaml + "' -o c -p outputs.trace.format=compact", dir.string()).exit_code == 0);
  REQUIRE(test::ipusim("run '" + yaml + "' -o j", dir.string()).exit_code == 0);
  REQUIRE(test::ipusim("trace c/trace.ipt.zst --json conv.json", dir.string()).exit_code == 0);
  CHECK(test::read(dir / "conv.json") == test::read(dir / "j/trace.json"));
  CHECK(test::read(dir / "conv.json").find("\"host link\"") != std::string::npos);
  auto l = test::ipusim("trace c/trace.ipt.zst", dir.string());
  CHECK(l.out.find(" host link  -         -  stream to device ") != std::string::npos);
}

TEST_CASE("ipusim trace: files that are not whole compact traces are one-line errors with the byte, exit 3") {
  auto dir = test::scratch("trace_errors");
  const std::string yaml = test::source_dir() + "/configs/runs/f16_mad/run.yaml";
  REQUIRE(test::ipusim("run '" + yaml + "' -o r -p outputs.trace.format=compact", dir.string()).exit_code == 0);
  const std::string good = test::read(dir / "r/trace.ipt.zst");

  test::write(dir / "cut.ipt.zst", good.substr(0, good.size() / 2));
  auto cut = test::ipusim("trace cut.ipt.zst", dir.string());
  CHECK(cut.exit_code == 3);
  CHECK(lines_of(cut.out).back() ==
        fmt::format("cut.ipt.zst: byte {}: error: the compressed data ends inside a zstd frame (the file is truncated)",
                    good.size() / 2));

  REQUIRE(test::ipusim("run '" + yaml + "' -o j", dir.string()).exit_code == 0);
  auto json = test::ipusim("trace j/trace.json", dir.string());
  CHECK(json.exit_code == 3);
  CHECK(json.out == "j/trace.json: byte 0: error: not an ipusim instruction trace (bad magic)\n");

  std::string flipped = good;
  flipped[good.size() / 2] = static_cast<char>(flipped[good.size() / 2] ^ 0x5a);
  test::write(dir / "flipped.ipt.zst", flipped);
  auto f = test::ipusim("trace flipped.ipt.zst --summary", dir.string());
  CHECK(f.exit_code == 3);
  CHECK(f.out.rfind("flipped.ipt.zst: byte ", 0) == 0);
  CHECK(lines_of(f.out).size() == 1);

  auto missing = test::ipusim("trace nothing.ipt.zst", dir.string());
  CHECK(missing.exit_code == 3);
  CHECK(missing.out == "cannot open trace file 'nothing.ipt.zst': No such file or directory\n");
}

TEST_CASE("a failed run keeps its compact trace, whole, in the .failed folder") {
  auto dir = test::scratch("trace_failed");
  test::write(dir / "s.S", R"(
  .section .text.s, "ax"
  .supervisor
  .align 8
s:
  setzi   $m2, 0x40002
  ld32    $m3, $m2, $mzero, 0
  br      $lr
)");
  test::write(dir / "run.yaml", "name: t\nmachine: gc200\nprogram:\n  tiles: 2\n  sources: [s.S]\n  entry: s\n"
                                "  start: supervisor\noutputs:\n  trace: {enabled: true, format: compact}\n");
  auto o = test::ipusim("run run.yaml -o r", dir.string());
  CHECK(o.exit_code == 4);
  CHECK(fs::exists(dir / "r.failed/trace.ipt.zst"));
  CHECK_FALSE(fs::exists(dir / "r.failed/trace.ipt.zst.tmp"));
  auto l = test::ipusim("trace r.failed/trace.ipt.zst", dir.string());
  INFO(l.out);
  CHECK(l.exit_code == 0);
  // The boot stub (4 issues), then setzi, per tile; the faulting ld32 is not an issue.
  CHECK(event_lines(l.out).size() == 10);
  CHECK(lines_of(l.out).back() == "# end: 10 events written, 0 dropped (max_events)");
}
