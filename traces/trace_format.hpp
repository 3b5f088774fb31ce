// The compact instruction trace (trace.ipt.zst): a zstd-compressed stream of
// small records, written as fast as the tiles issue. docs/outputs.md
// describes it for readers in other languages; this file is its definition.
//
// Decompressed (`zstd -d trace.ipt.zst` gives trace.ipt), the stream is
//
//   header   "IPUTRACE", u16 version, then the fields of TraceHeader, the
//            instruction set's fingerprint, the mnemonics of every opcode and
//            the stall reasons (the string tables, so the file describes itself)
//   records  each starting with a tag byte
//   end      an END record with the totals, then nothing
//
// Integers are little-endian; "varint" is unsigned LEB128 (7 bits a byte, low
// first, at most 10 bytes), "svarint" a zigzag-coded signed one; a string is
// a varint length (at most kMaxString) and its bytes.
//
// The tag byte's low 3 bits are a context (0 supervisor, 1..6 workers) for an
// ISSUE, or 7 for any other record, whose kind is then in bits 3..7.
//
//   ISSUE    bits 0-2 context; bit 3 J: the pc is not the context's next
//            (previous pc + 4 per instruction of its previous issue), an
//            svarint pc - next follows; bits 4-6 D: cycles since the tile's
//            previous event (issue or stall), 7 = a varint (cycles - 7)
//            follows; bit 7 T: thread cycles are not 1, a varint follows.
//            Fields in the order: [D varint] [J svarint] [T varint].
//            The pc must have a CODE record on this tile first.
//   TILE     varint tile: the ISSUE, STALL and CODE records that follow are
//            this tile's (a tile's own records are in cycle order)
//   STALL    varint cycles since the tile's previous event, varint stall
//            cycles, varint reason (index into the header's stall reasons)
//   CODE     varint pc, u8 count (1, or 2 for a bundle), count x (varint
//            opcode, u32 encoding): what the tile holds at pc from now on
//   BSP      u8 host link (0/1): BSP tracks follow
//   PHASE    varint tile, varint kind (BspKind), varint start, varint cycles,
//            varint superstep, varint release, string label
//   HOST     varint start, varint cycles, string label, varint bytes to the
//            device, varint bytes from it
//   END      varint events written, varint events dropped
//
// Per tile, a reader keeps the cycle of the tile's previous event, each
// context's next pc and the code at each pc; all start at 0 / nothing.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <tuple>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "traces/trace_model.hpp"

namespace ipusim::traces::format {

constexpr char kMagic[8] = {'I', 'P', 'U', 'T', 'R', 'A', 'C', 'E'};
constexpr uint16_t kVersion = 1;
constexpr uint32_t kMaxString = 4096;
constexpr unsigned kMaxVarint = 10;

constexpr uint8_t kOther = 7; // tag & 7 for a record that is not an ISSUE
enum Kind : uint8_t { TILE = 0, STALL = 1, CODE = 2, BSP = 3, PHASE = 4, HOST = 5, END = 6 };
constexpr uint8_t tag_of(Kind k) { return static_cast<uint8_t>(kOther | (k << 3)); }
constexpr uint8_t kIssueJump = 1 << 3;
constexpr unsigned kIssueDeltaShift = 4;
constexpr uint8_t kIssueDeltaMask = 7; // after the shift; 7 = a varint follows
constexpr uint8_t kIssueThread = 1 << 7;

// Room enough for the records of one event on a tile (a CODE, then an ISSUE).
constexpr size_t kMaxTileRecords = 64;

inline uint8_t *put_varint(uint8_t *p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}
inline uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
inline uint8_t *put_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; ++i) *p++ = static_cast<uint8_t>(v >> (8 * i));
  return p;
}

// Writes a tile's ISSUE, STALL and CODE records, keeping the state a reader
// keeps for the tile. Each call writes one record at p (room for
// kMaxTileRecords bytes) and returns its end.
struct TileEncoder {
  uint64_t last_cycle = 0;
  uint32_t next_pc[kMaxContexts] = {};

  static uint8_t *code(uint8_t *p, uint32_t pc, unsigned count, const uint16_t *op, const uint32_t *word) {
    *p++ = tag_of(CODE);
    p = put_varint(p, pc);
    *p++ = static_cast<uint8_t>(count);
    for (unsigned i = 0; i < count; ++i) {
      p = put_varint(p, op[i]);
      p = put_u32(p, word[i]);
    }
    return p;
  }
  // cycle >= the tile's previous event's; context < kMaxContexts.
  uint8_t *issue(uint8_t *p, uint64_t cycle, unsigned context, uint32_t pc, unsigned count, uint64_t thread_cycles) {
    uint8_t *tag = p++;
    uint8_t t = static_cast<uint8_t>(context);
    const uint64_t delta = cycle - last_cycle;
    last_cycle = cycle;
    if (delta < kIssueDeltaMask) {
      t |= static_cast<uint8_t>(delta << kIssueDeltaShift);
    } else {
      t |= kIssueDeltaMask << kIssueDeltaShift;
      p = put_varint(p, delta - kIssueDeltaMask);
    }
    const uint32_t next = next_pc[context];
    next_pc[context] = pc + 4 * count;
    if (pc != next) {
      t |= kIssueJump;
      p = put_varint(p, zigzag(static_cast<int64_t>(pc) - static_cast<int64_t>(next)));
    }
    if (thread_cycles != 1) {
      t |= kIssueThread;
      p = put_varint(p, thread_cycles);
    }
    *tag = t;
    return p;
  }
  uint8_t *stall(uint8_t *p, uint64_t cycle, uint64_t cycles, unsigned reason) {
    *p++ = tag_of(STALL);
    p = put_varint(p, cycle - last_cycle);
    last_cycle = cycle;
    p = put_varint(p, cycles);
    return put_varint(p, reason);
  }
};

// Appends records that are not on the tiles' hot path (header, BSP, END).
struct ByteWriter {
  std::string out;
  void u8(uint8_t v) { out.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) {
    u8(static_cast<uint8_t>(v));
    u8(static_cast<uint8_t>(v >> 8));
  }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void varint(uint64_t v) {
    uint8_t b[kMaxVarint];
    out.append(reinterpret_cast<const char *>(b), static_cast<size_t>(put_varint(b, v) - b));
  }
  void string(std::string_view s); // cut to kMaxString bytes
};

// A fingerprint of the instruction set (every form's name, mnemonic,
// operands and encoding): a reader disassembles a trace's encodings only when
// the file's fingerprint is its own.
uint64_t isa_fingerprint();

// The header as the writer puts it at the start of the stream.
std::string encode_header(const TraceHeader &h);

// What a reader learns from the header.
struct FileHeader {
  TraceHeader trace;
  uint16_t version = 0;
  uint64_t isa_fingerprint = 0;
  std::vector<std::string> mnemonics; // by opcode
  std::vector<std::string> stall_reasons;
};

// A malformed or cut stream; `offset` is where, counted from the start of the
// bytes the failing call was given.
class FormatError : public std::runtime_error {
public:
  FormatError(uint64_t offset, const std::string &what) : std::runtime_error(what), offset(offset) {}
  uint64_t offset;
};

// Reads the header at p (avail bytes there); `used` gets its length.
// Throws FormatError for a bad magic, an unknown version or a cut header.
FileHeader decode_header(const uint8_t *p, size_t avail, size_t &used);

// The size of the tile record at p (an ISSUE, STALL or CODE record, whole)
// and, when it is an event, the cycles since the tile's previous one.
// Throws FormatError when it is none of those.
size_t skim_tile_record(const uint8_t *p, size_t avail, bool &event, uint64_t &delta);

// The names and disassembly of traced code: with this build's instruction
// set, or with a file's mnemonics, disassembling its encodings only when the
// file's instruction set is this build's (otherwise the text is the
// mnemonic and the encoding in hex).
class CodeNamer {
public:
  CodeNamer(); // this build's instruction set
  explicit CodeNamer(const FileHeader &h);
  // "f32v2mul" or, for a bundle, "f32v2mul + ld2x64pace".
  std::string name(const Code &c) const;
  // The disassembly; a bundle as "{ first ; second }". Supervisor code names
  // CSRs differently.
  std::string text(const Code &c, bool supervisor) const;
  bool disassembles() const { return isa_ok_; }
  const std::string &mnemonic(uint16_t op) const { return mnemonics_[op]; }
  // A stall reason by its index (the file's names).
  const std::string &stall_reason(unsigned i) const { return reasons_[i < reasons_.size() ? i : reasons_.size() - 1]; }

private:
  std::string one(uint16_t op, uint32_t word, bool supervisor) const;
  bool isa_ok_ = true;
  std::vector<std::string> mnemonics_;
  std::vector<std::string> reasons_;
};

// Decodes records, keeping every tile's state, and passes the events on.
class RecordDecoder {
public:
  explicit RecordDecoder(const FileHeader &h);
  // The tile whose records follow (streams without TILE records).
  void set_tile(unsigned tile);
  // Decodes the record at p (avail bytes there, at least the whole record
  // unless the stream ends) and returns its size. Throws FormatError (offset
  // from p) when it is malformed or cut. BSP, PHASE, HOST and END records
  // are passed to the sink too; end() is not called (ended() tells).
  size_t record(const uint8_t *p, size_t avail, TraceSink &sink);
  bool ended() const { return ended_; }
  const TraceTotals &totals() const { return totals_; }
  const std::vector<Code> &codes() const { return codes_; }

private:
  struct TileState {
    uint64_t last_cycle = 0;
    uint32_t next_pc[kMaxContexts] = {};
    std::unordered_map<uint32_t, uint32_t> code; // pc -> code id
  };
  uint32_t intern(const Code &c);

  const FileHeader &header_;
  std::vector<TileState> tiles_;
  unsigned tile_ = 0;
  std::vector<Code> codes_;
  std::map<std::tuple<uint32_t, unsigned, uint16_t, uint32_t, uint16_t, uint32_t>, uint32_t> code_ids_;
  bool ended_ = false;
  TraceTotals totals_;
};

} // namespace ipusim::traces::format
