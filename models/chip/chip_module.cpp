#include "models/chip/chip_module.hpp"

namespace ipusim::chip {

ChipModule::ChipModule(sc_core::sc_module_name name, ChipCore &core, sc_core::sc_time cycle_time)
    : sc_core::sc_module(name), core_(core), cycle_time_(cycle_time) {
  SC_HAS_PROCESS(ChipModule);
  SC_THREAD(run_thread);
}

void ChipModule::run_thread() {
  uint64_t simulated = 0;
  try {
    for (;;) {
      bool more = core_.step();
      uint64_t now = core_.cycle();
      if (now > simulated) {
        wait(cycle_time_ * static_cast<double>(now - simulated));
        simulated = now;
      }
      if (!more) break;
      sync_released.notify(sc_core::SC_ZERO_TIME);
    }
  } catch (...) {
    error_ = std::current_exception();
  }
  sc_core::sc_stop();
}

} // namespace ipusim::chip
