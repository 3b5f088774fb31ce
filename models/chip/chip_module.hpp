// The chip as a SystemC module: one thread advances the ChipCore superstep
// by superstep and SystemC time with it (the superstep is the quantum; tiles
// never interact inside one). The release of each internal sync is notified
// as an sc_event so other modules (host links, tracers) can follow the BSP
// phases.
#pragma once

#include <exception>
#include <systemc>

#include "models/chip/chip_core.hpp"

namespace ipusim::chip {

class ChipModule : public sc_core::sc_module {
public:
  sc_core::sc_event sync_released; // notified at every internal sync release

  ChipModule(sc_core::sc_module_name name, ChipCore &core, sc_core::sc_time cycle_time);
  std::exception_ptr error() const { return error_; }

private:
  void run_thread();

  ChipCore &core_;
  sc_core::sc_time cycle_time_;
  std::exception_ptr error_;
};

} // namespace ipusim::chip
