// The tile as a SystemC module. The hot path stays in TileCore (plain C++);
// this module's single thread advances it and SystemC time together, in
// quanta when nothing needs to see every cycle, or cycle by cycle while a VCD
// of the tile's signals is being written.
#pragma once

#include <exception>
#include <systemc>

#include "models/tile/tile_core.hpp"

namespace ipusim::tile {

class TileModule : public sc_core::sc_module {
public:
  // Signals visible to sc_trace (VCD): the PC and context of the last issue,
  // whether the last cycle issued, and whether the pipeline stalled.
  sc_core::sc_signal<uint32_t> issue_pc{"issue_pc"};
  sc_core::sc_signal<uint32_t> issue_context{"issue_context"};
  sc_core::sc_signal<bool> issued{"issued"};
  sc_core::sc_signal<bool> stalled{"stalled"};

  TileModule(sc_core::sc_module_name name, TileCore &core, sc_core::sc_time cycle_time, bool per_cycle);

  // The fault, deadlock or limit that stopped the run, if any.
  std::exception_ptr error() const { return error_; }
  bool finished() const { return core_.finished(); }

private:
  void run_thread();

  TileCore &core_;
  sc_core::sc_time cycle_time_;
  bool per_cycle_;
  std::exception_ptr error_;
};

} // namespace ipusim::tile
