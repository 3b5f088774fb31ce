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
// Schedule errors stop the run: a word that arrives with no tile listening
// to its sender (with words still expected), a receiver still expecting
// words at the internal sync (a receive of data never sent), a receiver
// waiting in `sync 0` for words nobody sends.
#pragma once

#include <cstdint>
#include <vector>

#include "models/tile/tile_core.hpp"

namespace ipusim::exchange {

struct ExchangeParams {
  unsigned bytes_per_cycle = 4;       // per tile, out and in
  unsigned send_cycles = 8;           // Mk1: "send to exchange out"
  unsigned receive_cycles = 2;        // Mk1: "exchange in to load"
  unsigned cross_column_cycles = 36;  // Mk1: column base to opposite side 17 + back 19
  unsigned supertile_cycles = 1;      // assumption: one cycle per supertile along a column
  unsigned tiles_per_supertile = 4;
  unsigned columns = 16;
};

struct DeliveryStats {
  uint64_t words = 0;      // words sent
  uint64_t deliveries = 0; // words stored (a broadcast word counts once per receiver)
  uint64_t first_departure = UINT64_MAX, last_arrival = 0;
};

class Fabric {
public:
  explicit Fabric(ExchangeParams p) : p_(p) {}
  const ExchangeParams &params() const { return p_; }

  unsigned column(unsigned tile) const { return (tile / p_.tiles_per_supertile) % p_.columns; }
  unsigned supertile(unsigned tile) const { return tile / (p_.tiles_per_supertile * p_.columns); }
  uint64_t latency(unsigned from, unsigned to) const;

  // Delivers every word sent since the last call into the receivers' SRAM,
  // in cycle order, and updates their incoming state. Throws SimulationError
  // on a schedule error.
  DeliveryStats deliver(const std::vector<tile::TileCore *> &tiles);

private:
  ExchangeParams p_;
};

} // namespace ipusim::exchange
