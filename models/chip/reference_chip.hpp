// The reference engine: the chip's tiles advanced cycle by cycle under the
// SystemC kernel, the simplest correct schedule, to check the fast engine
// (ChipModule: each tile runs on its own to its next sync) against.
//
// A clock drives one process per tile, which advances its tile by exactly one
// cycle on every rising edge (a tile whose clock is ahead, after a
// memory-conflict stall or a sync release, sits the edges out). On every
// falling edge one controller process delivers the exchange's words that
// have arrived by that cycle, releases receivers waiting in `sync 0`, and,
// once every tile has ended or waits on a sync, completes the superstep with
// the same code the fast engine uses (models/chip/chip_core.cpp). SystemC
// time is the chip's cycle count.
//
// Faults: when tiles fail, the one reported is the earliest by (cycle,
// tile), as in the fast engine: the other tiles go on until they are past
// that cycle.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <systemc>
#include <vector>

#include "models/chip/chip_core.hpp"

namespace ipusim::chip {

class ReferenceChipModule : public sc_core::sc_module {
public:
  ReferenceChipModule(sc_core::sc_module_name name, ChipCore &core, sc_core::sc_time cycle_time);
  ~ReferenceChipModule() override;
  std::exception_ptr error() const { return error_; }

private:
  class TileStepper; // one SystemC process per tile

  void on_falling_edge();
  void record(unsigned tile, std::exception_ptr e);
  // Whether some tile that has not failed could still fail at or before the
  // failure found so far.
  bool earlier_failure_possible() const;

  ChipCore &core_;
  sc_core::sc_clock clock_;
  std::vector<std::unique_ptr<TileStepper>> steppers_;
  uint64_t cycle_ = 0; // the cycle of the current clock period
  std::vector<std::exception_ptr> tile_errors_;
  std::optional<TileError> first_failure_;
  std::exception_ptr error_;
  bool stopped_ = false;
};

} // namespace ipusim::chip
