// The executor's half of the ISA table: instructions.def row -> exec_ function.
#include "models/tile/semantics.hpp"

namespace ipusim::tile {

ExecFn exec_function(isa::Op op) {
  static const ExecFn table[] = {
#define INSN(id, mn, ops, pipe, cls, flags, desc) &exec_##id,
#include "sim/isa/instructions.def"
#undef INSN
  };
  return table[static_cast<size_t>(op)];
}

HeldExecFn held_exec_function(isa::Op op) {
  switch (op) {
#define HELD(id)                                                                                                       \
  case isa::Op::id: return &held_##id;
    IPUSIM_HELD_LOADS(HELD)
#undef HELD
  default: return nullptr;
  }
}

} // namespace ipusim::tile
