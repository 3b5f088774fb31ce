// The fabric stores a run of words that come next with nothing in between in
// one go; the model is defined word by word. Random exchange schedules (mux,
// base and count changes in the middle of sends, several senders, receivers
// waiting in sync 0 or not, 2, 4 and 8 bytes per cycle) must give the same
// memories, cycles, statistics and errors both ways.
#include <doctest/doctest.h>

#include <random>

#include "models/chip/chip_core.hpp"
#include "tile_harness.hpp"

using namespace ipusim;

namespace {
// Each tile interprets a table of (op, argument) pairs at `table`.
const char *kInterpreter = R"(
.section .text.s, "ax"
.supervisor
.align 8
main:
  setzi   $m8, table
next:
  ld32    $m0, $m8, $mzero, 0
  ld32    $m1, $m8, $mzero, 1
  add     $m8, $m8, 8
  brz     $m0, finish
  cmpeq   $m2, $m0, 1
  brnz    $m2, op_mux
  cmpeq   $m2, $m0, 2
  brnz    $m2, op_base
  cmpeq   $m2, $m0, 3
  brnz    $m2, op_count
  cmpeq   $m2, $m0, 4
  brnz    $m2, op_send1
  cmpeq   $m2, $m0, 5
  brnz    $m2, op_send5
  cmpeq   $m2, $m0, 6
  brnz    $m2, op_send16
  cmpeq   $m2, $m0, 7
  brnz    $m2, op_sync0
  cmpeq   $m2, $m0, 8
  brnz    $m2, op_spin
  sync    3
  bri     next
op_mux:
  put     $INCOMING_MUX, $m1
  bri     next
op_base:
  put     $INCOMING_BASE, $m1
  bri     next
op_count:
  put     $INCOMING_DCOUNT, $m1
  bri     next
op_send1:
  send    $m1, 1
  bri     next
op_send5:
  send    $m1, 5
  bri     next
op_send16:
  send    $m1, 16
  bri     next
op_sync0:
  sync    0
  bri     next
op_spin:
  brnzdec $m1, op_spin
  bri     next
finish:
  sync    3
  bri     done
done:
  nop
.section .data, "aw"
.align 8
table:
  .space 4096
)";

constexpr uint32_t kSource = 0x48000; // 64 words each tile sends from
constexpr uint32_t kBuffer = 0x50000; // where received words may go

struct Outcome {
  std::string error;
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<uint64_t> cycles, received;
  std::vector<uint64_t> releases;
  uint64_t deliveries = 0;
  bool operator==(const Outcome &o) const {
    return error == o.error && buffers == o.buffers && cycles == o.cycles && received == o.received &&
           releases == o.releases && deliveries == o.deliveries;
  }
};

Outcome run(const std::vector<std::vector<uint32_t>> &tables, unsigned bytes_per_cycle, bool batch) {
  tile::TileParams p = test::default_params();
  p.watchdog_cycles = 20000;
  exchange::ExchangeParams xp;
  xp.bytes_per_cycle = bytes_per_cycle;
  xp.batch_runs = batch;
  const unsigned tiles = static_cast<unsigned>(tables.size());
  chip::ChipCore c(p, tiles, chip::SyncParams{20}, xp);
  static const assembler::LinkedProgram prog = test::assemble_program(kInterpreter, p);
  for (unsigned t = 0; t < tiles; ++t) {
    test::load_into(c.tile(t), prog);
    for (size_t k = 0; k < tables[t].size(); ++k)
      c.tile(t).sram().write<uint32_t>(prog.symbols.at("table") + 4 * static_cast<uint32_t>(k), tables[t][k]);
    for (uint32_t k = 0; k < 64; ++k) c.tile(t).sram().write<uint32_t>(kSource + 4 * k, (t << 16) | k);
  }
  Outcome o;
  try {
    c.run();
  } catch (const SimulationError &e) {
    o.error = e.what();
  }
  for (unsigned t = 0; t < tiles; ++t) {
    const uint8_t *b = c.tile(t).sram().ptr(kBuffer);
    o.buffers.emplace_back(b, b + 1024);
    o.cycles.push_back(c.tile(t).cycle());
    o.received.push_back(c.tile(t).exchange().words_received);
  }
  for (const chip::Superstep &s : c.supersteps()) o.releases.push_back(s.release);
  o.deliveries = c.exchange_deliveries();
  return o;
}

// One random round per superstep: each tile listens to some sender (changing
// its mind now and then), expects some words, sends a few, and waits for its
// words in sync 0 (or not).
std::vector<std::vector<uint32_t>> random_tables(std::mt19937 &rng, unsigned tiles, unsigned rounds) {
  auto pick = [&](unsigned n) { return static_cast<uint32_t>(rng() % n); };
  std::vector<std::vector<uint32_t>> tables(tiles);
  for (unsigned t = 0; t < tiles; ++t) {
    auto &tb = tables[t];
    auto op = [&](uint32_t o, uint32_t a) {
      tb.push_back(o);
      tb.push_back(a);
    };
    for (unsigned r = 0; r < rounds; ++r) {
      op(9, 0); // sync 3
      unsigned steps = 2 + pick(8);
      bool waits = pick(3) != 0;
      for (unsigned s = 0; s < steps; ++s) {
        switch (pick(7)) {
        case 0: op(1, pick(tiles)); break;
        case 1: op(2, kBuffer + 4 * pick(200)); break;
        case 2: op(3, pick(24)); break;
        case 3: op(4 + pick(3), kSource + 4 * pick(40)); break;
        case 4: op(8, pick(6)); break;
        default: // listen to someone for a while: mux, base, count together
          op(1, pick(tiles));
          op(2, kBuffer + 4 * pick(200));
          op(3, 1 + pick(20));
        }
      }
      if (waits) op(7, 0);
    }
    op(0, 0);
  }
  return tables;
}
// Schedules that mostly work: each tile listens to one sender (or none) for
// the round, expects everything it sends, and waits for it in sync 0 (or
// spins long enough instead; or splits the count in two waits); senders
// spin first, so their listeners are ready; listeners sometimes point their
// mux at another tile first.
std::vector<std::vector<uint32_t>> schedule_tables(std::mt19937 &rng, unsigned tiles, unsigned rounds) {
  auto pick = [&](unsigned n) { return static_cast<uint32_t>(rng() % n); };
  std::vector<std::vector<uint32_t>> tables(tiles);
  auto op = [&](unsigned t, uint32_t o, uint32_t a) {
    tables[t].push_back(o);
    tables[t].push_back(a);
  };
  for (unsigned r = 0; r < rounds; ++r) {
    std::vector<int> sender(tiles, -1);
    std::vector<unsigned> listeners(tiles, 0);
    for (unsigned t = 0; t < tiles; ++t)
      if (pick(4) != 0) {
        unsigned s = pick(tiles - 1);
        sender[t] = static_cast<int>(s >= t ? s + 1 : s);
        ++listeners[sender[t]];
      }
    std::vector<std::vector<unsigned>> sends(tiles);
    std::vector<uint32_t> words(tiles, 0);
    for (unsigned t = 0; t < tiles; ++t)
      if (listeners[t])
        for (unsigned k = 0, n = 1 + pick(3); k < n; ++k) {
          unsigned which = pick(3);
          sends[t].push_back(which);
          words[t] += std::array<uint32_t, 3>{1, 5, 16}[which];
        }
    for (unsigned t = 0; t < tiles; ++t) {
      op(t, 9, 0); // sync 3
      if (sender[t] >= 0) {
        if (pick(3) == 0) op(t, 1, pick(tiles)); // listen elsewhere first
        op(t, 1, static_cast<uint32_t>(sender[t]));
        op(t, 2, kBuffer + 4 * pick(160));
        uint32_t w = words[sender[t]];
        unsigned how = pick(6);
        if (how == 0 && w > 1) { // two waits
          uint32_t first = 1 + pick(w - 1);
          op(t, 3, first);
          op(t, 7, 0);
          op(t, 3, w - first);
          op(t, 7, 0);
        } else if (how == 1) { // no wait: spin past the words instead
          op(t, 3, w);
          op(t, 8, 120);
        } else {
          op(t, 3, w);
        }
      }
      if (!sends[t].empty()) {
        op(t, 8, 30 + pick(10));
        for (unsigned which : sends[t]) {
          op(t, 4 + which, kSource + 4 * pick(40));
          if (pick(2)) op(t, 8, pick(4));
        }
      }
      if (sender[t] >= 0) op(t, 7, 0);
    }
  }
  for (unsigned t = 0; t < tiles; ++t) op(t, 0, 0);
  return tables;
}
} // namespace

TEST_CASE("exchange: storing runs of words at once is the same as word by word") {
  std::mt19937 rng(12345);
  unsigned ok = 0, failed = 0;
  for (unsigned trial = 0; trial < 300; ++trial) {
    unsigned tiles = 2 + static_cast<unsigned>(rng() % 5);
    auto tables = trial % 3 == 0 ? random_tables(rng, tiles, 1 + static_cast<unsigned>(rng() % 3))
                                 : schedule_tables(rng, tiles, 1 + static_cast<unsigned>(rng() % 3));
    unsigned bpc = std::array<unsigned, 3>{2, 4, 8}[rng() % 3];
    Outcome word_by_word = run(tables, bpc, false);
    Outcome batched = run(tables, bpc, true);
    INFO("trial " << trial << ", " << tiles << " tiles, " << bpc << " bytes/cycle: " << word_by_word.error << " / "
                  << batched.error);
    CHECK(word_by_word == batched);
    (word_by_word.error.empty() ? ok : failed) += 1;
  }
  // Many random schedules end in a schedule error; enough must not.
  CHECK(ok > 30u);
  CHECK(failed > 30u);
}
