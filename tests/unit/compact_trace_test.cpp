// The compact instruction trace (traces/trace_format.hpp): what is written is
// read back, byte for byte as the format says; the tiles' recorders give the
// same events through the decoder and through the file, in order, through
// the spill file when over budget, cut at a cycle or at max_events; and
// corrupt, cut or foreign files are one-line errors naming the byte.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <random>
#include <string>
#include <vector>
#include <zstd.h>

#include "sim/common/error.hpp"
#include "sim/isa/encoding.hpp"
#include "traces/compact_trace.hpp"
#include "traces/trace_output.hpp"
#include "traces/trace_reader.hpp"

#include "test_files.hpp"

using namespace ipusim;
using namespace ipusim::traces;
using ipusim::test::read_all;
using ipusim::test::TempDir;
using ipusim::test::write_text;

namespace {

// Every event as a line of text.
struct Recording : TraceSink {
  std::vector<std::string> log;
  void begin(const TraceHeader &h) override {
    log.push_back(fmt::format("begin {} tiles {} workers {} clock {} window [{}, {}) max {}", h.machine, h.tiles,
                              h.workers, h.clock_hz, h.window.begin, h.window.end, h.max_events));
  }
  void issue(const IssueEvent &e) override {
    std::string code;
    for (unsigned i = 0; i < e.code->count; ++i) // (opcodes of a changed file may be any)
      code += fmt::format(" {}:{:08x}",
                          e.code->op[i] < isa::kOpCount ? isa::form(static_cast<isa::Op>(e.code->op[i])).mnemonic : "?",
                          e.code->word[i]);
    log.push_back(fmt::format("issue tile {} ctx {} cycle {} tc {} pc 0x{:x}{}", e.tile, e.context, e.cycle,
                              e.thread_cycles, e.code->pc, code));
  }
  void stall(const StallEvent &e) override {
    log.push_back(fmt::format("stall tile {} cycle {} cycles {} {}", e.tile, e.cycle, e.cycles,
                              e.reason < kStallReasonCount ? kStallReasons[e.reason] : "?"));
  }
  void bsp_tracks(bool host) override { log.push_back(fmt::format("bsp host {}", host)); }
  void bsp_phase(const BspPhase &p) override {
    log.push_back(fmt::format("phase tile {} kind {} start {} cycles {} superstep {} release {} '{}'", p.tile,
                              static_cast<int>(p.kind), p.start, p.cycles, p.superstep, p.release, p.label));
  }
  void host_transfer(const HostTransfer &t) override {
    log.push_back(fmt::format("host start {} cycles {} '{}' {} {}", t.start, t.cycles, t.label, t.to_device_bytes,
                              t.from_device_bytes));
  }
  void end(const TraceTotals &t) override {
    log.push_back(fmt::format("end {} {}", t.events_written, t.events_dropped));
  }
};

isa::Instruction insn(isa::Op op, std::initializer_list<int32_t> v) {
  isa::Instruction i;
  i.op = op;
  size_t k = 0;
  for (int32_t x : v) i.v[k++] = x;
  return i;
}

Code code(uint32_t id, uint32_t pc, std::vector<isa::Instruction> insns) {
  Code c;
  c.id = id;
  c.pc = pc;
  c.count = static_cast<unsigned>(insns.size());
  for (unsigned i = 0; i < c.count; ++i) {
    c.op[i] = static_cast<uint16_t>(insns[i].op);
    c.word[i] = isa::encode(insns[i], i == 0 && c.count == 2);
  }
  return c;
}

TraceHeader header(unsigned tiles, TraceWindow window = {}, uint64_t max_events = 1000000) {
  TraceHeader h;
  h.machine = "gc200";
  h.tiles = tiles;
  h.workers = 6;
  h.clock_hz = 1.33e9;
  h.window = window;
  h.max_events = max_events;
  return h;
}

std::vector<std::string> read_back(const std::string &path) {
  Recording r;
  TraceReader reader(path);
  reader.read(r);
  return r.log;
}

std::string decompress(const std::string &z) {
  std::string out;
  ZSTD_DCtx *d = ZSTD_createDCtx();
  ZSTD_inBuffer in{z.data(), z.size(), 0};
  size_t r = 1;
  while (r != 0) {
    char buf[4096];
    ZSTD_outBuffer o{buf, sizeof buf, 0};
    r = ZSTD_decompressStream(d, &o, &in);
    REQUIRE_FALSE(ZSTD_isError(r));
    out.append(buf, o.pos);
    REQUIRE((o.pos > 0 || in.pos < in.size || r == 0));
  }
  ZSTD_freeDCtx(d);
  return out;
}

// The error a file gives, or "" when it reads.
std::string error_of(const std::string &path) {
  try {
    read_back(path);
    return "";
  } catch (const InputError &e) {
    return e.what();
  }
}

} // namespace

TEST_CASE("compact trace: events written one by one read back the same, in the documented bytes") {
  TempDir dir("ipt_roundtrip");
  const std::string path = dir.file("trace.ipt.zst");
  const Code setzi = code(0, 0x40000, {insn(isa::Op::SETZI_M, {1, 5})});
  const Code bri = code(1, 0x40004, {insn(isa::Op::BRI, {0x40000})});
  const Code bundle = code(2, 0x40008, {insn(isa::Op::LD2X64PACE, {0, 2, 4, 15, 0}), insn(isa::Op::F32V2ADD, {8, 4, 2})});
  {
    CompactTraceWriter w(path);
    w.begin(header(2, TraceWindow{10, 100000}, 1000));
    w.issue({0, 0, 10, 1, &setzi});   // first: cycle 10 from 0, pc jumps from 0
    w.issue({0, 0, 16, 3, &bri});     // sequential pc, 6 cycles on, 3 thread cycles
    w.issue({0, 0, 34, 1, &setzi});   // back to 0x40000 (a jump of -8), 18 cycles on
    w.stall({0, 35, 2, 0});
    w.issue({0, 1, 37, 1, &bundle});  // a worker's first issue
    w.issue({0, 1, 37, 1, &bundle});  // the same cycle (0 on), jump back 8
    w.issue({1, 3, 12, 1, &setzi});   // tile 1: its own cycle count and code
    w.issue({0, 1, 1000000, 1, &bundle});
    w.bsp_tracks(true);
    w.bsp_phase({1, BspKind::compute, 0, 1200, 0, 1290, {}});
    w.bsp_phase({1, BspKind::host_exchange, 1290, 24, 0, 1314, "stream x"});
    w.host_transfer({1290, 24, "stream x", 512, 64});
    w.end({11, 2});
  }
  std::vector<std::string> want = {
      "begin gc200 tiles 2 workers 6 clock 1330000000 window [10, 100000) max 1000",
      fmt::format("issue tile 0 ctx 0 cycle 10 tc 1 pc 0x40000 setzi:{:08x}", setzi.word[0]),
      fmt::format("issue tile 0 ctx 0 cycle 16 tc 3 pc 0x40004 bri:{:08x}", bri.word[0]),
      fmt::format("issue tile 0 ctx 0 cycle 34 tc 1 pc 0x40000 setzi:{:08x}", setzi.word[0]),
      "stall tile 0 cycle 35 cycles 2 memory conflict",
      fmt::format("issue tile 0 ctx 1 cycle 37 tc 1 pc 0x40008 ld2x64pace:{:08x} f32v2add:{:08x}", bundle.word[0],
                  bundle.word[1]),
      fmt::format("issue tile 0 ctx 1 cycle 37 tc 1 pc 0x40008 ld2x64pace:{:08x} f32v2add:{:08x}", bundle.word[0],
                  bundle.word[1]),
      fmt::format("issue tile 1 ctx 3 cycle 12 tc 1 pc 0x40000 setzi:{:08x}", setzi.word[0]),
      fmt::format("issue tile 0 ctx 1 cycle 1000000 tc 1 pc 0x40008 ld2x64pace:{:08x} f32v2add:{:08x}",
                  bundle.word[0], bundle.word[1]),
      "bsp host true",
      "phase tile 1 kind 0 start 0 cycles 1200 superstep 0 release 1290 ''",
      "phase tile 1 kind 3 start 1290 cycles 24 superstep 0 release 1314 'stream x'",
      "host start 1290 cycles 24 'stream x' 512 64",
      "end 11 2",
  };
  CHECK(read_back(path) == want);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));

  // The bytes, as docs/outputs.md and trace_format.hpp describe them.
  const std::string raw = decompress(read_all(path));
  const std::string head = format::encode_header(header(2, TraceWindow{10, 100000}, 1000));
  REQUIRE(raw.size() > head.size());
  CHECK(raw.compare(0, head.size(), head) == 0);
  CHECK(raw.compare(0, 10, std::string("IPUTRACE\x01\x00", 10)) == 0);
  auto u32 = [](uint32_t v) { return std::string{char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; };
  auto varint = [](uint64_t v) {
    std::string s;
    while (v >= 0x80) {
      s += char(v | 0x80);
      v >>= 7;
    }
    return s + char(v);
  };
  std::string want_bytes;
  want_bytes += std::string("\x07\x00", 2);                       // TILE 0
  want_bytes += "\x17" + std::string("\x80\x80\x10\x01", 4) +     // CODE pc 0x40000, 1 instruction
                varint(setzi.op[0]) + u32(setzi.word[0]);
  want_bytes += "\x78\x03" + std::string("\x80\x80\x20", 3);      // ISSUE ctx 0, D=7 +3, J +0x40000
  want_bytes += "\x17" + std::string("\x84\x80\x10\x01", 4) + varint(bri.op[0]) + u32(bri.word[0]);
  want_bytes += "\xe0\x03";                                       // ISSUE ctx 0, D=6, T: 3 thread cycles
  want_bytes += "\x78\x0b\x0f";                                   // ISSUE ctx 0, D=7 +11, J -8 (zigzag 15)
  want_bytes += std::string("\x0f\x01\x02\x00", 4);               // STALL +1 cycle, 2 cycles, reason 0
  CHECK(raw.compare(head.size(), want_bytes.size(), want_bytes) == 0);
}

namespace {

struct TileEvent {
  unsigned tile;
  uint64_t cycle;
  unsigned context; // kMaxContexts: a stall
  unsigned word;    // index into the words, or stall cycles
  uint64_t tc;
};

// A random but fixed stream of issues and stalls per tile, cycles rising.
std::vector<TileEvent> make_events(unsigned tiles, size_t per_tile, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<TileEvent> out;
  for (unsigned t = 0; t < tiles; ++t) {
    uint64_t cycle = 0;
    for (size_t k = 0; k < per_tile; ++k) {
      unsigned r = rng() % 100;
      cycle += r < 70 ? 1 : r < 90 ? rng() % 7 : rng() % 5000;
      if (r % 17 == 0) out.push_back({t, cycle, kMaxContexts, static_cast<unsigned>(1 + rng() % 3), 0});
      else out.push_back({t, cycle, static_cast<unsigned>(rng() % 7), static_cast<unsigned>(rng() % 4), r < 95 ? 1u : 1u + rng() % 4});
    }
  }
  return out;
}

struct Program {
  std::vector<tile::DecodedWord> words; // setzi, bri, ld2x64pace | f32v2add, add
  uint32_t pc[4] = {0x40000, 0x40004, 0x40008, 0x40010};
  Program() {
    words.resize(5);
    words[0].insn = insn(isa::Op::SETZI_M, {1, 5});
    words[1].insn = insn(isa::Op::BRI, {0x40000});
    words[2].insn = insn(isa::Op::LD2X64PACE, {0, 2, 4, 15, 0});
    words[2].bundle_first = true;
    words[3].insn = insn(isa::Op::F32V2ADD, {8, 4, 2});
    words[4].insn = insn(isa::Op::SETZI_M, {2, 7});
  }
  void feed(tile::IssueObserver &o, const TileEvent &e) const {
    if (e.context == kMaxContexts) {
      o.on_stall(e.cycle, e.word, "memory conflict");
      return;
    }
    const tile::DecodedWord &first = words[e.word == 3 ? 4 : e.word];
    o.on_issue(e.cycle, e.context, pc[e.word], first, e.word == 2 ? &words[3] : nullptr, e.tc);
  }
  // What a reader should see for the event.
  std::string line(const TileEvent &e) const {
    if (e.context == kMaxContexts)
      return fmt::format("stall tile {} cycle {} cycles {} memory conflict", e.tile, e.cycle, e.word);
    const tile::DecodedWord &first = words[e.word == 3 ? 4 : e.word];
    std::string code = fmt::format(" {}:{:08x}", isa::form(first.insn.op).mnemonic,
                                   isa::encode(first.insn, first.bundle_first));
    if (e.word == 2) code += fmt::format(" f32v2add:{:08x}", isa::encode(words[3].insn, false));
    return fmt::format("issue tile {} ctx {} cycle {} tc {} pc 0x{:x}{}", e.tile, e.context, e.cycle, e.tc, pc[e.word],
                       code);
  }
};

} // namespace

TEST_CASE("compact trace: the tiles' recorders give the same events decoded and through the file, in order") {
  TempDir dir("ipt_recorders");
  const Program prog;
  const TraceWindow window{50, 3000000};
  const std::vector<TileEvent> events = make_events(3, 20000, 7); // some 40 KB of records per tile
  std::vector<std::string> want = {"begin gc200 tiles 3 workers 6 clock 1330000000 window [50, 3000000) max 1000000"};
  uint64_t kept = 0;
  for (const TileEvent &e : events)
    if (window.contains(e.cycle)) {
      want.push_back(prog.line(e));
      ++kept;
    }
  want.push_back(fmt::format("end {} 0", kept));
  REQUIRE(kept > 20000);
  REQUIRE(kept < events.size()); // some after the window

  for (size_t budget : {size_t(32) << 20, size_t(0), size_t(40000)}) {
    INFO("spill budget " << budget);
    auto direct = std::make_unique<Recording>();
    Recording *direct_log = direct.get();
    TraceOutput decoded(std::move(direct), header(3, window), true);
    const std::string path = dir.file("t" + std::to_string(budget) + ".ipt.zst");
    TraceOutput filed(std::make_unique<CompactTraceWriter>(path), header(3, window), true);
    decoded.spill().budget = filed.spill().budget = budget;
    for (const TileEvent &e : events) { // tiles record at once; the flush puts them in tile order
      prog.feed(decoded.recorder(e.tile), e);
      prog.feed(filed.recorder(e.tile), e);
    }
    for (unsigned t = 0; t < 3; ++t) {
      decoded.flush_tile(t);
      filed.flush_tile(t);
    }
    decoded.flushed_all();
    filed.flushed_all();
    CHECK(decoded.spill().held == 0u);
    decoded.finish();
    filed.finish();
    CHECK(direct_log->log == want);
    CHECK(read_back(path) == want);
    CHECK(decoded.events_written() == kept);
  }

  // One tile, passed on as its chunks fill (no flush needed).
  {
    std::vector<TileEvent> one = make_events(1, 20000, 8);
    std::vector<std::string> want1 = {"begin gc200 tiles 1 workers 6 clock 1330000000 window [0, 18446744073709551615) max 1000000"};
    for (const TileEvent &e : one) want1.push_back(prog.line(e));
    want1.push_back(fmt::format("end {} 0", one.size()));
    const std::string path = dir.file("single.ipt.zst");
    TraceOutput out(std::make_unique<CompactTraceWriter>(path), header(1), false);
    for (const TileEvent &e : one) prog.feed(out.recorder(0), e);
    out.finish();
    CHECK(read_back(path) == want1);
  }
}

TEST_CASE("compact trace: a flush keeps the events before a cycle, and max_events counts what it drops") {
  TempDir dir("ipt_cut");
  const Program prog;
  std::vector<TileEvent> events;
  for (unsigned t = 0; t < 2; ++t)
    for (uint64_t c = 0; c < 80; ++c) events.push_back({t, 10 * c, 1, static_cast<unsigned>(c % 3), 1});
  const std::string path = dir.file("cut.ipt.zst");
  {
    TraceOutput out(std::make_unique<CompactTraceWriter>(path), header(2, TraceWindow{}, 100), true);
    for (const TileEvent &e : events) prog.feed(out.recorder(e.tile), e);
    // As after a fault on tile 1 at cycle 500: tile 0 keeps cycles <= 500.
    out.flush_tile(0, 501);
    out.flush_tile(1, 500);
    out.flushed_all();
    CHECK(out.events_written() == 51u + 50u - 1u); // max_events: 100
    CHECK(out.events_dropped() == 1u);
    out.bsp_tracks(false);
    out.bsp_phase({0, BspKind::compute, 0, 10, 0, 20, {}}); // over max_events: dropped
    out.finish();
    CHECK(out.events_dropped() == 2u);
  }
  std::vector<std::string> want = {"begin gc200 tiles 2 workers 6 clock 1330000000 window [0, 18446744073709551615) max 100"};
  for (const TileEvent &e : events)
    if (e.cycle < (e.tile == 0 ? 501u : 500u) && !(e.tile == 1 && e.cycle == 490)) want.push_back(prog.line(e));
  want.push_back("bsp host false");
  want.push_back("end 100 2");
  CHECK(read_back(path) == want);
}

TEST_CASE("compact trace: corrupt, cut and foreign files are one-line errors naming the byte") {
  TempDir dir("ipt_corrupt");
  const std::string path = dir.file("good.ipt.zst");
  const Code setzi = code(0, 0x40000, {insn(isa::Op::SETZI_M, {1, 5})});
  {
    CompactTraceWriter w(path);
    w.begin(header(2));
    for (uint64_t c = 0; c < 40; ++c) w.issue({static_cast<unsigned>(c % 2), 0, 6 * c, 1, &setzi});
    w.stall({1, 400, 3, 0});
    w.bsp_tracks(true);
    w.host_transfer({500, 24, "stream x", 512, 64});
    w.end({42, 0});
  }
  const std::string good = read_all(path);
  const std::string raw = decompress(good);
  const std::string bad = dir.file("bad");
  REQUIRE(error_of(path).empty());
  write_text(bad, raw); // uncompressed is read too
  REQUIRE(error_of(bad).empty());
  REQUIRE(read_back(bad) == read_back(path));

  auto one_line = [&](const std::string &e) {
    CHECK(e.find('\n') == std::string::npos);
    CHECK(e.rfind(bad + ": byte ", 0) == 0);
  };

  SUBCASE("every cut of the compressed file") {
    for (size_t n = 0; n < good.size(); ++n) {
      write_text(bad, good.substr(0, n));
      std::string e = error_of(bad);
      INFO("cut at " << n << ": " << e);
      REQUIRE_FALSE(e.empty());
      one_line(e);
    }
    write_text(bad, good.substr(0, good.size() - 3));
    CHECK(error_of(bad) == bad + ": byte " + std::to_string(good.size() - 3) +
                               ": error: the compressed data ends inside a zstd frame (the file is truncated)");
  }
  SUBCASE("every cut of the decompressed stream names where it ends") {
    for (size_t n = 0; n < raw.size(); ++n) {
      write_text(bad, raw.substr(0, n));
      std::string e = error_of(bad);
      INFO("cut at " << n << ": " << e);
      REQUIRE_FALSE(e.empty());
      one_line(e);
      if (n == 0) CHECK(e == bad + ": byte 0: error: the file is empty, not an ipusim trace");
      else if (n < 8) CHECK(e == bad + ": byte 0: error: not an ipusim instruction trace (bad magic)");
      else CHECK(e.rfind(bad + ": byte " + std::to_string(n) + ": error: the trace ends ", 0) == 0);
    }
  }
  SUBCASE("changed bytes give an error or other events, never a crash") {
    size_t errors = 0;
    for (size_t i = 10; i < raw.size(); ++i)
      for (unsigned char x : {0x01, 0x80, 0xff}) {
        std::string s = raw;
        s[i] = static_cast<char>(s[i] ^ x);
        write_text(bad, s);
        std::string e = error_of(bad);
        if (!e.empty()) {
          one_line(e);
          ++errors;
        }
      }
    CHECK(errors > 0);
    // In the compressed file, zstd's checksum catches any change of the
    // content (a few bits of zstd's headers change nothing).
    const std::vector<std::string> events = read_back(path);
    size_t unchanged = 0;
    for (size_t i = 4; i < good.size(); ++i) {
      std::string s = good;
      s[i] = static_cast<char>(s[i] ^ 0x10);
      write_text(bad, s);
      std::string e = error_of(bad);
      INFO("byte " << i << " changed");
      if (e.empty()) {
        CHECK(read_back(bad) == events);
        ++unchanged;
      } else {
        one_line(e);
      }
    }
    CHECK(unchanged < good.size() / 20);
  }
  SUBCASE("wrong magic, version, record and trailing data") {
    write_text(bad, "{\"traceEvents\":[\n]}");
    CHECK(error_of(bad) == bad + ": byte 0: error: not an ipusim instruction trace (bad magic)");
    std::string s = raw;
    s[8] = 2;
    write_text(bad, s);
    CHECK(error_of(bad) == bad + ": byte 8: error: trace format version 2, this ipusim reads version 1");
    write_text(bad, raw + "x");
    CHECK(error_of(bad) == bad + ": byte " + std::to_string(raw.size()) + ": error: data after the end record");
    const size_t head = format::encode_header(header(2)).size();
    s = raw;
    s[head] = static_cast<char>(0x3f); // kind 7: no such record
    write_text(bad, s);
    CHECK(error_of(bad) == bad + ": byte " + std::to_string(head) + ": error: unknown record tag 0x3f");
    s = raw;
    s[head + 1] = 9; // TILE 9 of 2
    write_text(bad, s);
    CHECK(error_of(bad) == bad + ": byte " + std::to_string(head + 1) + ": error: tile 9 is out of range (at most 1)");
    // A compressed file names offsets in its decompressed stream for records.
    write_text(bad, good + good);
    CHECK(error_of(bad) ==
          bad + ": byte " + std::to_string(raw.size()) + " of the decompressed stream: error: data after the end record");
    CHECK(error_of(dir.file("missing")).rfind("cannot open trace file '" + dir.file("missing") + "'", 0) == 0);
  }
}
