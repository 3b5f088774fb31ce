// Loaded code: decoded once and shared between tiles, disjoint segments, code
// loaded over code replaces it, and the words between code sections stay data.
#include <doctest/doctest.h>

#include "models/tile/tile_core.hpp"
#include "sim/isa/encoding.hpp"
#include "tile_harness.hpp"

using namespace ipusim;

namespace {
uint32_t setzi_word(unsigned reg, uint32_t value) {
  isa::Instruction i;
  i.op = isa::Op::SETZI_M;
  i.v[0] = static_cast<int32_t>(reg);
  i.v[1] = static_cast<int32_t>(value);
  return isa::encode(i, false);
}
uint32_t nop_word() { return setzi_word(15, 0); } // what the assembler's nop is does not matter here
} // namespace

TEST_CASE("tiles loading the same decoded code share it") {
  tile::TileParams p = test::default_params();
  tile::TileCore a(p), b(p);
  auto seg = std::make_shared<const tile::CodeSegment>(0x40000, std::vector<uint32_t>{nop_word(), setzi_word(1, 7)});
  a.load_code(seg);
  b.load_code(seg);
  REQUIRE(a.decoded(0x40004) != nullptr);
  CHECK(a.decoded(0x40004) == b.decoded(0x40004)); // one copy
  CHECK(a.decoded(0x40004)->insn.op == isa::Op::SETZI_M);
  CHECK(a.sram().read<uint32_t>(0x40004) == setzi_word(1, 7)); // the words are in each tile's memory
  CHECK(b.sram().read<uint32_t>(0x40000) == nop_word());
  CHECK(a.is_code(0x40000));
  CHECK(a.is_code(0x40007));
  CHECK_FALSE(a.is_code(0x40008));
  CHECK_FALSE(a.is_code(0x3fffc));
}

TEST_CASE("code loaded over code replaces it; the gaps between sections stay data") {
  tile::TileParams p = test::default_params();
  tile::TileCore t(p);
  t.load_code(0x40000, {nop_word(), nop_word()});
  t.load_code(0x40010, {nop_word()});
  t.sram().write<uint32_t>(0x40008, nop_word()); // data that happens to look like code
  CHECK_FALSE(t.is_code(0x40008));
  CHECK(t.decoded(0x40008) == nullptr);
  // Over the end of the first section and the gap: the new words win, the
  // rest of the old section stays, the gap beyond the new words stays data.
  t.load_code(0x40004, {setzi_word(2, 5), setzi_word(3, 6)});
  REQUIRE(t.decoded(0x40000) != nullptr);
  CHECK(t.decoded(0x40000)->insn.v[0] == 15);
  CHECK(t.decoded(0x40004)->insn.v[0] == 2);
  CHECK(t.decoded(0x40008)->insn.v[0] == 3);
  CHECK_FALSE(t.is_code(0x4000c));
  CHECK(t.decoded(0x4000c) == nullptr);
  CHECK(t.decoded(0x40010) != nullptr);
  CHECK(t.decoded(0x40002) == nullptr); // not word-aligned
}
