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
  REQUIRE(c.syncs() == 1u);
  REQUIRE(c.supersteps().size() == 2u); // the sync's superstep, then the phase that ends the program
  // After the release at 294 each tile issues get, st32, bri (294, 300, 306) and ends.
  CHECK(c.supersteps()[1].ends_program);
  CHECK(c.supersteps()[1].max_compute == 12u);
  CHECK(c.supersteps()[1].release == 306u);
  // The supervisor issues every 6 cycles: get, mul, setzi, then 10t+1 brnzdec,
  // then sync at 24 + 60t, which is when the tile arrives at the sync.
  const chip::Superstep &s = c.supersteps()[0];
  CHECK(s.last_arrival == 24u + 60u * 3u);
  CHECK(s.pacing_tile == 3u);
  CHECK(s.release == 204u + 90u);
  CHECK(s.mean_compute == doctest::Approx((24.0 + 84 + 144 + 204) / 4));
  for (unsigned t = 0; t < 4; ++t) {
    CHECK(c.compute_cycles()[0][t] == 24u + 60u * t);
    CHECK(c.tile(t).sram().read<uint32_t>(prog.symbols.at("out")) == 294u);
    // get, st32, bri issue at 294, 300 and 306: the program ends at cycle 307.
    CHECK(c.tile(t).cycle() == 307u);
    CHECK(c.tile(t).context(0).stats.sync_wait_cycles == 294u - (24u + 60u * t));
  }
}

TEST_CASE("the sync latency is a machine parameter") {
  chip::ChipCore c = make_chip(2, kUneven, 7);
  c.run();
  CHECK(c.supersteps().at(0).release == 24u + 60u + 7u);
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
  REQUIRE(c.syncs() == 4u);
  REQUIRE(c.supersteps().size() == 5u);
  // First arrival at 6 (setzi at 0, sync at 6); each later superstep: brnzdec
  // at the release R, sync (arrival) at R + 6, release at R + 6 + 10.
  CHECK(c.supersteps()[0].release == 6u + 10u);
  for (size_t s = 1; s < 4; ++s) CHECK(c.supersteps()[s].release == c.supersteps()[s - 1].release + 6u + 10u);
}

namespace {
// Tile 0 sends the four words at `data` after spinning `spin`+1 times; every
// other tile listens to tile 0 and stores when its `sync 0` completed.
std::string exchange_program(unsigned spin, unsigned expect, unsigned send_words = 4) {
  return R"(
.section .text.s, "ax"
.supervisor
.align 8
main:
  get     $m0, $TILE_ID
  brnz    $m0, receiver
  setzi   $m1, data
  setzi   $m2, )" + std::to_string(spin) + R"(
spin:
  brnzdec $m2, spin
  send    $m1, )" + std::to_string(send_words) + R"(
  bri     fin
receiver:
  setzi   $m1, 0
  put     $INCOMING_MUX, $m1
  setzi   $m2, buf
  put     $INCOMING_BASE, $m2
  setzi   $m3, )" + std::to_string(expect) + R"(
  put     $INCOMING_DCOUNT, $m3
  sync    0
  get     $m4, $COUNT_L
  setzi   $m5, when
  st32    $m4, $mzero, $m5, 0
fin:
  sync    3
  bri     done
done:
  nop
.section .data, "aw"
.align 8
data:
  .word 0x11111111, 0x22222222, 0x33333333, 0x44444444
buf:
  .space 16
when:
  .word 0
)";
}
} // namespace

TEST_CASE("exchange: words reach every tile listening, after the distance-dependent latency") {
  std::string text = exchange_program(10, 4);
  chip::ChipCore c = make_chip(5, text, 90);
  assembler::LinkedProgram prog = test::assemble_program(text, test::default_params());
  c.run();
  REQUIRE(c.finished());
  // Tile 0: get, brnz, setzi, setzi, 11 brnzdec, send at cycle 6 * 15 = 90: words leave at 90..93.
  // Tiles 1-3 share tile 0's supertile and column: latency 8 + 2 = 10, last word at 103,
  // sync 0 completes at 104. Tile 4 is in column 1: + 36 cross-column cycles.
  CHECK(c.fabric().latency(0, 1) == 10u);
  CHECK(c.fabric().latency(0, 4) == 46u);
  CHECK(c.fabric().latency(0, 64) == 11u); // next supertile, same column
  for (unsigned t = 1; t <= 4; ++t) {
    const tile::TileCore &r = c.tile(t);
    for (unsigned k = 0; k < 4; ++k)
      CHECK(r.sram().read<uint32_t>(prog.symbols.at("buf") + 4 * k) == 0x11111111u * (k + 1));
    CHECK(r.sram().read<uint32_t>(prog.symbols.at("when")) == (t == 4 ? 93u + 46u + 1u : 93u + 10u + 1u));
  }
  CHECK(c.supersteps().at(0).exchange_words == 4u);
  CHECK(c.supersteps().at(0).exchange_deliveries == 16u); // broadcast to four receivers is free
}

TEST_CASE("exchange: a word that arrives before anyone listens is a schedule error") {
  // With no spin the send issues at cycle 30 and its first words arrive at
  // cycles 40 and 41, before the receiver sets $INCOMING_DCOUNT (cycle 42).
  chip::ChipCore c = make_chip(2, exchange_program(0, 4));
  CHECK_THROWS_WITH_AS(c.run(),
                       doctest::Contains("tile 0, cycle 30: exchange: word 0 of the send at pc 0x"),
                       SimulationError);
}

TEST_CASE("exchange: waiting for words nobody sends is a schedule error") {
  chip::ChipCore c = make_chip(2, exchange_program(10, 4, 2));
  CHECK_THROWS_WITH_AS(c.run(),
                       doctest::Contains("tile 1, cycle 48: exchange: the supervisor waits in sync 0 for 2 more "
                                         "word(s) from tile 0 that no tile sends"),
                       SimulationError);
}

TEST_CASE("exchange: reaching the internal sync still expecting words is a schedule error") {
  std::string text = exchange_program(10, 4, 2);
  // The receiver does not wait for its words: it reaches the sync (cycle 66)
  // before they arrive (100 on), so all four are still expected there.
  text.replace(text.find("  sync    0\n"), 12, "");
  chip::ChipCore c = make_chip(2, text);
  CHECK_THROWS_WITH_AS(c.run(),
                       doctest::Contains("exchange: reached the internal sync still expecting 4 word(s) from tile 0"),
                       SimulationError);
}

TEST_CASE("exchange: a receiver listening to another sender does not take the words") {
  std::string text = exchange_program(10, 4);
  text.replace(text.find("  setzi   $m1, 0\n  put     $INCOMING_MUX"), 16, "  setzi   $m1, 1\n"); // listens to itself
  chip::ChipCore c = make_chip(2, text);
  CHECK_THROWS_WITH_AS(c.run(), doctest::Contains("reached no receiver"), SimulationError);
}

TEST_CASE("exchange: a receiver re-arms for a second transfer; late settings never take early words") {
  const char *text = R"(
.section .text.s, "ax"
.supervisor
.align 8
main:
  get     $m0, $TILE_ID
  brnz    $m0, receiver
  setzi   $m1, data
  setzi   $m2, 10
1:
  brnzdec $m2, 1b
  send    $m1, 2                // words leave at 90, 91: arrive at 100, 101
  setzi   $m2, 20
2:
  brnzdec $m2, 2b
  add     $m1, $m1, 8
  send    $m1, 2                // issued at 6 * 39 = 234: arrive at 244, 245
  bri     fin
receiver:
  setzi   $m1, 0
  put     $INCOMING_MUX, $m1
  setzi   $m2, buf
  put     $INCOMING_BASE, $m2
  setzi   $m3, 2
  put     $INCOMING_DCOUNT, $m3
  sync    0                     // released at 102
  add     $m2, $m2, 8
  put     $INCOMING_BASE, $m2
  put     $INCOMING_DCOUNT, $m3
  sync    0                     // released at 246
  get     $m4, $COUNT_L
  setzi   $m5, when
  st32    $m4, $mzero, $m5, 0
fin:
  sync    3
  bri     done
done:
  nop
.section .data, "aw"
.align 8
data:
  .word 1, 2, 3, 4
buf:
  .space 16
when:
  .word 0
)";
  chip::ChipCore c = make_chip(2, text);
  assembler::LinkedProgram prog = test::assemble_program(text, test::default_params());
  c.run();
  REQUIRE(c.finished());
  for (unsigned k = 0; k < 4; ++k) CHECK(c.tile(1).sram().read<uint32_t>(prog.symbols.at("buf") + 4 * k) == k + 1);
  CHECK(c.tile(1).sram().read<uint32_t>(prog.symbols.at("when")) == 246u);

  // The same receiver arming only after the second transfer has arrived must not take it.
  std::string late = text;
  late.replace(late.find("  add     $m2, $m2, 8\n"), 22, "  setzi   $m6, 40\n3:\n  brnzdec $m6, 3b\n  add     $m2, $m2, 8\n");
  chip::ChipCore c2 = make_chip(2, late);
  CHECK_THROWS_WITH_AS(c2.run(), doctest::Contains("word 0 of the send at pc"), SimulationError);
}

TEST_CASE("exchange: reading $INCOMING_DCOUNT faults (words are delivered at sync points)") {
  const char *text = ".section .text.s, \"ax\"\n.supervisor\n.align 8\nmain:\n  get $m0, $INCOMING_DCOUNT\n"
                     "  bri done\ndone:\n  nop\n";
  chip::ChipCore c = make_chip(2, text);
  CHECK_THROWS_WITH_AS(c.run(), doctest::Contains("wait for them with sync 0"), SimulationError);
}

// ---- host exchanges: the sync with the host (zone 5) and the host link.

TEST_CASE("host link: latency plus the slower of the link and the busiest tile") {
  host::HostLinkParams p;
  p.bytes_per_second = 1e9;
  p.efficiency = 0.5;
  p.latency_ns = 100;
  p.clock_hz = 1e9; // one cycle per ns
  p.tile_bytes_per_cycle = 4;
  host::HostTraffic t;
  CHECK(host::host_transfer_cycles(p, t) == 0u); // nothing to move
  t.to_device_bytes = 1000;
  t.from_device_bytes = 400; // full duplex: the larger direction counts
  t.busiest_tile_bytes = 1000;
  CHECK(host::host_transfer_cycles(p, t) == 100u + 2000u); // 1000 B at 0.5 B/ns
  p.bytes_per_second = 1e12;                                // now the tile's port is the bottleneck
  CHECK(host::host_transfer_cycles(p, t) == 100u + 250u);   // 1000 B at 4 B/cycle
  t.busiest_tile_bytes = 1;
  CHECK(host::host_transfer_cycles(p, t) == 100u + 2u); // 1000 B / 500 B per ns = 2 cycles; 1 B -> 1 cycle
}

namespace {
struct FakeHost : chip::HostExchange {
  std::vector<unsigned> calls;
  host::HostTraffic exchange(unsigned index, const std::vector<tile::TileCore *> &tiles) override {
    calls.push_back(index);
    host::HostTraffic t;
    t.to_device_bytes = 4000;
    t.busiest_tile_bytes = 4000 / tiles.size();
    return t;
  }
  std::string label(unsigned) const override { return "fake"; }
};
} // namespace

TEST_CASE("a sync with the host releases every tile after the sync and the host transfer") {
  std::string text = kUneven;
  text.replace(text.find("sync    3"), 9, "sync    5");
  chip::ChipCore c = make_chip(4, text);
  FakeHost fake;
  host::HostLinkParams link;
  link.bytes_per_second = 1e9;
  link.efficiency = 1;
  link.latency_ns = 50;
  link.clock_hz = 1e9;
  c.set_host(&fake, link);
  c.run();
  REQUIRE(c.supersteps().size() == 2u);
  const chip::Superstep &s = c.supersteps()[0];
  CHECK(s.host_sync);
  CHECK(fake.calls == std::vector<unsigned>{0});
  // 4000 bytes at 1 byte/ns: 4000 cycles, after 50 of latency and the 90-cycle sync.
  CHECK(s.host_cycles == 4050u);
  CHECK(s.host_to_device_bytes == 4000u);
  CHECK(s.release == 204u + 90u + 4050u);
  CHECK(c.tile(3).context(0).stats.sync_wait_cycles == 90u + 4050u);
}

TEST_CASE("tiles split between the internal sync and the sync with the host are a deadlock") {
  const char *text = R"(
.section .text.s, "ax"
.supervisor
.align 8
main:
  get   $m0, $TILE_ID
  brz   $m0, host
  sync  3
  bri   done
host:
  sync  5
done:
  nop
)";
  chip::ChipCore c = make_chip(2, text);
  CHECK_THROWS_WITH_AS(c.run(), doctest::Contains("tile 0 waits on the sync with the host (zone 5) while tile 1"),
                       SimulationError);
}
