#include "sim/loader/tile_allocator.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>

namespace ipusim::loader {

MemoryRegion memory_region_named(const std::string &name) {
  if (name == "interleaved") return MemoryRegion::interleaved;
  if (name == "non_interleaved") return MemoryRegion::non_interleaved;
  return MemoryRegion::any;
}

namespace {
const char *region_text(MemoryRegion r) {
  switch (r) {
  case MemoryRegion::interleaved: return "interleaved";
  case MemoryRegion::non_interleaved: return "non-interleaved";
  default: return "free";
  }
}
uint64_t align_up(uint64_t v, uint64_t a) { return a <= 1 ? v : (v + a - 1) / a * a; }
} // namespace

TileAllocator::TileAllocator(const tile::SramParams &sram, unsigned tile_id) : sram_(sram), tile_(tile_id) {}

uint32_t TileAllocator::region_begin(MemoryRegion r) const {
  return r == MemoryRegion::interleaved ? sram_.interleaved_base : sram_.base_address;
}

uint32_t TileAllocator::region_end(MemoryRegion r) const {
  return r == MemoryRegion::non_interleaved ? sram_.interleaved_base : sram_.base_address + sram_.size_bytes;
}

std::vector<TileAllocator::Gap> TileAllocator::gaps(MemoryRegion region) const {
  std::vector<Gap> out;
  uint32_t lo = region_begin(region), hi = region_end(region);
  uint32_t cursor = lo;
  for (const MemoryBlock &b : blocks_) {
    uint32_t b_end = b.address + b.bytes;
    if (b_end <= cursor) continue;
    if (b.address >= hi) break;
    if (b.address > cursor) out.push_back({cursor, std::min(b.address, hi)});
    cursor = std::max(cursor, b_end);
  }
  if (cursor < hi) out.push_back({cursor, hi});
  return out;
}

bool TileAllocator::reserve(const std::string &name, const std::string &kind, uint32_t address, uint32_t bytes) {
  uint64_t end = uint64_t(address) + bytes;
  if (address < sram_.base_address || end > uint64_t(sram_.base_address) + sram_.size_bytes) return false;
  for (const MemoryBlock &b : blocks_)
    if (address < b.address + b.bytes && b.address < end && bytes && b.bytes) return false;
  MemoryBlock blk{name, kind, address, bytes};
  blocks_.insert(std::upper_bound(blocks_.begin(), blocks_.end(), blk,
                                  [](const MemoryBlock &a, const MemoryBlock &b) { return a.address < b.address; }),
                 blk);
  return true;
}

bool TileAllocator::allocate(const std::string &name, const std::string &kind, uint64_t bytes, uint32_t align,
                             MemoryRegion region, uint32_t &address) {
  std::vector<MemoryRegion> order = region == MemoryRegion::any
                                        ? std::vector<MemoryRegion>{MemoryRegion::non_interleaved,
                                                                    MemoryRegion::interleaved}
                                        : std::vector<MemoryRegion>{region};
  for (MemoryRegion r : order)
    for (const Gap &g : gaps(r)) {
      uint64_t a = align_up(g.begin, std::max<uint32_t>(align, 1));
      if (a + bytes <= g.end) {
        address = static_cast<uint32_t>(a);
        return reserve(name, kind, address, static_cast<uint32_t>(bytes));
      }
    }
  return false;
}

std::string TileAllocator::shortfall(uint64_t bytes, uint32_t align, MemoryRegion region) const {
  uint64_t free = 0, largest = 0;
  std::vector<MemoryRegion> regions = region == MemoryRegion::any
                                          ? std::vector<MemoryRegion>{MemoryRegion::non_interleaved,
                                                                      MemoryRegion::interleaved}
                                          : std::vector<MemoryRegion>{region};
  for (MemoryRegion r : regions)
    for (const Gap &g : gaps(r)) {
      uint64_t usable = g.end - std::min<uint64_t>(g.end, align_up(g.begin, std::max<uint32_t>(align, 1)));
      free += g.end - g.begin;
      largest = std::max(largest, usable);
    }
  return fmt::format("{} bytes free in tile {}'s {} memory (largest gap {} at {}-byte alignment): short by {} bytes",
                     free, tile_, region_text(region), largest, align, bytes > largest ? bytes - largest : 0);
}

uint64_t TileAllocator::used_bytes() const {
  uint64_t u = 0;
  for (const MemoryBlock &b : blocks_) u += b.bytes;
  return u;
}

std::string TileAllocator::report() const {
  std::string s = fmt::format("tile {} SRAM 0x{:05x}..0x{:05x} ({} bytes), interleaved from 0x{:05x}\n", tile_,
                              sram_.base_address, sram_.base_address + sram_.size_bytes, sram_.size_bytes,
                              sram_.interleaved_base);
  s += fmt::format("{:<10} {:>8} {:>8}  {:<8} {}\n", "address", "bytes", "gap", "kind", "name");
  uint32_t cursor = sram_.base_address;
  std::map<std::string, uint64_t> by_kind;
  for (const MemoryBlock &b : blocks_) {
    s += fmt::format("0x{:05x}    {:>8} {:>8}  {:<8} {}\n", b.address, b.bytes,
                     b.address >= cursor ? b.address - cursor : 0, b.kind, b.name);
    by_kind[b.kind] += b.bytes;
    cursor = std::max(cursor, b.address + b.bytes);
  }
  uint64_t used = used_bytes();
  s += fmt::format("used {} bytes, free {} bytes", used, sram_.size_bytes - used);
  for (const auto &[kind, bytes] : by_kind) s += fmt::format("; {} {}", kind, bytes);
  return s + "\n";
}

} // namespace ipusim::loader
