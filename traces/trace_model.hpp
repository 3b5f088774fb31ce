// What an instruction trace records, whatever it is written as: the event
// model shared by the Perfetto JSON trace (traces/json_trace.cpp), the
// compact binary trace (traces/trace_format.hpp) and the inspector
// (traces/trace_inspect.cpp).
//
// A trace is a header (the machine, the tiles, the window), then events:
// issues (one per instruction or bundle a context issues), pipeline stalls,
// and in chip runs the BSP phases of every tile and the host link's
// transfers, then the totals. Producers call a TraceSink in that order; the
// simulator's trace output (traces/trace_output.hpp) and the compact file's
// reader (traces/trace_reader.hpp) are producers, the JSON writer, the
// compact writer and the inspector's listing and summary are sinks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "traces/perfetto_json.hpp"

namespace ipusim::traces {

// Contexts of a tile: 0 is the supervisor, 1.. the workers (context 1 is
// worker 0). At most this many per tile in a trace.
constexpr unsigned kMaxContexts = 7;

// Everything a trace knows besides its events.
struct TraceHeader {
  std::string machine;       // the machine's name (e.g. "gc200")
  unsigned tiles = 1;        // tiles 0 .. tiles-1
  unsigned workers = 6;      // worker contexts per tile = barrel slots
  double clock_hz = 0;       // the tile clock
  TraceWindow window;        // cycles traced
  uint64_t max_events = 0;   // timed events kept at most
};

// One instruction or bundle at a pc, as the trace defines it: the opcodes
// (isa::Op values) and encodings of its one or two instructions. `id` numbers
// the distinct codes of a trace (0, 1, ...) so that sinks can cache what they
// derive from one (its text) in a vector.
struct Code {
  uint32_t id = 0;
  uint32_t pc = 0;
  unsigned count = 1; // 1, or 2 for a bundle
  uint16_t op[2] = {0, 0};
  uint32_t word[2] = {0, 0};
};

struct IssueEvent {
  unsigned tile;
  unsigned context;       // 0 supervisor, 1.. workers
  uint64_t cycle;         // the tile cycle it issued in
  uint64_t thread_cycles; // until the context issues again (x workers tile cycles)
  const Code *code;       // what it issued (its pc is code->pc)
};

// The pipeline stalled for `cycles` cycles from `cycle` on.
struct StallEvent {
  unsigned tile;
  uint64_t cycle;
  uint64_t cycles;
  unsigned reason; // index into stall_reasons()
};

// The reasons a pipeline stalls, in the order the compact format numbers them.
constexpr std::string_view kStallReasons[] = {"memory conflict", "stall"};
constexpr unsigned kStallReasonCount = sizeof kStallReasons / sizeof kStallReasons[0];
// The index of a reason text (the tile model's static strings); unknown texts
// map to the generic "stall".
unsigned stall_reason_index(const char *reason);

// BSP phases of a tile (chip runs), each a slice on the tile's BSP track.
enum class BspKind : uint8_t {
  compute = 0,       // from the previous release to the tile's arrival at the sync
  sync = 1,          // waiting for the other tiles and the sync's latency
  host_sync = 2,     // the same, for a sync with the host
  host_exchange = 3, // the host link's transfer after a sync with the host
};
constexpr unsigned kBspKindCount = 4;

struct BspPhase {
  unsigned tile;
  BspKind kind;
  uint64_t start;
  uint64_t cycles;
  uint64_t superstep;
  uint64_t release;        // the superstep's release cycle
  std::string_view label;  // host_exchange: the host exchange's label
};

// One transfer over the host link (after a sync with the host).
struct HostTransfer {
  uint64_t start;
  uint64_t cycles;
  std::string_view label; // what was streamed
  uint64_t to_device_bytes;
  uint64_t from_device_bytes;
};

struct TraceTotals {
  uint64_t events_written = 0; // timed events in the trace
  uint64_t events_dropped = 0; // in the window but over max_events
};

class TraceSink {
public:
  virtual ~TraceSink() = default;
  virtual void begin(const TraceHeader &header) = 0;
  virtual void issue(const IssueEvent &e) = 0;
  virtual void stall(const StallEvent &e) = 0;
  // Before the first BSP phase: the tiles' BSP tracks (and the host link's,
  // when `host_link`) are about to be used.
  virtual void bsp_tracks(bool host_link) = 0;
  virtual void bsp_phase(const BspPhase &p) = 0;
  virtual void host_transfer(const HostTransfer &t) = 0;
  // The last call: the totals. Sinks that write files close them here and
  // throw InputError when writing failed.
  virtual void end(const TraceTotals &totals) = 0;
};

// The timed events admitted into a trace: those in its window, up to
// max_events of them. Producers count through one, so both formats hold the
// same events.
class EventBudget {
public:
  EventBudget(TraceWindow window, uint64_t max_events) : window_(window), max_(max_events) {}
  // A span [start, start + cycles) that overlaps the window.
  bool admit_span(uint64_t start, uint64_t cycles) { return window_.overlaps(start, cycles) && take(1); }
  uint64_t room() const { return max_ - written_; }
  // n events in the window: kept if all fit, else counted as dropped.
  bool take(uint64_t n) {
    if (written_ + n > max_ || written_ + n < written_) {
      dropped_ += n;
      return false;
    }
    written_ += n;
    return true;
  }
  void drop(uint64_t n) { dropped_ += n; }
  TraceTotals totals() const { return {written_, dropped_}; }

private:
  TraceWindow window_;
  uint64_t max_;
  uint64_t written_ = 0;
  uint64_t dropped_ = 0;
};

} // namespace ipusim::traces
