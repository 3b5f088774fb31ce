// The chip: N tiles and the sync controller of the internal zone (BSP). Tiles
// never touch each other's state between two syncs, so each tile runs on its
// own up to the next internal sync (the superstep is an exact quantum); the
// sync completes internal_latency_cycles after the last tile arrives, and
// every tile resumes at that cycle.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "models/exchange/fabric.hpp"
#include "models/host/host_link.hpp"
#include "models/tile/tile_core.hpp"
#include "sim/common/thread_pool.hpp"

namespace ipusim::chip {

struct SyncParams {
  // Cycles from the last tile's arrival to the release of all tiles. poplibs
  // plans about 90 tile cycles for an internal sync (ipu-reference.md §3).
  uint64_t internal_latency_cycles = 90;
};

// The host's side of host exchanges: what moves at each sync with the host
// (the loader's host streams implement it).
class HostExchange {
public:
  virtual ~HostExchange() = default;
  // The index-th host exchange of the run (0, 1, ...): moves its streams'
  // data between host buffers and the tiles' memories and says how much.
  // Throws SimulationError when the program syncs with the host more often
  // than its control program says.
  virtual host::HostTraffic exchange(unsigned index, const std::vector<tile::TileCore *> &tiles) = 0;
  // What the index-th exchange moves, for traces ("stream in: x").
  virtual std::string label(unsigned index) const = 0;
};

// One phase between internal syncs: ended by a sync, or by the program's end
// (the last one, ends_program, with no sync latency).
struct Superstep {
  uint64_t start = 0;        // release cycle of the previous sync (0 for the first)
  uint64_t last_arrival = 0; // when the slowest tile reached the sync (issued it, its workers done)
  uint64_t release = 0;      // last_arrival + latency
  unsigned pacing_tile = 0;  // the slowest tile (lowest id on ties)
  uint64_t max_compute = 0;  // last_arrival - start
  double mean_compute = 0;   // over tiles
  // Exchange during the superstep.
  uint64_t exchange_words = 0;      // words sent
  uint64_t exchange_deliveries = 0; // words stored (broadcast counts per receiver)
  bool ends_program = false;
  // A sync with the host (zone 5) ends the phase: the host exchange's traffic
  // and the cycles its transfer took (release = last_arrival + latency +
  // host_cycles).
  bool host_sync = false;
  unsigned host_index = 0; // which host exchange of the run
  uint64_t host_to_device_bytes = 0, host_from_device_bytes = 0, host_cycles = 0;
};

// Where a tile stopped with an error (a fault, the watchdog, max_cycles).
struct TileError {
  uint64_t cycle = 0; // the tile's clock when it stopped
  unsigned tile = 0;
  bool operator<(const TileError &o) const { return cycle != o.cycle ? cycle < o.cycle : tile < o.tile; }
};

class ChipCore {
public:
  ChipCore(const tile::TileParams &tile_params, unsigned tiles, SyncParams sync,
           exchange::ExchangeParams exchange = {});

  // Host threads running the tiles of a superstep (1: all on the caller).
  // The results never depend on it: tiles between two syncs touch only their
  // own state, and whatever they produce for others (sends, trace events,
  // errors) is taken in tile order once they have all stopped.
  void set_threads(unsigned threads);
  unsigned threads() const { return pool_ ? pool_->threads() : 1; }

  // Called with every tile stopped, at the end of each superstep, in which
  // per-tile buffers (traces) are passed on in tile order: with null, or,
  // before an error is reported, with where it happened, so only what came
  // before it, by (cycle, tile), is kept.
  void set_superstep_end(std::function<void(const TileError *)> f) { superstep_end_ = std::move(f); }

  // The host at the other end of the host link; without one, a sync with the
  // host moves no data and costs the sync and link latency.
  void set_host(HostExchange *host, const host::HostLinkParams &link) {
    host_ = host;
    link_ = link;
  }
  const host::HostLinkParams &host_link() const { return link_; }

  unsigned tiles() const { return static_cast<unsigned>(tiles_.size()); }
  tile::TileCore &tile(unsigned i) { return *tiles_[i]; }
  const tile::TileCore &tile(unsigned i) const { return *tiles_[i]; }
  const SyncParams &sync_params() const { return sync_; }
  const exchange::Fabric &fabric() const { return fabric_; }

  // Runs every tile to the next internal sync (or to its end) and completes
  // that sync. Returns false once every tile has finished. Throws
  // SimulationError on a fault, on max_cycles, or when some tiles wait on a
  // sync that tiles which have ended can never join.
  bool step();
  void run() {
    while (step()) {
    }
  }
  bool finished() const;
  uint64_t cycle() const; // the latest tile's clock

  // ---- for an engine that advances the tiles itself (the reference engine,
  // models/chip/reference_chip.hpp), one cycle at a time ------------------------
  // Delivers the exchange's words that arrive up to cycle `horizon` (and those
  // a receiver waiting in `sync 0` takes beyond it) and releases receivers
  // whose words have all arrived; returns whether any was released.
  bool deliver_until(uint64_t horizon);
  // Every tile has ended, waits at a chip-wide sync or in `sync 0`.
  bool blocked() const;
  // Whether the exchange has anything to deliver or a receiver to release.
  bool exchange_pending() const;
  // With blocked(): what step() does once its tiles have stopped (checks,
  // the rest of the exchange, the sync's completion); returns false once the
  // program has ended.
  bool complete_superstep();
  // Passes on the trace up to where a tile failed, then throws its error.
  [[noreturn]] void report_tile_error(const TileError &where, std::exception_ptr error);

  // Every phase, the one ending the program last (once the chip has finished).
  const std::vector<Superstep> &supersteps() const { return supersteps_; }
  // Internal syncs completed.
  size_t syncs() const {
    return supersteps_.size() - (!supersteps_.empty() && supersteps_.back().ends_program ? 1 : 0);
  }
  // Exchange over the whole run (including after the last sync).
  uint64_t exchange_words() const { return total_words_; }
  uint64_t exchange_deliveries() const { return total_deliveries_; }
  // Cycles each tile computed in each superstep: compute_cycles()[s][t]
  // (tiles x supersteps numbers: kept only while keep_compute_cycles is on,
  // the default; a long run that does not need them turns it off).
  const std::vector<std::vector<uint64_t>> &compute_cycles() const { return compute_; }
  void keep_compute_cycles(bool on) { keep_compute_ = on; }

private:
  // Runs tiles until each is finished, at the internal sync or waiting in
  // `sync 0` for words; delivers the exchange and releases receivers whose
  // words have all arrived, until nothing more can move.
  void run_until_blocked();
  bool step_tiles();
  bool complete_superstep_now();
  // Runs the tiles that can go on, up to their next stop, in parallel.
  void run_tiles();

  std::unique_ptr<ThreadPool> pool_;
  std::vector<unsigned> runnable_;
  std::vector<std::exception_ptr> errors_; // per tile, this superstep
  std::optional<TileError> failure_;       // the earliest so far
  std::function<void(const TileError *)> superstep_end_;

  std::vector<std::unique_ptr<tile::TileCore>> tiles_;
  std::vector<tile::TileCore *> tile_ptrs_;
  SyncParams sync_;
  exchange::Fabric fabric_;
  uint64_t total_words_ = 0, total_deliveries_ = 0;
  uint64_t max_cycles_;
  uint64_t last_release_ = 0;
  HostExchange *host_ = nullptr;
  host::HostLinkParams link_;
  unsigned host_syncs_ = 0;
  std::vector<Superstep> supersteps_;
  std::vector<std::vector<uint64_t>> compute_;
  bool keep_compute_ = true;
};

} // namespace ipusim::chip
