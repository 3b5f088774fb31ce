// Tests of the Chrome/Perfetto JSON trace writer: event fields, windowing,
// truncation, string escaping, determinism and bounded buffering.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "sim/common/error.hpp"
#include "traces/perfetto_json.hpp"

#include "test_files.hpp"

using ipusim::test::read_all;
using ipusim::test::TempDir;
using ipusim::test::write_text;

using namespace ipusim;
namespace fs = std::filesystem;

namespace {



nlohmann::json parse_file(const std::string &path) {
  return nlohmann::json::parse(read_all(path)); // throws if not valid JSON
}

// The events of one phase ("X", "i", "C", "M") in file order.
std::vector<nlohmann::json> events_of(const nlohmann::json &trace, const std::string &phase) {
  std::vector<nlohmann::json> out;
  for (const auto &e : trace["traceEvents"])
    if (e["ph"] == phase)
      out.push_back(e);
  return out;
}

} // namespace

TEST_CASE("TraceWindow: half-open range, span overlap, no wrap-around") {
  TraceWindow w{100, 200};
  CHECK_FALSE(w.contains(99));
  CHECK(w.contains(100));
  CHECK(w.contains(199));
  CHECK_FALSE(w.contains(200));
  CHECK_FALSE(w.overlaps(90, 10)); // cycles 90..99
  CHECK(w.overlaps(90, 11));       // cycles 90..100
  CHECK(w.overlaps(199, 50));
  CHECK_FALSE(w.overlaps(200, 1));
  CHECK(w.overlaps(150, 0)); // zero length = the cycle itself
  CHECK_FALSE(w.overlaps(200, 0));
  TraceWindow all;
  CHECK(all.contains(0));
  CHECK(all.overlaps(UINT64_MAX - 1, 10)); // the end saturates instead of wrapping to small values
  TraceWindow late{1000, 2000};
  CHECK_FALSE(late.overlaps(UINT64_MAX - 5, 10));
}

TEST_CASE("PerfettoJsonWriter writes every event kind with the expected fields") {
  TempDir dir("kinds");
  std::string path = dir.file("trace.json");
  {
    PerfettoJsonWriter w(path, TraceWindow{}, 100);
    w.process_name(1, "IPU 0 tile 3");
    w.thread_name(1, 2, "context 1");
    w.thread_sort_index(1, 2, 5);
    w.complete(1, 2, "add", 100, 3, 0x4c010, "add $m0, $m1, $m2");
    w.instant(1, 2, "sync", 105, "superstep 1");
    w.instant(1, 2, "bare", 106, "");
    w.counter(1, "active contexts", 110, 2.5);
    CHECK(w.events_written() == 4);
    CHECK_FALSE(w.truncated());
    w.finish();
  }
  std::string text = read_all(path);
  // The exact text of the instruction event: "ph" and "ts" lead, the pc is
  // 0x + 5 hex digits, one event a line.
  CHECK(text.find("\n{\"ph\":\"X\",\"ts\":100,\"dur\":3,\"pid\":1,\"tid\":2,\"name\":\"add\","
                  "\"args\":{\"pc\":\"0x4c010\",\"text\":\"add $m0, $m1, $m2\"}},\n") !=
        std::string::npos);
  CHECK(text.rfind("{\"traceEvents\":[\n", 0) == 0);

  nlohmann::json trace = nlohmann::json::parse(text);
  REQUIRE(trace["traceEvents"].size() == 7);

  auto meta = events_of(trace, "M");
  REQUIRE(meta.size() == 3);
  CHECK(meta[0]["name"] == "process_name");
  CHECK(meta[0]["pid"] == 1);
  CHECK(meta[0]["args"]["name"] == "IPU 0 tile 3");
  CHECK(meta[1]["name"] == "thread_name");
  CHECK(meta[1]["tid"] == 2);
  CHECK(meta[1]["args"]["name"] == "context 1");
  CHECK(meta[2]["name"] == "thread_sort_index");
  CHECK(meta[2]["args"]["sort_index"] == 5);
  for (const auto &m : meta)
    CHECK_FALSE(m.contains("ts"));

  auto x = events_of(trace, "X");
  REQUIRE(x.size() == 1);
  CHECK(x[0]["ts"] == 100);
  CHECK(x[0]["dur"] == 3);
  CHECK(x[0]["args"]["pc"] == "0x4c010");

  auto inst = events_of(trace, "i");
  REQUIRE(inst.size() == 2);
  CHECK(inst[0]["name"] == "sync");
  CHECK(inst[0]["ts"] == 105);
  CHECK(inst[0]["s"] == "t");
  CHECK(inst[0]["args"]["detail"] == "superstep 1");
  CHECK_FALSE(inst[1].contains("args")); // empty detail: no args

  auto c = events_of(trace, "C");
  REQUIRE(c.size() == 1);
  CHECK(c[0]["name"] == "active contexts");
  CHECK(c[0]["ts"] == 110);
  CHECK(c[0]["args"]["value"] == 2.5);
  CHECK_FALSE(c[0].contains("tid"));

  const auto &other = trace["otherData"];
  CHECK(other["generator"] == "ipusim");
  CHECK(other["time_unit"] == "1 us on the time axis = 1 simulated cycle");
  CHECK(other["events_written"] == 4);
  CHECK(other["events_dropped"] == 0);
  CHECK(other["truncated"] == false);
  CHECK(other["window_begin"] == 0);
  CHECK(other["window_end"] == UINT64_MAX);
  CHECK_FALSE(trace.contains("displayTimeUnit"));
}

TEST_CASE("PerfettoJsonWriter formats pcs and counter values exactly") {
  TempDir dir("numbers");
  std::string path = dir.file("t.json");
  {
    PerfettoJsonWriter w(path, TraceWindow{}, 100);
    w.complete(0, 0, "nop", 0, 1, 0x42, "nop");       // padded to 5 digits
    w.complete(0, 0, "nop", 1, 1, 0xdeadbeef, "nop"); // wider values in full
    w.counter(0, "c", 2, 0.1);                        // shortest round-trip text
    w.counter(0, "c", 3, 3.0);
    w.counter(0, "c", 4, -1e300);
    w.counter(0, "c", 5, std::numeric_limits<double>::quiet_NaN()); // dropped
    w.counter(0, "c", 6, std::numeric_limits<double>::infinity());  // dropped
    CHECK(w.events_written() == 5);
  }
  std::string text = read_all(path);
  CHECK(text.find("\"pc\":\"0x00042\"") != std::string::npos);
  CHECK(text.find("\"pc\":\"0xdeadbeef\"") != std::string::npos);
  CHECK(text.find("\"ts\":2,\"pid\":0,\"name\":\"c\",\"args\":{\"value\":0.1}}") !=
        std::string::npos);
  CHECK(text.find("\"args\":{\"value\":3}}") != std::string::npos);
  CHECK(text.find("\"args\":{\"value\":-1e+300}}") != std::string::npos);
  auto trace = nlohmann::json::parse(text);
  CHECK(trace["traceEvents"].size() == 5);
  CHECK(trace["traceEvents"][4]["args"]["value"].get<double>() == -1e300);
}

TEST_CASE("PerfettoJsonWriter keeps only events in the cycle window") {
  TempDir dir("window");
  std::string path = dir.file("t.json");
  PerfettoJsonWriter w(path, TraceWindow{100, 200}, 1000);
  w.thread_name(0, 0, "always kept");   // metadata has no time
  w.complete(0, 0, "a", 90, 5, 0, "");  // 90..94: out
  w.complete(0, 0, "b", 95, 10, 0, ""); // 95..104: overlaps, kept unclipped
  w.complete(0, 0, "c", 199, 1, 0, ""); // kept
  w.complete(0, 0, "d", 200, 4, 0, ""); // out
  w.instant(0, 0, "e", 99, "");         // out
  w.instant(0, 0, "f", 100, "");        // kept
  w.instant(0, 0, "g", 200, "");        // out
  w.counter(0, "h", 150, 1.0);          // kept
  w.counter(0, "i", 250, 1.0);          // out
  CHECK(w.events_written() == 4);
  CHECK(w.events_dropped() == 0); // outside the window is not "dropped"
  CHECK_FALSE(w.truncated());
  w.finish();
  auto trace = parse_file(path);
  std::vector<std::string> names;
  for (const auto &e : trace["traceEvents"])
    names.push_back(e["name"]);
  CHECK(names == std::vector<std::string>{"thread_name", "b", "c", "f", "h"});
  CHECK(trace["traceEvents"][1]["ts"] == 95);
  CHECK(trace["traceEvents"][1]["dur"] == 10);
  CHECK(trace["otherData"]["window_begin"] == 100);
  CHECK(trace["otherData"]["window_end"] == 200);
}

TEST_CASE("PerfettoJsonWriter stops at max_events and records the truncation") {
  TempDir dir("trunc");
  std::string path = dir.file("t.json");
  {
    PerfettoJsonWriter w(path, TraceWindow{10, 1000}, 3);
    for (uint64_t t = 10; t < 15; ++t)
      w.instant(0, 0, "tick", t, "");
    w.instant(0, 0, "outside", 5, ""); // outside the window: neither written nor dropped
    w.thread_name(0, 0, "named after truncation");
    CHECK(w.events_written() == 3);
    CHECK(w.events_dropped() == 2);
    CHECK(w.truncated());
  }
  auto trace = parse_file(path);
  REQUIRE(trace["traceEvents"].size() == 4);
  CHECK(trace["traceEvents"][2]["ts"] == 12);
  CHECK(trace["traceEvents"][3]["args"]["name"] == "named after truncation");
  CHECK(trace["otherData"]["truncated"] == true);
  CHECK(trace["otherData"]["events_dropped"] == 2);
  CHECK(trace["otherData"]["max_events"] == 3);

  SUBCASE("max_events = 0 writes metadata only") {
    std::string p0 = dir.file("zero.json");
    {
      PerfettoJsonWriter w(p0, TraceWindow{}, 0);
      w.process_name(7, "p");
      w.complete(7, 0, "x", 0, 1, 0, "");
      CHECK(w.truncated());
    }
    auto t0 = parse_file(p0);
    REQUIRE(t0["traceEvents"].size() == 1);
    CHECK(t0["traceEvents"][0]["ph"] == "M");
  }
}

TEST_CASE("PerfettoJsonWriter escapes strings and repairs invalid UTF-8") {
  TempDir dir("escape");
  std::string path = dir.file("t.json");
  const std::string name = "q\"b\\s\nn\tt\rr\x01"
                           "c\x1f"
                           "d\x7f"
                           "e\xC2\xB5s";                // µ is valid UTF-8
  const std::string bad = std::string("x\xFFy\xC3", 4); // stray byte, cut-off sequence
  const std::string surrogate = "\xED\xA0\x80";         // UTF-16 surrogate: not UTF-8
  {
    PerfettoJsonWriter w(path, TraceWindow{}, 10);
    w.thread_name(0, 0, name);
    w.complete(0, 0, name, 1, 1, 0, bad);
    w.instant(0, 0, surrogate, 2, "\xF0\x9F\x98\x80"); // a 4-byte emoji stays
  }
  std::string text = read_all(path);
  for (char c : text) // no raw control bytes besides our line breaks
    CHECK((static_cast<unsigned char>(c) >= 0x20 || c == '\n'));
  CHECK(text.find("\"name\":\"q\\\"b\\\\s\\nn\\tt\\rr\\u0001c\\u001fd\\u007fe\xC2\xB5s\"") !=
        std::string::npos);
  auto trace = nlohmann::json::parse(text);
  const auto &ev = trace["traceEvents"];
  CHECK(ev[0]["args"]["name"] == name);
  CHECK(ev[1]["name"] == name);
  CHECK(ev[1]["args"]["text"] == "x\xEF\xBF\xBDy\xEF\xBF\xBD");
  CHECK(ev[2]["name"] == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(ev[2]["args"]["detail"] == "\xF0\x9F\x98\x80");
}

namespace {
// One fixed scenario, written with a given buffer size.
std::string write_scenario(const std::string &path, std::size_t buffer_bytes) {
  {
    PerfettoJsonWriter w(path, TraceWindow{0, 5000}, 100000, buffer_bytes);
    w.process_name(0, "tile 0");
    for (int ctx = 0; ctx < 6; ++ctx) {
      w.thread_name(0, ctx, "context " + std::to_string(ctx));
      w.thread_sort_index(0, ctx, ctx);
    }
    for (uint64_t cycle = 0; cycle < 6000; ++cycle) {
      int ctx = int(cycle % 6);
      w.complete(0, ctx, "ld32", cycle, 6, uint32_t(0x4c000 + 4 * cycle),
                 "ld32 $m1, $m2, $m15, " + std::to_string(cycle));
      if (cycle % 100 == 0)
        w.counter(0, "busy", cycle, double(cycle) / 7.0);
    }
  }
  return read_all(path);
}
} // namespace

TEST_CASE("PerfettoJsonWriter output is byte-identical and independent of the buffer size") {
  TempDir dir("determinism");
  std::string a = write_scenario(dir.file("a.json"), std::size_t(1) << 20);
  std::string b = write_scenario(dir.file("b.json"), std::size_t(1) << 20);
  std::string c = write_scenario(dir.file("c.json"), 4096); // many flushes
  CHECK(a == b);
  CHECK(a == c);
  auto trace = nlohmann::json::parse(a);
  // 1 + 12 metadata, 5000 instructions in [0, 5000), counters at 0, 100, ..., 4900.
  CHECK(trace["traceEvents"].size() == 13 + 5000 + 50);
  CHECK(trace["otherData"]["events_written"] == 5050);
}

TEST_CASE("PerfettoJsonWriter with a small buffer stays valid for many and for huge events") {
  TempDir dir("bounded");
  std::string path = dir.file("t.json");
  const std::string huge(20000, 'z'); // larger than the 4 KiB buffer: bypasses it
  {
    PerfettoJsonWriter w(path, TraceWindow{}, UINT64_MAX, 100); // raised to the 4 KiB minimum
    for (uint64_t i = 0; i < 50000; ++i)
      w.complete(3, 1, "op", i, 1, 0x40000, "op \"q\"");
    w.instant(3, 1, "huge", 50000, huge);
  }
  auto trace = parse_file(path);
  REQUIRE(trace["traceEvents"].size() == 50001);
  CHECK(trace["traceEvents"][49999]["ts"] == 49999);
  CHECK(trace["traceEvents"][49999]["args"]["text"] == "op \"q\"");
  CHECK(trace["traceEvents"][50000]["args"]["detail"] == huge);
}

TEST_CASE("PerfettoJsonWriter: destructor finishes, finish is idempotent, later events ignored") {
  TempDir dir("finish");
  std::string path = dir.file("t.json");
  {
    PerfettoJsonWriter w(path, TraceWindow{}, 10);
    w.instant(0, 0, "a", 1, "");
    w.finish();
    std::string once = read_all(path);
    w.finish();
    w.instant(0, 0, "late", 2, "");
    w.process_name(0, "late");
    CHECK(w.events_written() == 1);
    CHECK(read_all(path) == once);
  }
  CHECK(parse_file(path)["traceEvents"].size() == 1);

  std::string path2 = dir.file("t2.json");
  { PerfettoJsonWriter w(path2, TraceWindow{}, 10); } // no events, no finish()
  auto empty = parse_file(path2);
  CHECK(empty["traceEvents"].empty());
  CHECK(empty["otherData"]["events_written"] == 0);
}

TEST_CASE("PerfettoJsonWriter reports a file it cannot create") {
  TempDir dir("error");
  std::string path = dir.file("missing-folder/t.json");
  CHECK_THROWS_WITH_AS(
      PerfettoJsonWriter(path, TraceWindow{}, 10),
      ("cannot write trace file '" + path + "': No such file or directory").c_str(), InputError);
}
