// The simulator's side of an instruction trace: every tile records what it
// issues into its own buffer of compact records (traces/trace_format.hpp),
// and the buffers are passed on to the trace file in tile order, so tiles
// running on several host threads never share a writer and the trace is the
// same whatever the number of threads: its events come superstep by
// superstep, tile by tile, each tile's in cycle order.
//
// A tile's recorder writes its records straight into fixed chunks of memory:
// per issue, a window test, a lookup of the pc in a small table of the code
// it has described, and one to a few bytes. For the compact format the
// chunks are copied into the compressed stream as they are; for JSON they are
// decoded and formatted (traces/json_trace.hpp).
//
// Memory stays bounded: once the tiles' full chunks hold RecordSpill::budget
// bytes together, full chunks are written to a spill file shared by the
// tiles (one temporary file, appended under a lock) and come back from it
// when passed on. A single tile (no threads) passes its chunks on as they fill.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "models/tile/tile_core.hpp"
#include "traces/trace_format.hpp"

namespace ipusim::traces {

class CompactTraceWriter;

// The temporary file full chunks overflow into (deleted when closed).
class RecordSpill {
public:
  RecordSpill() = default;
  ~RecordSpill();
  // Appends n bytes; returns where they went. Thread-safe.
  uint64_t write(const uint8_t *p, size_t n);
  // Reads n bytes from `offset` (not concurrently with write).
  void read(uint64_t offset, uint8_t *p, size_t n);
  // Forgets everything written (all recorders have been passed on).
  void clear();
  // Bytes in full chunks held in memory by all recorders, and how many
  // before full chunks go to the file (tests lower it).
  std::atomic<size_t> held{0};
  size_t budget = size_t(32) << 20;

private:
  std::mutex mutex_;
  std::FILE *file_ = nullptr;
  uint64_t size_ = 0;
};

class TraceOutput;

class TileRecorder final : public tile::IssueObserver {
public:
  static constexpr size_t kChunkBytes = size_t(16) << 10;

  // Events outside `window` are dropped at once. With `direct`, full chunks
  // are passed on to it at once (a single tile); else they wait for a flush.
  TileRecorder(unsigned tile, TraceWindow window, RecordSpill &spill, TraceOutput *direct)
      : tile_(tile), window_(window), spill_(spill), direct_(direct) {}
  ~TileRecorder() override;

  // The common case inline, with no call: room in the chunk and the code at
  // pc already described; anything else goes the slow way.
  void on_issue(uint64_t cycle, unsigned context, uint32_t pc, const tile::DecodedWord &first,
                const tile::DecodedWord *second, uint64_t thread_cycles) override {
    if (cycle < window_.begin || cycle >= window_.end) return;
    const CacheEntry &e = cache_[(pc >> 2) & (kCacheEntries - 1)];
    if (pos_ >= limit_ || e.first != &first || e.second != second || e.pc != pc) {
      slow_issue(cycle, context, pc, first, second, thread_cycles);
      return;
    }
    pos_ = enc_.issue(pos_, cycle, context, pc, second ? 2 : 1, thread_cycles);
    ++events_;
  }
  void on_stall(uint64_t cycle, uint64_t cycles, const char *reason) override {
    if (cycle < window_.begin || cycle >= window_.end) return;
    if (pos_ >= limit_) next_chunk();
    if (reason != last_reason_) {
      last_reason_ = reason;
      last_reason_index_ = stall_reason_index(reason);
    }
    pos_ = enc_.stall(pos_, cycle, cycles, last_reason_index_);
    ++events_;
  }

  // Events recorded since the last clear().
  uint64_t pending_events() const { return events_; }
  // The cycle of the tile's last event before them (what their first cycle
  // difference counts from).
  uint64_t base_cycle() const { return base_cycle_; }
  // Calls f(bytes, n) for each piece of the records since the last clear(),
  // in order; each piece holds whole records. `scratch` holds spilled ones.
  template <typename F> void for_each_piece(std::vector<uint8_t> &scratch, F &&f) {
    for (const auto &[offset, n] : spilled_) {
      scratch.resize(n);
      spill_.read(offset, scratch.data(), n);
      f(scratch.data(), n);
    }
    for (const Chunk &c : full_) f(c.data.get(), c.size);
    if (current_ && pos_ != current_.get()) f(current_.get(), static_cast<size_t>(pos_ - current_.get()));
  }
  // Forgets the records (they have been passed on).
  void clear();

private:
  static constexpr size_t kCacheEntries = 256;
  struct CacheEntry {
    const tile::DecodedWord *first = nullptr;
    const tile::DecodedWord *second = nullptr;
    uint32_t pc = 0;
  };
  struct Chunk {
    std::unique_ptr<uint8_t[]> data;
    size_t size;
  };
  void slow_issue(uint64_t cycle, unsigned context, uint32_t pc, const tile::DecodedWord &first,
                  const tile::DecodedWord *second, uint64_t thread_cycles);
  void define(CacheEntry &e, uint32_t pc, const tile::DecodedWord &first, const tile::DecodedWord *second);
  void next_chunk();
  static const CacheEntry kNoCache[kCacheEntries]; // until the first event: describes nothing

  unsigned tile_;
  TraceWindow window_;
  RecordSpill &spill_;
  TraceOutput *direct_;
  format::TileEncoder enc_;
  uint8_t *pos_ = nullptr;   // where the next record goes
  uint8_t *limit_ = nullptr; // past it, a record may not fit
  std::unique_ptr<uint8_t[]> current_;
  std::unique_ptr<CacheEntry[]> own_cache_;
  const CacheEntry *cache_ = kNoCache; // pc -> the code last described at it (direct-mapped)
  std::vector<Chunk> full_;                          // in memory, after the spilled ones
  std::vector<std::pair<uint64_t, size_t>> spilled_; // (offset, bytes) in the spill file
  uint64_t events_ = 0;
  uint64_t base_cycle_ = 0;
  const char *last_reason_ = nullptr;
  unsigned last_reason_index_ = 0;
};

class TraceOutput {
public:
  // Starts the trace: header to `sink` (a CompactTraceWriter gets the tiles'
  // records as they are; any other sink, decoded events). With `buffered`
  // (a chip), the tiles' records wait for flush_tile(); else they are passed
  // on as chunks fill.
  TraceOutput(std::unique_ptr<TraceSink> sink, const TraceHeader &header, bool buffered);
  ~TraceOutput(); // finishes the trace; errors are swallowed here, call finish() to see them

  // What tile t's core reports its issues and stalls to.
  TileRecorder &recorder(unsigned t) { return *recorders_[t]; }
  // Passes tile t's records on (those at cycles below `before` only), up to
  // max_events in all; call for every tile in order.
  void flush_tile(unsigned t, uint64_t before = UINT64_MAX);
  // After a flush of every tile: the spill file is reused.
  void flushed_all() { spill_.clear(); }

  // BSP phases and host transfers (chip runs, after the tiles' events).
  void bsp_tracks(bool host_link);
  void bsp_phase(const BspPhase &p);
  void host_transfer(const HostTransfer &t);

  // Passes on what the tiles still hold, in tile order, then the totals, and
  // closes the file. Throws InputError when writing failed. Later calls do nothing.
  void finish();
  bool finished() const { return finished_; }

  uint64_t events_written() const { return budget_.totals().events_written; }
  uint64_t events_dropped() const { return budget_.totals().events_dropped; }
  RecordSpill &spill() { return spill_; }
  TraceSink &sink() { return *sink_; }

private:
  void emit(unsigned t, const uint8_t *p, size_t n);

  format::FileHeader header_; // for decoding the tiles' records
  std::unique_ptr<TraceSink> sink_;
  CompactTraceWriter *compact_ = nullptr; // sink_, when it is one
  std::unique_ptr<format::RecordDecoder> decoder_;
  RecordSpill spill_;
  std::vector<std::unique_ptr<TileRecorder>> recorders_;
  EventBudget budget_;
  std::vector<uint8_t> scratch_;
  bool finished_ = false;
};

} // namespace ipusim::traces
