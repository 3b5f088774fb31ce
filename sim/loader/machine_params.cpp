#include "sim/loader/machine_params.hpp"

#include <fmt/format.h>

namespace ipusim::loader {

tile::TileParams tile_params_from(const config::ConfigTree &m) {
  tile::TileParams p;
  p.machine_name = m.get_string("name");
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
  p.branch_taken_extra_cycles = static_cast<unsigned>(m.get_uint("tile.branch_taken_extra_cycles"));
  p.watchdog_cycles = m.get_uint("watchdog_cycles");

  uint64_t end = uint64_t(p.sram.base_address) + p.sram.size_bytes;
  if (end > (1u << 21))
    m.fail("tile.sram.size_bytes", fmt::format("SRAM ends at 0x{:x}, beyond the 21-bit tile address space", end));
  if (p.sram.element_bytes == 0 || p.sram.size_bytes % p.sram.element_bytes != 0)
    m.fail("tile.sram.element_bytes", "the SRAM size must be a whole number of memory elements");
  if (p.sram.interleaved_base < p.sram.base_address || p.sram.interleaved_base > end)
    m.fail("tile.sram.interleaved_base",
           fmt::format("interleaved region start 0x{:x} is outside the SRAM [0x{:x}, 0x{:x}]",
                       p.sram.interleaved_base, p.sram.base_address, end));
  if ((end - p.sram.interleaved_base) % (2 * p.sram.element_bytes) != 0)
    m.fail("tile.sram.interleaved_base", "the interleaved region must be a whole number of element pairs");
  if (p.sram.interleave_bytes == 0 || p.sram.element_bytes % p.sram.interleave_bytes != 0)
    m.fail("tile.sram.interleave_bytes", "the interleave granule must divide the element size");

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
