// Per-tile buffers of trace events, so tiles running on several host threads
// never share a writer: each tile records what it issues into its own
// buffer, and the chip passes the buffers on to the real observers (the
// instruction trace) in tile order at the end of every superstep. The trace
// is then the same whatever the number of threads: its events come superstep
// by superstep, tile by tile, each tile's in cycle order.
//
// Memory stays bounded: once the tiles' buffers hold EventSpill::budget
// events together, a buffer that reaches kChunkEvents events writes them to a spill
// file shared by the tiles (one temporary file, appended under a lock), and
// they come back from it when passed on. A trace of a few tiles never
// touches the file.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "models/tile/tile_core.hpp"
#include "traces/perfetto_json.hpp"

namespace ipusim::traces {

struct BufferedEvent {
  uint64_t cycle;
  uint64_t length;                 // thread cycles of an issue, cycles of a stall
  const tile::DecodedWord *first;  // null for a stall
  const tile::DecodedWord *second;
  const char *reason;              // a stall's (static text)
  uint32_t pc;
  uint32_t context;
};

// The temporary file events overflow into (deleted when closed).
class EventSpill {
public:
  EventSpill() = default;
  ~EventSpill();
  // Appends n events; returns where they went. Thread-safe.
  uint64_t write(const BufferedEvent *events, size_t n);
  // Reads n events from `offset` (not concurrently with write).
  void read(uint64_t offset, BufferedEvent *events, size_t n);
  // Forgets everything written (all buffers have been passed on).
  void clear();
  // Events held in memory by all buffers (kept by the buffers), and how many
  // before full chunks go to the file (tests lower it).
  std::atomic<size_t> buffered{0};
  size_t budget = size_t(1) << 20; // 48 MiB of events

private:
  std::mutex mutex_;
  std::FILE *file_ = nullptr;
  uint64_t size_ = 0;
};

class TileEventBuffer final : public tile::IssueObserver {
public:
  static constexpr size_t kChunkEvents = 1024;

  // Events outside `window` are dropped at once (the target would drop them).
  TileEventBuffer(tile::IssueObserver &target, TraceWindow window, EventSpill &spill)
      : target_(target), window_(window), spill_(spill) {}

  void on_issue(uint64_t cycle, unsigned context, uint32_t pc, const tile::DecodedWord &first,
                const tile::DecodedWord *second, uint64_t thread_cycles) override {
    if (window_.contains(cycle)) push({cycle, thread_cycles, &first, second, nullptr, pc, context});
  }
  void on_stall(uint64_t cycle, uint64_t cycles, const char *reason) override {
    if (window_.contains(cycle)) push({cycle, cycles, nullptr, nullptr, reason, 0, 0});
  }

  // Passes the recorded events on to the target in order, those at cycles
  // below `before` only, and forgets them all.
  void flush(uint64_t before = UINT64_MAX);

private:
  void push(const BufferedEvent &e) {
    if (chunks_.empty() || chunks_.back().size() == kChunkEvents) new_chunk();
    chunks_.back().push_back(e);
  }
  // A full chunk goes to the spill file if the buffers hold too much, and a
  // fresh one (reserved once, never grown) takes the next events.
  void new_chunk();
  void spill();
  void replay(const BufferedEvent *events, size_t n, uint64_t before);

  tile::IssueObserver &target_;
  TraceWindow window_;
  EventSpill &spill_;
  std::vector<std::vector<BufferedEvent>> chunks_; // in memory, in order, after the spilled ones
  std::vector<std::pair<uint64_t, size_t>> spilled_; // (offset, events) in the spill file
};

} // namespace ipusim::traces
