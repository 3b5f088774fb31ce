// One tile's SRAM: a flat byte array plus the memory-element map used to find
// access conflicts. Region 0 (base .. interleaved_base) is a run of elements
// laid one after another; the interleaved region is made of element pairs that
// alternate every interleave_bytes, so a 128-bit access touches both elements of
// a pair (ipu-reference.md section 2, "Memory").
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "models/tile/tile_params.hpp"

namespace ipusim::tile {

class Sram {
public:
  explicit Sram(const SramParams &p);

  uint32_t base() const { return p_.base_address; }
  uint32_t end() const { return p_.base_address + p_.size_bytes; }
  const SramParams &params() const { return p_; }
  bool contains(uint32_t addr, uint32_t size) const {
    return addr >= p_.base_address && size <= p_.size_bytes &&
           addr - p_.base_address <= p_.size_bytes - size;
  }
  // contains(addr, 8), in one compare.
  bool contains8(uint32_t addr) const { return addr - p_.base_address <= p_.size_bytes - 8; }
  bool in_interleaved(uint32_t addr) const { return addr >= p_.interleaved_base && addr < end(); }

  // Memory element of a byte address (0 .. element_count()-1).
  unsigned element_of(uint32_t addr) const {
    if (!pow2_) return element_of_div(addr);
    if (!in_interleaved(addr)) return (addr - p_.base_address) >> element_shift_;
    uint32_t off = addr - p_.interleaved_base;
    return region0_elements_ + 2 * (off >> (element_shift_ + 1)) + ((off >> interleave_shift_) & 1u);
  }
  unsigned element_count() const { return element_count_; }
  // Aligned accesses of up to this many bytes touch one element (0: no such promise).
  uint32_t one_element_bytes() const { return one_element_bytes_; }

  // Raw access; the caller has checked range and alignment.
  uint8_t *ptr(uint32_t addr) { return bytes_.data() + (addr - p_.base_address); }
  const uint8_t *ptr(uint32_t addr) const { return bytes_.data() + (addr - p_.base_address); }
  template <typename T> T read(uint32_t addr) const {
    T v;
    std::memcpy(&v, ptr(addr), sizeof(T));
    return v;
  }
  template <typename T> void write(uint32_t addr, T v) { std::memcpy(ptr(addr), &v, sizeof(T)); }

private:
  unsigned element_of_div(uint32_t addr) const;

  SramParams p_;
  // Element and interleave sizes that are powers of two (every preset's)
  // map addresses to elements with shifts.
  bool pow2_ = false;
  unsigned element_shift_ = 0, interleave_shift_ = 0;
  uint32_t one_element_bytes_ = 0;
  unsigned region0_elements_;
  unsigned element_count_;
  std::vector<uint8_t> bytes_;
};

} // namespace ipusim::tile
