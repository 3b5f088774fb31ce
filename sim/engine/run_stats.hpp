// The statistics of a single-tile run: what `stats.json` and `summary.txt` hold.
// Host-dependent values live under "host." so runs can be compared without them.
#pragma once

#include <string>

#include "models/chip/chip_core.hpp"
#include "models/tile/tile_core.hpp"
#include "traces/stats.hpp"

namespace ipusim::engine {

// trace_events: the events the trace holds (null without a trace).
// Per-tile statistics ("tile<id>.…"); per_context adds one set per context.
void add_tile_stats(Stats &s, const tile::TileCore &core, bool per_context);
Stats collect_chip_stats(const chip::ChipCore &chip, double host_seconds, const uint64_t *trace_events);
Stats collect_run_stats(const tile::TileCore &core, double host_seconds, const uint64_t *trace_events);
// The summary: every statistic for a single tile or a small chip; for more
// than 16 tiles the per-tile lines are left to stats.json.
std::string run_summary(const Stats &stats, const tile::TileCore &core, const std::string &run_name,
                        const std::string &machine, unsigned tiles);

} // namespace ipusim::engine
