#include "traces/trace_format.hpp"

#include <fmt/format.h>

#include "sim/isa/encoding.hpp"
#include "sim/isa/isa.hpp"

namespace ipusim::traces {

unsigned stall_reason_index(const char *reason) {
  for (unsigned i = 0; i + 1 < kStallReasonCount; ++i)
    if (kStallReasons[i] == reason) return i;
  return kStallReasonCount - 1;
}

namespace format {

void ByteWriter::string(std::string_view s) {
  if (s.size() > kMaxString) s = s.substr(0, kMaxString);
  varint(s.size());
  out.append(s.data(), s.size());
}

uint64_t isa_fingerprint() {
  static const uint64_t value = [] {
    uint64_t h = 0xcbf29ce484222325ull; // FNV-1a
    auto mix = [&h](std::string_view s) {
      for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
      }
      h ^= 0xff;
      h *= 0x100000001b3ull;
    };
    for (const isa::Form &f : isa::forms()) {
      mix(f.id);
      mix(f.mnemonic);
      mix(f.operand_text);
      mix(fmt::format("{}/{}/{}", f.opcode, f.opcode_bits, f.operand_bits));
      for (const isa::OperandSpec &o : f.operands) mix(fmt::format("{}:{}", static_cast<int>(o.kind), o.bits));
    }
    return h;
  }();
  return value;
}

std::string encode_header(const TraceHeader &h) {
  ByteWriter w;
  w.out.append(kMagic, sizeof kMagic);
  w.u16(kVersion);
  w.string(h.machine);
  w.varint(h.tiles);
  w.varint(h.workers);
  uint64_t clock;
  static_assert(sizeof clock == sizeof h.clock_hz);
  std::memcpy(&clock, &h.clock_hz, sizeof clock);
  w.u64(clock);
  w.varint(h.window.begin);
  w.varint(h.window.end);
  w.varint(h.max_events);
  w.u64(isa_fingerprint());
  w.varint(isa::kOpCount);
  for (const isa::Form &f : isa::forms()) w.string(f.mnemonic);
  w.varint(kStallReasonCount);
  for (std::string_view r : kStallReasons) w.string(r);
  return w.out;
}

namespace {

// Bounds-checked reading of one record or header.
struct Cursor {
  const uint8_t *begin, *p, *end;
  uint64_t offset() const { return static_cast<uint64_t>(p - begin); }
  [[noreturn]] void fail(const std::string &what) const { throw FormatError(offset(), what); }
  void need(size_t n) const {
    if (static_cast<size_t>(end - p) < n) throw FormatError(static_cast<uint64_t>(end - begin), "the trace ends inside a record (truncated?)");
  }
  uint8_t u8() {
    need(1);
    return *p++;
  }
  uint32_t u32() {
    need(4);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
    p += 4;
    return v;
  }
  uint64_t u64() {
    need(8);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    p += 8;
    return v;
  }
  uint64_t varint() {
    uint64_t v = 0;
    const uint8_t *start = p;
    for (unsigned i = 0;; ++i) {
      need(1);
      uint8_t b = *p++;
      if (i == kMaxVarint - 1 && b > 1) {
        p = start;
        fail("malformed number (more than 64 bits)");
      }
      v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if (!(b & 0x80)) return v;
    }
  }
  uint64_t varint_max(uint64_t max, const char *what) {
    const uint8_t *start = p;
    uint64_t v = varint();
    if (v > max) {
      p = start;
      fail(fmt::format("{} {} is out of range (at most {})", what, v, max));
    }
    return v;
  }
  std::string_view string() {
    uint64_t n = varint_max(kMaxString, "string length");
    need(n);
    std::string_view s(reinterpret_cast<const char *>(p), n);
    p += n;
    return s;
  }
};

} // namespace

FileHeader decode_header(const uint8_t *data, size_t avail, size_t &used) {
  Cursor c{data, data, data + avail};
  FileHeader h;
  if (avail < sizeof kMagic || std::memcmp(data, kMagic, sizeof kMagic) != 0)
    c.fail("not an ipusim instruction trace (bad magic)");
  c.p += sizeof kMagic;
  const uint8_t lo = c.u8();
  h.version = static_cast<uint16_t>(lo | (c.u8() << 8));
  if (h.version != kVersion) {
    c.p -= 2;
    c.fail(fmt::format("trace format version {}, this ipusim reads version {}", h.version, kVersion));
  }
  h.trace.machine = std::string(c.string());
  h.trace.tiles = static_cast<unsigned>(c.varint_max(1u << 16, "tile count"));
  if (h.trace.tiles == 0) c.fail("the trace has no tiles");
  h.trace.workers = static_cast<unsigned>(c.varint_max(kMaxContexts - 1, "worker count"));
  uint64_t clock = c.u64();
  std::memcpy(&h.trace.clock_hz, &clock, sizeof clock);
  h.trace.window.begin = c.varint();
  h.trace.window.end = c.varint();
  h.trace.max_events = c.varint();
  h.isa_fingerprint = c.u64();
  uint64_t ops = c.varint_max(1u << 16, "opcode count");
  for (uint64_t i = 0; i < ops; ++i) h.mnemonics.emplace_back(c.string());
  uint64_t reasons = c.varint_max(256, "stall reason count");
  for (uint64_t i = 0; i < reasons; ++i) h.stall_reasons.emplace_back(c.string());
  if (h.stall_reasons.empty()) c.fail("the trace names no stall reasons");
  used = static_cast<size_t>(c.offset());
  return h;
}

size_t skim_tile_record(const uint8_t *data, size_t avail, bool &event, uint64_t &delta) {
  Cursor c{data, data, data + avail};
  const uint8_t tag = c.u8();
  event = true;
  if ((tag & kOther) != kOther) {
    delta = (tag >> kIssueDeltaShift) & kIssueDeltaMask;
    if (delta == kIssueDeltaMask) delta += c.varint();
    if (tag & kIssueJump) c.varint();
    if (tag & kIssueThread) c.varint();
  } else if (tag == tag_of(STALL)) {
    delta = c.varint();
    c.varint();
    c.varint();
  } else if (tag == tag_of(CODE)) {
    event = false;
    c.varint();
    unsigned n = c.u8();
    for (unsigned i = 0; i < n; ++i) {
      c.varint();
      c.u32();
    }
  } else {
    c.p = data;
    c.fail(fmt::format("record tag 0x{:02x} among a tile's records", tag));
  }
  return static_cast<size_t>(c.offset());
}

CodeNamer::CodeNamer() {
  for (const isa::Form &f : isa::forms()) mnemonics_.emplace_back(f.mnemonic);
  for (std::string_view r : kStallReasons) reasons_.emplace_back(r);
}

CodeNamer::CodeNamer(const FileHeader &h)
    : isa_ok_(h.isa_fingerprint == isa_fingerprint()), mnemonics_(h.mnemonics), reasons_(h.stall_reasons) {}

std::string CodeNamer::name(const Code &c) const {
  std::string n = mnemonics_[c.op[0]];
  if (c.count == 2) n += " + " + mnemonics_[c.op[1]];
  return n;
}

std::string CodeNamer::one(uint16_t op, uint32_t word, bool supervisor) const {
  if (isa_ok_) {
    std::optional<isa::Instruction> insn = isa::decode(word);
    if (insn && static_cast<uint16_t>(insn->op) == op) return isa::disassemble(*insn, supervisor);
  }
  return fmt::format("{} [0x{:08x}]", mnemonics_[op], word);
}

std::string CodeNamer::text(const Code &c, bool supervisor) const {
  std::string t = one(c.op[0], c.word[0], supervisor);
  if (c.count == 2) t = "{ " + t + " ; " + one(c.op[1], c.word[1], supervisor) + " }";
  return t;
}

RecordDecoder::RecordDecoder(const FileHeader &h) : header_(h), tiles_(h.trace.tiles) {}

void RecordDecoder::set_tile(unsigned tile) { tile_ = tile; }

uint32_t RecordDecoder::intern(const Code &c) {
  auto key = std::make_tuple(c.pc, c.count, c.op[0], c.word[0], c.op[1], c.word[1]);
  auto it = code_ids_.find(key);
  if (it != code_ids_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(codes_.size());
  codes_.push_back(c);
  codes_.back().id = id;
  code_ids_.emplace(key, id);
  return id;
}

size_t RecordDecoder::record(const uint8_t *data, size_t avail, TraceSink &sink) {
  Cursor c{data, data, data + avail};
  if (ended_) c.fail("data after the end record");
  const uint8_t tag = c.u8();
  TileState &ts = tiles_[tile_];
  auto advance = [&](uint64_t delta) {
    if (ts.last_cycle + delta < ts.last_cycle) c.fail("cycle count overflows");
    ts.last_cycle += delta;
    return ts.last_cycle;
  };
  if ((tag & kOther) != kOther) { // ISSUE
    const unsigned context = tag & kOther;
    if (context > header_.trace.workers) {
      c.p = data;
      c.fail(fmt::format("context {} on a tile with {} workers", context, header_.trace.workers));
    }
    uint64_t delta = (tag >> kIssueDeltaShift) & kIssueDeltaMask;
    if (delta == kIssueDeltaMask) {
      delta = c.varint();
      if (delta + kIssueDeltaMask < delta) c.fail("cycle count overflows");
      delta += kIssueDeltaMask;
    }
    int64_t pc = ts.next_pc[context];
    if (tag & kIssueJump) {
      const uint8_t *at = c.p;
      const int64_t d = unzigzag(c.varint());
      if (d < -int64_t(UINT32_MAX) || d > int64_t(UINT32_MAX) || pc + d < 0 || pc + d > int64_t(UINT32_MAX)) {
        c.p = at;
        c.fail("the pc is outside the 32-bit address space");
      }
      pc += d;
    }
    uint64_t thread_cycles = (tag & kIssueThread) ? c.varint() : 1;
    auto it = ts.code.find(static_cast<uint32_t>(pc));
    if (it == ts.code.end()) {
      c.p = data;
      c.fail(fmt::format("tile {} issues at pc 0x{:x}, which no code record defined", tile_, pc));
    }
    const Code &code = codes_[it->second];
    ts.next_pc[context] = static_cast<uint32_t>(pc) + 4 * code.count;
    sink.issue(IssueEvent{tile_, context, advance(delta), thread_cycles, &code});
    return static_cast<size_t>(c.offset());
  }
  switch (tag >> 3) {
  case TILE: {
    tile_ = static_cast<unsigned>(c.varint_max(header_.trace.tiles - 1, "tile"));
    break;
  }
  case STALL: {
    uint64_t delta = c.varint();
    uint64_t cycles = c.varint();
    unsigned reason = static_cast<unsigned>(c.varint_max(header_.stall_reasons.size() - 1, "stall reason"));
    sink.stall(StallEvent{tile_, advance(delta), cycles, reason});
    break;
  }
  case CODE: {
    Code code;
    code.pc = static_cast<uint32_t>(c.varint_max(UINT32_MAX, "pc"));
    code.count = c.u8();
    if (code.count != 1 && code.count != 2) {
      c.p -= 1;
      c.fail(fmt::format("a code record of {} instructions (1 or 2)", code.count));
    }
    for (unsigned i = 0; i < code.count; ++i) {
      code.op[i] = static_cast<uint16_t>(c.varint_max(header_.mnemonics.size() - 1, "opcode"));
      code.word[i] = c.u32();
    }
    ts.code[code.pc] = intern(code);
    break;
  }
  case BSP:
    sink.bsp_tracks(c.u8() != 0);
    break;
  case PHASE: {
    BspPhase p;
    p.tile = static_cast<unsigned>(c.varint_max(header_.trace.tiles - 1, "tile"));
    p.kind = static_cast<BspKind>(c.varint_max(kBspKindCount - 1, "BSP phase kind"));
    p.start = c.varint();
    p.cycles = c.varint();
    p.superstep = c.varint();
    p.release = c.varint();
    p.label = c.string();
    sink.bsp_phase(p);
    break;
  }
  case HOST: {
    HostTransfer t;
    t.start = c.varint();
    t.cycles = c.varint();
    t.label = c.string();
    t.to_device_bytes = c.varint();
    t.from_device_bytes = c.varint();
    sink.host_transfer(t);
    break;
  }
  case END:
    totals_.events_written = c.varint();
    totals_.events_dropped = c.varint();
    ended_ = true;
    break;
  default:
    c.p = data;
    c.fail(fmt::format("unknown record tag 0x{:02x}", tag));
  }
  return static_cast<size_t>(c.offset());
}

} // namespace format
} // namespace ipusim::traces
