// The exchange fabric: time-deterministic, compiler-scheduled transfers. Each
// tile drives its own bus; a receiver listens to one bus ($INCOMING_MUX), so
// broadcast to many receivers is free. A word leaving tile S at cycle d
// reaches tile R at d + latency(S, R), where the latency depends on where the
// two tiles sit (ipu-reference.md §1 floorplan, §3 Mk1 pipeline delays):
//
//   latency = send_cycles + receive_cycles
//           + (different columns ? cross_column_cycles : 0)
//           + supertile_cycles * |supertile(S) - supertile(R)|
//
// Tile ids are laid out as on Mk1: bits [1:0] the tile within its supertile,
// the next bits the column, the rest the supertile (generalised to any
// tiles_per_supertile and column count; the Mk2 floorplan is not public).
//
// Tiles run independently between syncs and log their sends and $INCOMING_*
// writes. Whenever every tile has stopped (in `sync 0`, at `sync 3` or at its
// end), advance() replays each receiver's log merged with the words of the
// senders it may listen to, in cycle order, but only as far as that
// receiver's state is known: up to its sync or its end, or, in `sync 0`,
// until its last expected word (which releases it). At the internal sync,
// finish_superstep() checks the schedule: every word stored by some receiver,
// no receiver still expecting words.
#pragma once

#include <cstdint>
#include <exception>
#include <vector>

#include "models/tile/tile_core.hpp"
#include "sim/common/thread_pool.hpp"

namespace ipusim::exchange {

struct ExchangeParams {
  unsigned bytes_per_cycle = 4;       // per tile, out and in
  unsigned send_cycles = 8;           // Mk1: "send to exchange out"
  unsigned receive_cycles = 2;        // Mk1: "exchange in to load"
  unsigned cross_column_cycles = 36;  // Mk1: column base to opposite side 17 + back 19
  unsigned supertile_cycles = 1;      // assumption: one cycle per supertile along a column
  unsigned tiles_per_supertile = 4;
  unsigned columns = 16;
  // Store a run of words that come next with nothing in between in one go
  // (false: one by one, as the model is defined; tests compare the two).
  bool batch_runs = true;
};

struct DeliveryStats {
  uint64_t words = 0;      // words sent
  uint64_t deliveries = 0; // words stored (a broadcast word counts once per receiver)
};

class Fabric {
public:
  explicit Fabric(ExchangeParams p) : p_(p) {
    for (int k = 0; k < 32; ++k)
      if (p_.bytes_per_cycle == (1u << k)) bpc_shift_ = k;
  }
  const ExchangeParams &params() const { return p_; }

  unsigned column(unsigned tile) const { return (tile / p_.tiles_per_supertile) % p_.columns; }
  unsigned supertile(unsigned tile) const { return tile / (p_.tiles_per_supertile * p_.columns); }
  uint64_t latency(unsigned from, unsigned to) const;

  // Every tile has stopped: deliver what is determined and release the
  // receivers in `sync 0` whose words have all arrived. Returns whether any
  // tile was released. Receivers are independent (a sender's words are only
  // read, their "stored" marks only set), so they may be served on the
  // threads of `pool`; an error is reported for the lowest receiver.
  // With a horizon, only what arrives up to that cycle is delivered (but a
  // receiver in `sync 0` still takes the words already sent to it): the
  // reference engine calls it every cycle, when nothing later is known yet.
  bool advance(const std::vector<tile::TileCore *> &tiles, ThreadPool *pool = nullptr,
               uint64_t horizon = UINT64_MAX);

  // Every tile is at the internal sync or has ended: deliver the rest, check
  // the superstep's schedule (throws SimulationError) and start a new one.
  DeliveryStats finish_superstep(const std::vector<tile::TileCore *> &tiles, ThreadPool *pool = nullptr);

  // Throws for the first word no receiver stored; call only when nothing more
  // can arrive (every tile at the sync, ended, or stuck).
  void check_every_word_received(const std::vector<tile::TileCore *> &tiles) const;

  // What a receiver still expects, for messages.
  const tile::IncomingState &incoming(unsigned tile) const { return rx_[tile].state; }

private:
  struct Stream { // the words of one sender, as one receiver sees them
    unsigned sender;
    size_t send = 0, word = 0;
    uint64_t latency = 0; // from the sender to the receiver
  };
  struct Receiver {
    tile::IncomingState state; // after every event processed so far
    size_t next_write = 0;     // into the tile's port.writes
    std::vector<Stream> streams;
    uint64_t last_accept = 0;
    uint64_t deliveries = 0; // words stored this superstep
  };

  void deliver_to(unsigned r, const std::vector<tile::TileCore *> &tiles, uint64_t horizon, bool &released);
  // deliver_to for every receiver; returns whether any was released.
  bool deliver_all(const std::vector<tile::TileCore *> &tiles, ThreadPool *pool, uint64_t horizon = UINT64_MAX);
  // How many words after word k of `send` (just stored, arriving at `at`)
  // can be stored at once, as one by one they would come next.
  size_t run_after(const Receiver &rx, const Stream &best, const tile::SendRecord &send, size_t k, uint64_t at,
                   uint64_t write_at, uint64_t known_limit, const std::vector<tile::TileCore *> &tiles) const;
  uint64_t departure(const tile::SendRecord &s, size_t word) const {
    const uint64_t bytes = 4 * uint64_t(word);
    return s.first_departure + (bpc_shift_ >= 0 ? bytes >> bpc_shift_ : bytes / p_.bytes_per_cycle);
  }

  ExchangeParams p_;
  int bpc_shift_ = -1; // log2(bytes_per_cycle) when a power of two
  std::vector<Receiver> rx_;
  std::vector<uint8_t> released_;
  std::vector<std::exception_ptr> errors_;
  DeliveryStats step_;
};

} // namespace ipusim::exchange
