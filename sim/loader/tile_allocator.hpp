// The memory allocator of one tile: blocks of code, runtime areas and
// tensors placed in the SRAM first-fit over the free gaps, honouring
// alignment and the memory region (the interleaved region, which ld128
// needs, or the rest). It knows what it placed, so it can say exactly why
// something does not fit and report the tile's memory by kind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/tile/tile_params.hpp"

namespace ipusim::loader {

enum class MemoryRegion { any, interleaved, non_interleaved };
MemoryRegion memory_region_named(const std::string &name); // any, interleaved, non_interleaved

struct MemoryBlock {
  std::string name;
  std::string kind; // code, data, stub, vertex, scratch, stack, tensor, ...
  uint32_t address = 0;
  uint32_t bytes = 0;
};

class TileAllocator {
public:
  TileAllocator(const tile::SramParams &sram, unsigned tile_id);

  // Places a block at a fixed address (e.g. linked code). Returns false if it
  // overlaps another block or leaves the SRAM.
  bool reserve(const std::string &name, const std::string &kind, uint32_t address, uint32_t bytes);
  // First fit; region any tries the non-interleaved part first. Returns false
  // when nothing fits (then shortfall() says why).
  bool allocate(const std::string &name, const std::string &kind, uint64_t bytes, uint32_t align,
                MemoryRegion region, uint32_t &address);
  // "N bytes free in the R region (largest gap G): short by S bytes".
  std::string shortfall(uint64_t bytes, uint32_t align, MemoryRegion region) const;

  const std::vector<MemoryBlock> &blocks() const { return blocks_; } // by address
  uint64_t used_bytes() const;
  unsigned tile_id() const { return tile_; }
  // Every block with the gaps between them, totals by kind, used and free.
  std::string report() const;

private:
  struct Gap {
    uint32_t begin, end;
  };
  std::vector<Gap> gaps(MemoryRegion region) const;
  uint32_t region_begin(MemoryRegion r) const;
  uint32_t region_end(MemoryRegion r) const;

  tile::SramParams sram_;
  unsigned tile_;
  std::vector<MemoryBlock> blocks_;
};

} // namespace ipusim::loader
