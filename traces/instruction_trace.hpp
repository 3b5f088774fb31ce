// Turns the tile's issue stream into a Perfetto/Chrome JSON trace: one process
// per tile, one track per context (supervisor, worker 0..5) and one for
// pipeline stalls; each issue is a slice lasting the context's issue interval
// (one thread cycle = barrel-slots tile cycles), with its PC and disassembly.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "models/tile/tile_core.hpp"
#include "traces/perfetto_json.hpp"

namespace ipusim::traces {

// Track ids within a tile's process.
constexpr int kSupervisorTrack = 0; // workers are 1..6
constexpr int kStallTrack = 7;
constexpr int kBspTrack = 8;

class InstructionTrace : public tile::IssueObserver {
public:
  // Writes into `writer` (shared by all tiles of a chip); names the tile's tracks.
  InstructionTrace(PerfettoJsonWriter &writer, TraceWindow window, unsigned tile_id, unsigned workers);
  void on_issue(uint64_t cycle, unsigned context, uint32_t pc, const tile::DecodedWord &first,
                const tile::DecodedWord *second, uint64_t thread_cycles) override;
  void on_stall(uint64_t cycle, uint64_t cycles, const char *reason) override;

private:
  struct Text { // JSON-ready: quoted and escaped, and the pc as the trace writes it
    std::string name; // mnemonic(s)
    std::string text; // disassembly
    std::string pc;
  };
  // Disassembly and its JSON form are the costly part of tracing: done once
  // per PC and context kind.
  const Text &text_of(uint32_t pc, bool supervisor, const tile::DecodedWord &first, const tile::DecodedWord *second);

  PerfettoJsonWriter &writer_;
  TraceWindow window_;
  std::unordered_map<uint64_t, Text> cache_;
  int pid_;
  unsigned slots_;
};

} // namespace ipusim::traces
