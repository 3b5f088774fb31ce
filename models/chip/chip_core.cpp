#include "models/chip/chip_core.hpp"

#include <fmt/format.h>

#include "sim/common/error.hpp"

namespace ipusim::chip {

ChipCore::ChipCore(const tile::TileParams &tile_params, unsigned tiles, SyncParams sync,
                   exchange::ExchangeParams exchange)
    : sync_(sync), fabric_(exchange), max_cycles_(tile_params.max_cycles) {
  tiles_.reserve(tiles);
  for (unsigned t = 0; t < tiles; ++t) {
    tile::TileParams p = tile_params;
    p.tile_id = t;
    p.chip_internal_sync = true;
    p.exchange_bytes_per_cycle = exchange.bytes_per_cycle;
    tiles_.push_back(std::make_unique<tile::TileCore>(p));
    tile_ptrs_.push_back(tiles_.back().get());
  }
}

void ChipCore::set_threads(unsigned threads) {
  if (threads <= 1) pool_.reset();
  else if (threads != this->threads()) pool_ = std::make_unique<ThreadPool>(threads);
}

void ChipCore::run_tiles() {
  // Once a tile has failed, the others only run as far as its cycle: one of
  // them may still fail earlier (or at it, with a lower id).
  const bool resolving = failure_.has_value();
  const uint64_t limit = resolving ? failure_->cycle + 1 : max_cycles_;
  runnable_.clear();
  for (unsigned i = 0; i < tiles_.size(); ++i) {
    const tile::TileCore &t = *tiles_[i];
    if (errors_[i] || !t.can_run_in_chip()) continue;
    if (resolving && t.cycle() > failure_->cycle) continue;
    runnable_.push_back(i);
  }
  auto run_one = [this, limit](size_t k) {
    unsigned i = runnable_[k];
    try {
      tiles_[i]->run(limit);
    } catch (...) {
      errors_[i] = std::current_exception();
    }
  };
  if (pool_) pool_->run(runnable_.size(), run_one);
  else
    for (size_t k = 0; k < runnable_.size(); ++k) run_one(k);
  // The error reported is the earliest by (cycle, tile), so the same for any
  // number of threads and the same as cycle by cycle (the reference engine).
  for (unsigned i : runnable_)
    if (errors_[i]) {
      TileError e{tiles_[i]->cycle(), i};
      if (!failure_ || e < *failure_) failure_ = e;
    }
}

void ChipCore::run_until_blocked() {
  errors_.assign(tiles_.size(), nullptr);
  failure_.reset();
  for (;;) {
    run_tiles();
    bool released = false;
    try {
      released = fabric_.advance(tile_ptrs_, pool_.get());
    } catch (...) {
      if (!failure_) throw;
      break; // a tile has failed already: that is what is reported
    }
    if (!released) break;
  }
  if (failure_) report_tile_error(*failure_, errors_[failure_->tile]);
}

bool ChipCore::finished() const {
  for (const auto &t : tiles_)
    if (!t->finished()) return false;
  return true;
}

uint64_t ChipCore::cycle() const {
  uint64_t c = 0;
  for (const auto &t : tiles_) c = std::max(c, t->cycle());
  return c;
}

bool ChipCore::step() {
  try {
    return step_tiles();
  } catch (...) {
    // Whatever stopped the run, the trace keeps what happened before it (a
    // tile's error has already passed on only what came before it).
    if (superstep_end_) superstep_end_(nullptr);
    throw;
  }
}

bool ChipCore::step_tiles() {
  // Compute and exchange: every tile up to the sync or its end, independently,
  // with the exchange delivered whenever every tile has stopped.
  run_until_blocked();
  return complete_superstep_now();
}

bool ChipCore::deliver_until(uint64_t horizon) {
  try {
    return fabric_.advance(tile_ptrs_, nullptr, horizon);
  } catch (...) {
    if (superstep_end_) superstep_end_(nullptr);
    throw;
  }
}

bool ChipCore::blocked() const {
  for (const auto &t : tiles_)
    if (t->can_run_in_chip()) return false;
  return true;
}

bool ChipCore::exchange_pending() const {
  for (const auto &t : tiles_)
    if (!t->exchange().sends.empty() || !t->exchange().writes.empty() || t->waiting_for_receive()) return true;
  return false;
}

bool ChipCore::complete_superstep() {
  try {
    return complete_superstep_now();
  } catch (...) {
    if (superstep_end_) superstep_end_(nullptr);
    throw;
  }
}

void ChipCore::report_tile_error(const TileError &where, std::exception_ptr error) {
  if (superstep_end_) superstep_end_(&where);
  std::rethrow_exception(error);
}

bool ChipCore::complete_superstep_now() {
  for (unsigned i = 0; i < tiles_.size(); ++i)
    if (tiles_[i]->waiting_for_receive()) {
      // Nothing more will move: a word sent too early is the likelier cause.
      fabric_.check_every_word_received(tile_ptrs_);
      const tile::IncomingState &in = fabric_.incoming(i);
      throw SimulationError(fmt::format(
          "tile {}, cycle {}: exchange: the supervisor waits in sync 0 for {} more word(s) from {} that no tile sends "
          "(a receive of data never sent)",
          i, tiles_[i]->cycle() - 1, in.dcount, in.mux == tile::kNoSender ? std::string("no tile")
                                                                          : "tile " + std::to_string(in.mux)));
    }
  exchange::DeliveryStats d = fabric_.finish_superstep(tile_ptrs_, pool_.get());
  if (superstep_end_) superstep_end_(nullptr);
  total_words_ += d.words;
  total_deliveries_ += d.deliveries;

  std::vector<unsigned> waiting, ended, at_host;
  for (unsigned i = 0; i < tiles_.size(); ++i) {
    (tiles_[i]->finished() ? ended : waiting).push_back(i);
    if (tiles_[i]->at_host_barrier()) at_host.push_back(i);
  }
  if (!at_host.empty() && at_host.size() != waiting.size()) {
    unsigned other = waiting.front();
    for (unsigned i : waiting)
      if (!tiles_[i]->at_host_barrier()) {
        other = i;
        break;
      }
    throw SimulationError(fmt::format(
        "cycle {}: deadlock: tile {} waits on the sync with the host (zone 5) while tile {} waits on the internal "
        "sync (zone 3); every tile must take part in a host exchange",
        cycle(), at_host.front(), other));
  }
  if (!waiting.empty() && !ended.empty())
    throw SimulationError(fmt::format(
        "cycle {}: deadlock: {} tile(s) (first: tile {}, waiting since cycle {}) wait on the internal sync, "
        "which {} tile(s) that have ended (first: tile {}) can never join",
        cycle(), waiting.size(), waiting.front(), tiles_[waiting.front()]->cycle(), ended.size(), ended.front()));

  // The phase since the last release ends at a sync (which completes a fixed
  // latency after the last arrival) or, once every tile has ended, at the
  // program's end (recorded too, so its compute and exchange are counted).
  const bool program_end = waiting.empty();
  Superstep s;
  s.start = last_release_;
  s.ends_program = program_end;
  std::vector<uint64_t> compute(tiles_.size());
  double sum = 0;
  for (unsigned i = 0; i < tiles_.size(); ++i) {
    // Arrival: the last cycle the tile did anything (its sync, its last
    // worker's exit or its end); its clock is one past it.
    uint64_t arrival = std::max(tiles_[i]->cycle() - 1, s.start);
    compute[i] = arrival - s.start;
    sum += static_cast<double>(compute[i]);
    if (arrival > s.last_arrival || i == 0) {
      s.last_arrival = arrival;
      s.pacing_tile = i;
    }
  }
  s.release = s.last_arrival + (program_end ? 0 : sync_.internal_latency_cycles);
  if (!at_host.empty()) {
    // A host exchange: the tiles have synced; the link then carries the data.
    s.host_sync = true;
    s.host_index = host_syncs_++;
    host::HostTraffic traffic;
    if (host_) traffic = host_->exchange(s.host_index, tile_ptrs_);
    s.host_to_device_bytes = traffic.to_device_bytes;
    s.host_from_device_bytes = traffic.from_device_bytes;
    s.host_cycles = host::host_transfer_cycles(link_, traffic);
    if (s.host_cycles == 0) // a sync with the host alone still crosses the link
      s.host_cycles = host::host_latency_cycles(link_);
    s.release += s.host_cycles;
  }
  s.max_compute = s.last_arrival - s.start;
  s.mean_compute = sum / static_cast<double>(tiles_.size());
  s.exchange_words = d.words;
  s.exchange_deliveries = d.deliveries;
  supersteps_.push_back(s);
  if (keep_compute_) compute_.push_back(std::move(compute));
  if (program_end) return false;
  if (s.release >= max_cycles_)
    throw SimulationError(fmt::format("cycle {}: the run reached max_cycles ({}) at an internal sync", s.release,
                                      max_cycles_));
  for (auto &t : tiles_) t->release_internal_sync(s.release);
  last_release_ = s.release;
  return true;
}

} // namespace ipusim::chip
