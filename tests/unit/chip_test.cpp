// The chip's internal sync (BSP): tiles compute independently, the sync
// completes a fixed latency after the slowest tile arrives, and everyone
// resumes at that cycle.
#include <doctest/doctest.h>

#include "models/chip/chip_core.hpp"
#include "tile_harness.hpp"

using namespace ipusim;

namespace {
// Tile t spins 10*t times, syncs, then stores $COUNT_L (the release cycle).
const char *kUneven = R"(
.section .text.s, "ax"
.supervisor
.align 8
main:
  get     $m0, $TILE_ID
  mul     $m1, $m0, 10
  setzi   $m3, out
spin:
  brnzdec $m1, spin
  sync    3
  get     $m2, $COUNT_L
  st32    $m2, $mzero, $m3, 0
  bri     done
done:
  nop
.section .data, "aw"
.align 8
out:
  .word 0
)";

chip::ChipCore make_chip(unsigned tiles, const std::string &text, uint64_t latency = 90) {
  tile::TileParams p = test::default_params();
  chip::ChipCore c(p, tiles, chip::SyncParams{latency});
  assembler::LinkedProgram prog = test::assemble_program(text, p);
  for (unsigned t = 0; t < tiles; ++t) test::load_into(c.tile(t), prog);
  return c;
}
} // namespace

TEST_CASE("the internal sync releases every tile a fixed latency after the slowest arrives") {
  chip::ChipCore c = make_chip(4, kUneven);
  assembler::LinkedProgram prog = test::assemble_program(kUneven, test::default_params());
  c.run();
  REQUIRE(c.finished());
  REQUIRE(c.supersteps().size() == 1u);
  // The supervisor issues every 6 cycles: get, mul, setzi, then 10t+1 brnzdec,
  // then sync at 24 + 60t; the tile is at the barrier one cycle later.
  const chip::Superstep &s = c.supersteps()[0];
  CHECK(s.last_arrival == 25u + 60u * 3u);
  CHECK(s.pacing_tile == 3u);
  CHECK(s.release == 205u + 90u);
  CHECK(s.mean_compute == doctest::Approx((25.0 + 85 + 145 + 205) / 4));
  for (unsigned t = 0; t < 4; ++t) {
    CHECK(c.compute_cycles()[0][t] == 25u + 60u * t);
    CHECK(c.tile(t).sram().read<uint32_t>(prog.symbols.at("out")) == 295u);
    // get, st32, bri issue at 295, 301 and 307: the program ends at cycle 308.
    CHECK(c.tile(t).cycle() == 308u);
    CHECK(c.tile(t).context(0).stats.sync_wait_cycles == 295u - (24u + 60u * t));
  }
}

TEST_CASE("the sync latency is a machine parameter") {
  chip::ChipCore c = make_chip(2, kUneven, 7);
  c.run();
  CHECK(c.supersteps().at(0).release == 25u + 60u + 7u);
}

TEST_CASE("tiles that end while others wait on the internal sync are a deadlock") {
  const char *text = R"(
.section .text.s, "ax"
.supervisor
.align 8
main:
  get   $m0, $TILE_ID
  brz   $m0, done
  sync  3
  bri   done
done:
  nop
)";
  chip::ChipCore c = make_chip(3, text);
  CHECK_THROWS_WITH_AS(c.run(), doctest::Contains("deadlock: 2 tile(s) (first: tile 1"), SimulationError);
}

TEST_CASE("several supersteps accumulate") {
  const char *text = R"(
.section .text.s, "ax"
.supervisor
.align 8
main:
  setzi $m1, 3
again:
  sync  3
  brnzdec $m1, again
  bri done
done:
  nop
)";
  chip::ChipCore c = make_chip(8, text, 10);
  c.run();
  REQUIRE(c.supersteps().size() == 4u);
  // First arrival at 7 (setzi at 0, sync at 6); each later superstep: brnzdec
  // at the release R, sync at R + 6, arrival at R + 7, release at R + 7 + 10.
  CHECK(c.supersteps()[0].release == 7u + 10u);
  for (size_t s = 1; s < 4; ++s) CHECK(c.supersteps()[s].release == c.supersteps()[s - 1].release + 7u + 10u);
}
