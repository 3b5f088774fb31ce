// Everything the tile model needs from the machine config, resolved once into
// plain values (the hot path never looks at the config tree).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "sim/isa/isa.hpp"

namespace ipusim::tile {

struct SramParams {
  uint32_t base_address = 0x40000;
  uint32_t size_bytes = 256 * 1024;
  uint32_t element_bytes = 16 * 1024;
  uint32_t interleaved_base = 0x60000; // first address of the interleaved region
  uint32_t interleave_bytes = 8;       // granule alternating between the two elements of a pair
  uint32_t latency_cycles = 6;
  uint32_t conflict_penalty_cycles = 1;
};

struct TileParams {
  std::string machine_name = "gc2";
  // __IPU_ARCH_VERSION__ of the machine (1 Mk1, 2 Mk2, 21 C600): instructions
  // and CSRs of a later architecture fault on an earlier one.
  unsigned arch_version = 1;
  unsigned workers = 6;
  double clock_hz = 1.6e9;
  SramParams sram;
  unsigned repeat_count_bits = 12;
  unsigned amp_sets = 1; // AMP sets: 1 (Mk1) or 2 (Mk2, Bow, C600)
  unsigned branch_taken_extra_cycles = 0; // thread cycles
  // Thread cycles per issue, indexed by isa::TimingClass.
  std::array<uint32_t, isa::kTimingClassCount> issue_cycles{};
  uint64_t watchdog_cycles = 1000000;
  uint64_t max_cycles = 100000000;
  unsigned tile_id = 0;
  // Set by the chip model: `sync 3` (internal zone) then waits for the chip's
  // sync controller instead of completing at once as on a lone tile.
  bool chip_internal_sync = false;
  // A lone tile's `sync 3` completes this many cycles after the tile arrives
  // (its sync issued, its workers done), as a chip's sync controller would.
  uint64_t internal_sync_latency_cycles = 90;
  // Exchange bandwidth out of (and into) one tile, bytes per cycle.
  unsigned exchange_bytes_per_cycle = 4;

  TileParams() { issue_cycles.fill(1); }
};

} // namespace ipusim::tile
