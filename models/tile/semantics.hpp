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

// The loads with a HeldArf form (held_<id>, for bundles; see HeldExecFn).
#define IPUSIM_HELD_LOADS(X)                                                                                           \
  X(LD32_AR) X(LD32_AI) X(LD64_R) X(LD64_I) X(LD128_R) X(LD128_I) X(LD32STEP_AI) X(LD32STEP_AR) X(LD64STEP_I)           \
      X(LD64STEP_R) X(LD128STEP_I) X(LD128STEP_R) X(LD2X64PACE) X(LDST64PACE) X(LD2XST64PACE)
#define IPUSIM_HELD_DECL(id) void held_##id(TileCore &, Context &, const isa::Instruction &, HeldArf &);
IPUSIM_HELD_LOADS(IPUSIM_HELD_DECL)
#undef IPUSIM_HELD_DECL

// Where a load's ARF results go: straight to the registers (write_a), or
// into a HeldArf; one register, a pair or a quad at a time.
struct ArfDirect {
  TileCore &t;
  Context &c;
  void put(unsigned r, uint32_t v) { t.write_a(c, r, v); }
  void put_pair(unsigned r, uint64_t v) {
    t.write_a(c, r, static_cast<uint32_t>(v));
    t.write_a(c, r + 1, static_cast<uint32_t>(v >> 32));
  }
  void put_quad(unsigned r, const uint32_t v[4]) {
    for (unsigned k = 0; k < 4; ++k) t.write_a(c, r + k, v[k]);
  }
};
struct ArfHeld {
  HeldArf &h;
  void put(unsigned r, uint32_t v) { h.add(r, 1, &v); }
  void put_pair(unsigned r, uint64_t v) {
    const uint32_t w[2] = {static_cast<uint32_t>(v), static_cast<uint32_t>(v >> 32)};
    h.add(r, 2, w);
  }
  void put_quad(unsigned r, const uint32_t v[4]) { h.add(r, 4, v); }
};

// A load with both forms: IPUSIM_LOAD_EXEC(id) { body using t, c, i and arf }.
#define IPUSIM_LOAD_EXEC(id)                                                                                           \
  template <typename Arf> static void body_##id(TileCore &t, Context &c, const isa::Instruction &i, Arf arf);         \
  IPUSIM_EXEC(id) { body_##id(t, c, i, ArfDirect{t, c}); }                                                             \
  void held_##id(TileCore &t, Context &c, const isa::Instruction &i, HeldArf &h) { body_##id(t, c, i, ArfHeld{h}); } \
  template <typename Arf>                                                                                              \
  static void body_##id([[maybe_unused]] TileCore &t, [[maybe_unused]] Context &c,                                    \
                        [[maybe_unused]] const isa::Instruction &i, [[maybe_unused]] Arf arf)

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
