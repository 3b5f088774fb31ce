// `ipusim trace FILE`: reads a compact instruction trace and prints it as a
// listing (one line per issue, stall and BSP phase), a summary, or converts
// it to the Perfetto JSON that outputs.trace.format: json writes.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace ipusim::traces {

struct InspectOptions {
  std::string file;
  std::vector<std::pair<unsigned, unsigned>> tiles; // inclusive ranges; empty: every tile
  unsigned contexts = 0;                            // bit c: context c; 0: every context
  uint64_t from = 0, to = UINT64_MAX;               // cycles [from, to)
  bool summary = false;
  unsigned top = 10; // instructions in the summary
  std::string json_out;
};

// Parses "3", "0-15", "0,2,5-7" into ranges; "supervisor"/"sup", "worker3"/"w3"
// or a context number (0 supervisor, 1.. workers) into context bits. Throw
// UsageError.
std::vector<std::pair<unsigned, unsigned>> parse_tile_list(const std::string &text);
unsigned parse_context_list(const std::string &text);

// Runs the inspector; returns the exit code. Throws InputError for an
// unreadable or corrupt trace (after printing what came before the problem).
int inspect_trace(const InspectOptions &options, std::ostream &out);

} // namespace ipusim::traces
