// The per-tile allocator: first fit over gaps, regions, alignment, and why
// something does not fit.
#include <doctest/doctest.h>

#include "sim/loader/tile_allocator.hpp"

using namespace ipusim;
using loader::MemoryRegion;

namespace {
// A small SRAM: 0x1000 bytes at 0x40000, interleaved from 0x40800.
tile::SramParams small_sram() {
  tile::SramParams p;
  p.base_address = 0x40000;
  p.size_bytes = 0x1000;
  p.element_bytes = 0x400;
  p.interleaved_base = 0x40800;
  return p;
}
} // namespace

TEST_CASE("allocation is first fit over the gaps, honouring alignment") {
  loader::TileAllocator a(small_sram(), 3);
  REQUIRE(a.reserve("code", "code", 0x40000, 0x104));
  uint32_t x = 0, y = 0, z = 0;
  REQUIRE(a.allocate("x", "tensor", 16, 16, MemoryRegion::any, x));
  CHECK(x == 0x40110); // after the code, at 16-byte alignment (a 12-byte gap stays)
  REQUIRE(a.allocate("y", "tensor", 8, 4, MemoryRegion::any, y));
  CHECK(y == 0x40104); // first fit: the alignment gap left before x
  REQUIRE(a.allocate("z", "tensor", 8, 8, MemoryRegion::interleaved, z));
  CHECK(z == 0x40800);
  CHECK(a.used_bytes() == 0x104u + 16 + 8 + 8);
  CHECK_FALSE(a.reserve("overlap", "code", 0x40108, 4));
  CHECK_FALSE(a.reserve("outside", "code", 0x40ffc, 8));
}

TEST_CASE("region any fills the non-interleaved part first; a full region names the shortfall") {
  loader::TileAllocator a(small_sram(), 5);
  uint32_t addr = 0;
  REQUIRE(a.allocate("big", "tensor", 0x700, 8, MemoryRegion::any, addr));
  CHECK(addr == 0x40000);
  REQUIRE(a.allocate("next", "tensor", 0x200, 8, MemoryRegion::any, addr));
  CHECK(addr == 0x40800); // 0x100 left below the interleaved region is too small
  CHECK_FALSE(a.allocate("nope", "tensor", 0x200, 8, MemoryRegion::non_interleaved, addr));
  CHECK(a.shortfall(0x200, 8, MemoryRegion::non_interleaved) ==
        "256 bytes free in tile 5's non-interleaved memory (largest gap 256 at 8-byte alignment): short by 256 bytes");
  std::string report = a.report();
  CHECK(report.find("tile 5 SRAM 0x40000..0x41000 (4096 bytes), interleaved from 0x40800") == 0);
  CHECK(report.find("used 2304 bytes, free 1792 bytes; tensor 2304") != std::string::npos);
}
