// A streaming writer of Chrome/Perfetto JSON traces (the "JSON Object Format"
// of the Trace Event Format), which ui.perfetto.dev and chrome://tracing open.
//
// Time axis: the JSON format counts "ts" and "dur" in microseconds, and we
// write simulated cycle numbers there unchanged, so on screen 1 us = 1 cycle
// (1 ms = 1,000 cycles). We do not set "displayTimeUnit": "ns" would only make
// the viewers print every cycle as "1,000 ns". The file's "otherData" says so.
// "otherData" (a key Perfetto's importer knows; unknown top-level keys make
// it skip the rest of the file) follows the event array, so it can also hold
// the event totals and whether the trace was truncated.
//
// Memory is bounded whatever the run length: events are formatted straight
// into a fixed-size buffer that is written to the file whenever it fills, and
// nothing is allocated per event. The file is valid JSON only after finish()
// (the destructor calls it). A file cut short by a crash lacks its closing
// "]}": Perfetto's streaming importer still reads the events before the cut,
// strict JSON parsers do not.
//
// The output is a pure function of the calls made: no host time, no pointers,
// fixed number formatting, so two identical runs give identical bytes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace ipusim {

// The half-open cycle range [begin, end) a trace records.
struct TraceWindow {
  uint64_t begin = 0;
  uint64_t end = UINT64_MAX;

  bool contains(uint64_t cycle) const { return cycle >= begin && cycle < end; }
  // Whether the span [start, start + duration) shares a cycle with the window;
  // a zero-length span is treated as the single cycle `start`.
  bool overlaps(uint64_t start, uint64_t duration) const {
    if (duration == 0)
      return contains(start);
    uint64_t last = start + duration - 1;
    if (last < start)
      last = UINT64_MAX; // saturate instead of wrapping
    return start < end && last >= begin;
  }
};

class PerfettoJsonWriter {
public:
  // Opens (truncates) `path`. Throws InputError when the file cannot be
  // created. At most `max_events` timed events (complete, instant, counter)
  // are written; metadata events (names, sort order) are never limited.
  // `buffer_bytes` is the size of the write buffer (at least 4 KiB is used).
  PerfettoJsonWriter(const std::string &path, TraceWindow window, uint64_t max_events,
                     std::size_t buffer_bytes = std::size_t(1) << 20);
  ~PerfettoJsonWriter(); // finishes the file; errors are swallowed here, call finish() to see them
  PerfettoJsonWriter(const PerfettoJsonWriter &) = delete;
  PerfettoJsonWriter &operator=(const PerfettoJsonWriter &) = delete;

  // Metadata events ("ph":"M"): name a process (an IPU or tile) or a thread (a
  // track, e.g. one hardware context), and order the tracks of a process.
  void process_name(int pid, std::string_view name);
  void thread_name(int pid, int tid, std::string_view name);
  void thread_sort_index(int pid, int tid, int index);

  // A complete event ("ph":"X") for one instruction: `name` is the mnemonic,
  // args carry the pc (as "0x" hex text) and the disassembly. Kept when the
  // span [ts, ts + dur) overlaps the window; it is not clipped to it.
  void complete(int pid, int tid, std::string_view name, uint64_t ts, uint64_t dur, uint32_t pc,
                std::string_view text);
  // The same with the name, the "0x..." pc text and the disassembly already
  // in JSON form (json_string(), pc_text()): an instruction trace formats
  // each PC's strings once, not once per issue. Same bytes as complete().
  void complete_preformatted(int pid, int tid, std::string_view name_json, uint64_t ts, uint64_t dur,
                             std::string_view pc_text, std::string_view text_json);
  // A quoted, escaped JSON string, as complete() writes names and texts.
  static std::string json_string(std::string_view s);
  // A pc as complete() writes it (without quotes).
  static std::string pc_text(uint32_t pc);

  // A thread-scoped instant event ("ph":"i"); `detail` goes in args.detail
  // (left out when empty). Kept when ts is inside the window.
  void instant(int pid, int tid, std::string_view name, uint64_t ts, std::string_view detail);
  // A counter sample ("ph":"C", args.value). Kept when ts is inside the
  // window. NaN and infinities are not valid JSON and are dropped.
  void counter(int pid, std::string_view name, uint64_t ts, double value);

  // Timed events written so far (metadata events are not counted).
  uint64_t events_written() const { return events_written_; }
  // Whether events inside the window were dropped because max_events was reached.
  bool truncated() const { return truncated_; }
  // Events inside the window dropped because of max_events.
  uint64_t events_dropped() const { return events_dropped_; }
  // Counts n events in the window that were dropped before they reached
  // this writer (a producer that applies max_events itself).
  void note_dropped(uint64_t n) {
    events_dropped_ += n;
    if (n) truncated_ = true;
  }

  // Closes the event array, records the totals in "otherData", flushes and
  // closes the file. Throws InputError when writing failed (e.g. disk full).
  // Later calls, and events sent after it, do nothing.
  void finish();

private:
  bool admit(); // counts a timed event in the window against max_events
  void begin_event(char phase);
  void put(char c);
  void put(std::string_view s);
  void put_uint(uint64_t v);
  void put_int(int64_t v);
  void put_string(std::string_view s); // a quoted, escaped JSON string
  void end_event();
  void flush();

  std::string path_;
  std::FILE *file_ = nullptr;
  TraceWindow window_;
  uint64_t max_events_;
  uint64_t events_written_ = 0;
  uint64_t events_dropped_ = 0;
  bool truncated_ = false;
  bool first_event_ = true;
  bool write_failed_ = false;
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;
};

} // namespace ipusim
