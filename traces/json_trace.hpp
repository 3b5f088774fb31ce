// The Perfetto/Chrome JSON form of a trace (trace.json): one process per
// tile, one track per context (supervisor, worker 0..5), one for pipeline
// stalls and, in chip runs, one for the BSP phases; a "host link" process for
// host exchanges. Each issue is a slice lasting the context's issue interval
// (thread cycles x barrel slots tile cycles), named by its mnemonic(s), with
// the pc and the disassembly. Written by the simulator for
// outputs.trace.format: json and by `ipusim trace FILE --json OUT` from a
// compact trace: the same events give the same bytes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "traces/perfetto_json.hpp"
#include "traces/trace_format.hpp"

namespace ipusim::traces {

// Track ids within a tile's process.
constexpr int kSupervisorTrack = 0; // workers are 1..6
constexpr int kStallTrack = 7;
constexpr int kBspTrack = 8;

class JsonTraceSink final : public TraceSink {
public:
  // Creates `path` on begin(); `namer` names and disassembles the codes.
  JsonTraceSink(std::string path, format::CodeNamer namer);

  void begin(const TraceHeader &h) override;
  void issue(const IssueEvent &e) override;
  void stall(const StallEvent &e) override;
  void bsp_tracks(bool host_link) override;
  void bsp_phase(const BspPhase &p) override;
  void host_transfer(const HostTransfer &t) override;
  // Records the events dropped (totals.events_dropped) and finishes the file.
  void end(const TraceTotals &totals) override;

  const PerfettoJsonWriter *writer() const { return writer_.get(); }

private:
  struct Text { // JSON-ready: quoted and escaped, and the pc as the trace writes it
    std::string name; // mnemonic(s)
    std::string text; // disassembly
    std::string pc;
    bool ready = false;
  };
  // Disassembly and its JSON form are the costly part: done once per code
  // and context kind.
  const Text &text_of(const Code &c, bool supervisor);

  std::string path_;
  format::CodeNamer namer_;
  std::unique_ptr<PerfettoJsonWriter> writer_;
  std::vector<Text> texts_; // by code id x 2 + supervisor
  unsigned tiles_ = 0;
  unsigned slots_ = 1;
};

} // namespace ipusim::traces
