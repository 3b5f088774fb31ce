// An exception raised by a simulated instruction. The tile turns it into a
// one-line SimulationError naming tile, context, PC, instruction and cycle.
#pragma once

#include <string>

namespace ipusim::tile {

enum class FaultKind {
  misaligned,
  out_of_range,
  illegal_instruction,
  illegal_in_rpt,
  not_executable,
  worker_busy,
  bad_csr,
  trap,
  bad_operand,
  fp_exception, // an IEEE exception enabled in $FP_CTL
};

const char *fault_kind_name(FaultKind k);

struct Fault {
  FaultKind kind;
  std::string detail;
};

} // namespace ipusim::tile
