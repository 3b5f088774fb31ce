#include "sim/loader/machine_params.hpp"

#include <fmt/format.h>

namespace ipusim::loader {

tile::TileParams tile_params_from(const config::ConfigTree &m) {
  tile::TileParams p;
  p.machine_name = m.get_string("name");
  p.arch_version = static_cast<unsigned>(m.get_uint("arch_version"));
  p.clock_hz = m.get_float("clock_hz");
  p.workers = static_cast<unsigned>(m.get_uint("tile.workers"));
  p.sram.base_address = static_cast<uint32_t>(m.get_uint("tile.sram.base_address"));
  p.sram.size_bytes = static_cast<uint32_t>(m.get_uint("tile.sram.size_bytes"));
  p.sram.element_bytes = static_cast<uint32_t>(m.get_uint("tile.sram.element_bytes"));
  p.sram.interleaved_base = static_cast<uint32_t>(m.get_uint("tile.sram.interleaved_base"));
  p.sram.interleave_bytes = static_cast<uint32_t>(m.get_uint("tile.sram.interleave_bytes"));
  p.sram.latency_cycles = static_cast<uint32_t>(m.get_uint("tile.sram.latency_cycles"));
  p.sram.conflict_penalty_cycles = static_cast<uint32_t>(m.get_uint("tile.sram.conflict_penalty_cycles"));
  p.repeat_count_bits = static_cast<unsigned>(m.get_uint("tile.repeat_count_bits"));
  p.amp_sets = static_cast<unsigned>(m.get_uint("tile.amp_sets"));
  p.branch_taken_extra_cycles = static_cast<unsigned>(m.get_uint("tile.branch_taken_extra_cycles"));
  p.watchdog_cycles = m.get_uint("watchdog_cycles");

  // The schema checks the element layout; the tile model also needs every
  // address to fit the 21-bit triple-packed address fields (tapack).
  uint64_t end = uint64_t(p.sram.base_address) + p.sram.size_bytes;
  if (end > (1u << 21))
    m.fail("tile.sram.size_bytes", fmt::format("SRAM ends at 0x{:x}, beyond the 21-bit tile address space", end));
  const config::ConfigNode &timing = m.node("tile.timing");
  for (size_t c = 0; c < isa::kTimingClassCount; ++c) {
    const char *name = isa::timing_class_name(static_cast<isa::TimingClass>(c));
    const config::ConfigNode *n = timing.find(name);
    if (!n) timing.fail(fmt::format("tile.timing has no entry for instruction class '{}'", name));
    p.issue_cycles[c] = static_cast<uint32_t>(n->get_uint("issue_cycles"));
  }
  return p;
}

} // namespace ipusim::loader
