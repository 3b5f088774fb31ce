// Shared helpers for the instruction semantics (semantics_*.cpp). Each exec_
// function implements one row of sim/isa/instructions.def; operand i of the
// row is insn.v[i].
#pragma once

#include <cstdint>

#include "models/tile/tile_core.hpp"

#define IPUSIM_EXEC(id)                                                                            \
  void exec_##id([[maybe_unused]] TileCore &t, [[maybe_unused]] Context &c,                        \
                 [[maybe_unused]] const isa::Instruction &i)

namespace ipusim::tile {

#define INSN(id, mn, ops, pipe, cls, flags, desc) IPUSIM_EXEC(id);
#include "sim/isa/instructions.def"
#undef INSN

inline unsigned reg(const isa::Instruction &i, unsigned k) { return static_cast<unsigned>(i.v[k]); }
inline uint32_t mval(const Context &c, const isa::Instruction &i, unsigned k) { return c.m[reg(i, k)]; }
inline uint32_t aval(const Context &c, const isa::Instruction &i, unsigned k) { return c.a[reg(i, k)]; }
inline uint64_t apair(const Context &c, unsigned r) {
  return static_cast<uint64_t>(c.a[r]) | (static_cast<uint64_t>(c.a[r + 1]) << 32);
}
inline void write_apair(TileCore &t, Context &c, unsigned r, uint64_t v) {
  t.write_a(c, r, static_cast<uint32_t>(v));
  t.write_a(c, r + 1, static_cast<uint32_t>(v >> 32));
}

// Faults unless the machine has the C600's FP8 instructions (arch_version 21).
void require_fp8(TileCore &t, const isa::Instruction &i);

} // namespace ipusim::tile
