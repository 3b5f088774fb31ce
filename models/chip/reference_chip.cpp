#include "models/chip/reference_chip.hpp"

#include <string>

namespace ipusim::chip {

// One tile's process: on every rising edge, the tile advances one cycle if it
// can (it runs, its clock is not ahead, it has not failed).
class ReferenceChipModule::TileStepper : public sc_core::sc_module {
public:
  TileStepper(sc_core::sc_module_name name, ReferenceChipModule &owner, unsigned tile)
      : sc_core::sc_module(name), owner_(owner), tile_(owner.core_.tile(tile)), id_(tile) {
    SC_HAS_PROCESS(TileStepper);
    SC_METHOD(step);
    sensitive << owner.clock_.posedge_event();
    dont_initialize();
  }

private:
  void step() {
    if (owner_.stopped_ || owner_.tile_errors_[id_]) return;
    const uint64_t now = owner_.cycle_;
    tile::TileCore &t = tile_;
    if (t.cycle() > now || !t.can_run_in_chip()) return;
    try {
      t.run(now + 1);
    } catch (...) {
      owner_.record(id_, std::current_exception());
    }
  }

  ReferenceChipModule &owner_;
  tile::TileCore &tile_;
  unsigned id_;
};

ReferenceChipModule::ReferenceChipModule(sc_core::sc_module_name name, ChipCore &core, sc_core::sc_time cycle_time)
    : sc_core::sc_module(name), core_(core), clock_("clock", cycle_time), tile_errors_(core.tiles()) {
  SC_HAS_PROCESS(ReferenceChipModule);
  steppers_.reserve(core.tiles());
  for (unsigned t = 0; t < core.tiles(); ++t)
    steppers_.push_back(std::make_unique<TileStepper>(("tile" + std::to_string(t)).c_str(), *this, t));
  SC_METHOD(on_falling_edge);
  sensitive << clock_.negedge_event();
  dont_initialize();
}

ReferenceChipModule::~ReferenceChipModule() = default;

void ReferenceChipModule::record(unsigned tile, std::exception_ptr e) {
  // Processes of one edge run one after another (SystemC's kernel is
  // single-threaded), so no lock is needed.
  tile_errors_[tile] = e;
  TileError where{core_.tile(tile).cycle(), tile};
  if (!first_failure_ || where < *first_failure_) first_failure_ = where;
}

bool ReferenceChipModule::earlier_failure_possible() const {
  for (unsigned i = 0; i < core_.tiles(); ++i) {
    const tile::TileCore &t = core_.tile(i);
    if (tile_errors_[i] || !t.can_run_in_chip()) continue;
    if (t.cycle() <= first_failure_->cycle) return true;
  }
  return false;
}

void ReferenceChipModule::on_falling_edge() {
  if (stopped_) return;
  const uint64_t now = cycle_;
  try {
    // Words that have arrived by now; receivers waiting in `sync 0` whose
    // words are all in go on.
    bool released = false;
    if (core_.exchange_pending()) {
      try {
        released = core_.deliver_until(now);
      } catch (...) {
        if (!first_failure_) throw;
      }
    }
    if (first_failure_) {
      if (!earlier_failure_possible()) core_.report_tile_error(*first_failure_, tile_errors_[first_failure_->tile]);
    } else if (!released && core_.blocked() && !core_.complete_superstep()) {
      stopped_ = true; // the program has ended
    }
  } catch (...) {
    error_ = std::current_exception();
    stopped_ = true;
  }
  cycle_ = now + 1;
  if (stopped_) sc_core::sc_stop();
}

} // namespace ipusim::chip
