#include "models/tile/sram.hpp"

#include <algorithm>

namespace ipusim::tile {

Sram::Sram(const SramParams &p) : p_(p), bytes_(p.size_bytes, 0) {
  uint32_t region0_bytes = p.interleaved_base > p.base_address ? p.interleaved_base - p.base_address : 0;
  if (region0_bytes > p.size_bytes) region0_bytes = p.size_bytes;
  region0_elements_ = (region0_bytes + p.element_bytes - 1) / p.element_bytes;
  uint32_t interleaved_bytes = p.size_bytes - region0_bytes;
  element_count_ = region0_elements_ + (interleaved_bytes + p.element_bytes - 1) / p.element_bytes;
  auto log2_of = [](uint32_t v, unsigned &shift) {
    if (v == 0 || (v & (v - 1))) return false;
    shift = 0;
    while ((1u << shift) != v) ++shift;
    return true;
  };
  pow2_ = log2_of(p.element_bytes, element_shift_) && log2_of(p.interleave_bytes, interleave_shift_);
  // Element boundaries fall on multiples of both sizes (and the region
  // boundary): an aligned power-of-two access no larger than both stays in
  // one element when the region boundaries are aligned to it too.
  if (pow2_) {
    uint32_t span = std::min(p.element_bytes, p.interleave_bytes);
    while (span > 1 && ((p.base_address % span) || (p.interleaved_base % span))) span /= 2;
    one_element_bytes_ = span;
  }
}

unsigned Sram::element_of_div(uint32_t addr) const {
  if (!in_interleaved(addr)) return (addr - p_.base_address) / p_.element_bytes;
  uint32_t off = addr - p_.interleaved_base;
  unsigned pair = off / (2 * p_.element_bytes);
  unsigned side = (off / p_.interleave_bytes) & 1u;
  return region0_elements_ + 2 * pair + side;
}

} // namespace ipusim::tile
