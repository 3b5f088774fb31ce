// Loads and stores. Offsets and post-increments are scaled by the access size
// ("atom"); the effective address is base + delta (+ offset * size).
#include "models/tile/semantics.hpp"

namespace ipusim::tile {

namespace {

template <unsigned Size> inline uint32_t ea_reg(const Context &c, const isa::Instruction &i) {
  return mval(c, i, 1) + mval(c, i, 2) + Size * mval(c, i, 3);
}
template <unsigned Size> inline uint32_t ea_imm(const Context &c, const isa::Instruction &i) {
  return mval(c, i, 1) + mval(c, i, 2) + Size * static_cast<uint32_t>(i.v[3]);
}
// Post-increment forms: returns base + delta and advances delta by step * Size.
template <unsigned Size> inline uint32_t ea_step(Context &c, const isa::Instruction &i, int32_t step) {
  uint32_t ea = mval(c, i, 1) + mval(c, i, 2);
  TileCore::write_m(c, reg(i, 2), mval(c, i, 2) + Size * static_cast<uint32_t>(step));
  return ea;
}
inline int32_t step_imm(const isa::Instruction &i) { return i.v[3]; }
inline int32_t step_reg(const Context &c, const isa::Instruction &i) {
  return static_cast<int32_t>(mval(c, i, 3));
}

inline void load_m32(TileCore &t, Context &c, unsigned r, uint32_t ea) {
  TileCore::write_m(c, r, t.load<uint32_t>(c, ea));
}
template <typename Arf> inline void load_a32(TileCore &t, Context &c, Arf &arf, unsigned r, uint32_t ea) {
  arf.put(r, t.load<uint32_t>(c, ea));
}
template <typename Arf> inline void load_a64(TileCore &t, Context &c, Arf &arf, unsigned r, uint32_t ea) {
  arf.put_pair(r, t.load<uint64_t>(c, ea));
}
template <typename Arf> inline void load_a128(TileCore &t, Context &c, Arf &arf, unsigned r, uint32_t ea) {
  t.check_address(ea, 16, false);
  ++c.stats.loads;
  uint32_t v[4];
  for (unsigned k = 0; k < 4; ++k) v[k] = t.sram().read<uint32_t>(ea + 4 * k);
  arf.put_quad(r, v);
}
inline void load_b16(TileCore &t, Context &c, unsigned r, uint32_t ea) {
  uint32_t h = t.load<uint16_t>(c, ea);
  t.write_a(c, r, h | (h << 16));
}
} // namespace

IPUSIM_EXEC(LD32_MR) { load_m32(t, c, reg(i, 0), ea_reg<4>(c, i)); }
IPUSIM_LOAD_EXEC(LD32_AR) { load_a32(t, c, arf, reg(i, 0), ea_reg<4>(c, i)); }
IPUSIM_EXEC(LD32_MI) { load_m32(t, c, reg(i, 0), ea_imm<4>(c, i)); }
IPUSIM_LOAD_EXEC(LD32_AI) { load_a32(t, c, arf, reg(i, 0), ea_imm<4>(c, i)); }
IPUSIM_LOAD_EXEC(LD64_R) { load_a64(t, c, arf, reg(i, 0), ea_reg<8>(c, i)); }
IPUSIM_LOAD_EXEC(LD64_I) { load_a64(t, c, arf, reg(i, 0), ea_imm<8>(c, i)); }
IPUSIM_LOAD_EXEC(LD128_R) { load_a128(t, c, arf, reg(i, 0), ea_reg<16>(c, i)); }
IPUSIM_LOAD_EXEC(LD128_I) { load_a128(t, c, arf, reg(i, 0), ea_imm<16>(c, i)); }
IPUSIM_EXEC(LDB16_R) { load_b16(t, c, reg(i, 0), ea_reg<2>(c, i)); }
IPUSIM_EXEC(LDB16_I) { load_b16(t, c, reg(i, 0), ea_imm<2>(c, i)); }
IPUSIM_EXEC(LDZ8_R) { TileCore::write_m(c, reg(i, 0), t.load<uint8_t>(c, ea_reg<1>(c, i))); }
IPUSIM_EXEC(LDZ8_I) { TileCore::write_m(c, reg(i, 0), t.load<uint8_t>(c, ea_imm<1>(c, i))); }
IPUSIM_EXEC(LDZ16_R) { TileCore::write_m(c, reg(i, 0), t.load<uint16_t>(c, ea_reg<2>(c, i))); }
IPUSIM_EXEC(LDZ16_I) { TileCore::write_m(c, reg(i, 0), t.load<uint16_t>(c, ea_imm<2>(c, i))); }
IPUSIM_EXEC(LDS8_R) {
  TileCore::write_m(c, reg(i, 0), static_cast<uint32_t>(static_cast<int32_t>(t.load<int8_t>(c, ea_reg<1>(c, i)))));
}
IPUSIM_EXEC(LDS8_I) {
  TileCore::write_m(c, reg(i, 0), static_cast<uint32_t>(static_cast<int32_t>(t.load<int8_t>(c, ea_imm<1>(c, i)))));
}
IPUSIM_EXEC(LDS16_R) {
  TileCore::write_m(c, reg(i, 0), static_cast<uint32_t>(static_cast<int32_t>(t.load<int16_t>(c, ea_reg<2>(c, i)))));
}
IPUSIM_EXEC(LDS16_I) {
  TileCore::write_m(c, reg(i, 0), static_cast<uint32_t>(static_cast<int32_t>(t.load<int16_t>(c, ea_imm<2>(c, i)))));
}

IPUSIM_EXEC(LD32STEP_MI) { load_m32(t, c, reg(i, 0), ea_step<4>(c, i, step_imm(i))); }
IPUSIM_EXEC(LD32STEP_MR) { load_m32(t, c, reg(i, 0), ea_step<4>(c, i, step_reg(c, i))); }
IPUSIM_LOAD_EXEC(LD32STEP_AI) { load_a32(t, c, arf, reg(i, 0), ea_step<4>(c, i, step_imm(i))); }
IPUSIM_LOAD_EXEC(LD32STEP_AR) { load_a32(t, c, arf, reg(i, 0), ea_step<4>(c, i, step_reg(c, i))); }
IPUSIM_LOAD_EXEC(LD64STEP_I) { load_a64(t, c, arf, reg(i, 0), ea_step<8>(c, i, step_imm(i))); }
IPUSIM_LOAD_EXEC(LD64STEP_R) { load_a64(t, c, arf, reg(i, 0), ea_step<8>(c, i, step_reg(c, i))); }
IPUSIM_LOAD_EXEC(LD128STEP_I) { load_a128(t, c, arf, reg(i, 0), ea_step<16>(c, i, step_imm(i))); }
IPUSIM_LOAD_EXEC(LD128STEP_R) { load_a128(t, c, arf, reg(i, 0), ea_step<16>(c, i, step_reg(c, i))); }
IPUSIM_EXEC(LDB16STEP_I) { load_b16(t, c, reg(i, 0), ea_step<2>(c, i, step_imm(i))); }
IPUSIM_EXEC(LDB16STEP_R) { load_b16(t, c, reg(i, 0), ea_step<2>(c, i, step_reg(c, i))); }
IPUSIM_EXEC(LDZ8STEP_I) { TileCore::write_m(c, reg(i, 0), t.load<uint8_t>(c, ea_step<1>(c, i, step_imm(i)))); }
IPUSIM_EXEC(LDZ8STEP_R) { TileCore::write_m(c, reg(i, 0), t.load<uint8_t>(c, ea_step<1>(c, i, step_reg(c, i)))); }
IPUSIM_EXEC(LDZ16STEP_I) { TileCore::write_m(c, reg(i, 0), t.load<uint16_t>(c, ea_step<2>(c, i, step_imm(i)))); }
IPUSIM_EXEC(LDZ16STEP_R) {
  TileCore::write_m(c, reg(i, 0), t.load<uint16_t>(c, ea_step<2>(c, i, step_reg(c, i))));
}
IPUSIM_EXEC(LDS8STEP_I) {
  TileCore::write_m(c, reg(i, 0), static_cast<uint32_t>(int32_t(t.load<int8_t>(c, ea_step<1>(c, i, step_imm(i))))));
}
IPUSIM_EXEC(LDS8STEP_R) {
  TileCore::write_m(c, reg(i, 0),
                    static_cast<uint32_t>(int32_t(t.load<int8_t>(c, ea_step<1>(c, i, step_reg(c, i))))));
}
IPUSIM_EXEC(LDS16STEP_I) {
  TileCore::write_m(c, reg(i, 0), static_cast<uint32_t>(int32_t(t.load<int16_t>(c, ea_step<2>(c, i, step_imm(i))))));
}
IPUSIM_EXEC(LDS16STEP_R) {
  TileCore::write_m(c, reg(i, 0),
                    static_cast<uint32_t>(int32_t(t.load<int16_t>(c, ea_step<2>(c, i, step_reg(c, i))))));
}

// ---- triple-packed addresses -------------------------------------------------------
// The pace forms take three 21-bit byte addresses (TMEM_BYTE_MAX_ADDRESS_WIDTH
// = 21) from an MRF pair: address 0 in bits 20:0 of the lower register,
// address 1 in bits 20:0 of the upper register (as the ISA text says, and as
// poplibs relies on when it adds to the upper register to move address 1),
// and address 2 split over the top 11 bits of both: its low part in the
// lower register's bits 31:21, its high part in the upper register's
// (which half goes where is an assumption). Each address used is
// post-incremented by a strimm-selected amount in 64-bit atoms: 0 = +1,
// 1/2/3 = the signed 10-bit field 0/1/2 of $mStride (field layout inferred
// from poplibs' conv_partial_nx1 comments; assumption).
namespace {
constexpr uint32_t kAddrMask = (1u << 21) - 1;
struct Packed {
  uint32_t addr[3];
};
inline Packed unpack(const Context &c, unsigned r) {
  uint32_t lo = c.m[r], hi = c.m[r + 1];
  return {{lo & kAddrMask, hi & kAddrMask, ((lo >> 21) | ((hi >> 21) << 11)) & kAddrMask}};
}
inline void store_packed(Context &c, unsigned r, const Packed &p) {
  uint32_t a2 = p.addr[2] & kAddrMask;
  TileCore::write_m(c, r, (p.addr[0] & kAddrMask) | (a2 << 21));
  TileCore::write_m(c, r + 1, (p.addr[1] & kAddrMask) | ((a2 >> 11) << 21));
}
inline int32_t stride_field(uint32_t strides, unsigned sel) {
  if (sel == 0) return 1;
  uint32_t f = (strides >> (10 * (sel - 1))) & 0x3FFu;
  return static_cast<int32_t>(f ^ 0x200u) - 0x200;
}
inline void advance(Packed &p, unsigned k, uint32_t strides, unsigned sel) {
  p.addr[k] = (p.addr[k] + 8u * static_cast<uint32_t>(stride_field(strides, sel))) & kAddrMask;
}
} // namespace

IPUSIM_EXEC(TAPACK) { store_packed(c, reg(i, 0), Packed{{mval(c, i, 1), mval(c, i, 2), mval(c, i, 3)}}); }
IPUSIM_LOAD_EXEC(LD2X64PACE) {
  Packed p = unpack(c, reg(i, 2));
  uint32_t strides = mval(c, i, 3), sel = static_cast<uint32_t>(i.v[4]);
  if (reg(i, 0) == reg(i, 1) && reg(i, 0) < 14)
    t.fault(FaultKind::bad_operand, "ld2x64pace destination pairs must be distinct");
  uint32_t addrs[2] = {p.addr[0], p.addr[1]}, sizes[2] = {8, 8};
  load_a64(t, c, arf, reg(i, 0), addrs[0]);
  load_a64(t, c, arf, reg(i, 1), addrs[1]);
  t.note_accesses(addrs, sizes, 2);
  advance(p, 0, strides, sel & 3);
  advance(p, 1, strides, (sel >> 2) & 3);
  store_packed(c, reg(i, 2), p);
}
IPUSIM_LOAD_EXEC(LDST64PACE) {
  Packed p = unpack(c, reg(i, 2));
  uint32_t strides = mval(c, i, 3), sel = static_cast<uint32_t>(i.v[4]);
  uint64_t src = apair(c, reg(i, 1));
  uint32_t addrs[2] = {p.addr[0], p.addr[2]}, sizes[2] = {8, 8};
  load_a64(t, c, arf, reg(i, 0), addrs[0]);
  t.store<uint64_t>(c, addrs[1], src);
  t.note_accesses(addrs, sizes, 2);
  advance(p, 0, strides, sel & 3);
  advance(p, 2, strides, (sel >> 2) & 3);
  store_packed(c, reg(i, 2), p);
}
IPUSIM_LOAD_EXEC(LD2XST64PACE) {
  Packed p = unpack(c, reg(i, 2));
  uint32_t strides = mval(c, i, 3), sel = static_cast<uint32_t>(i.v[4]);
  uint64_t src = apair(c, reg(i, 1));
  if (t.plain_2x64_st64(p.addr[0], p.addr[1], p.addr[2])) {
    // No check can fail: the accesses below without them, in the same order.
    Sram &m = t.sram();
    const uint64_t v0 = m.read<uint64_t>(p.addr[0]), v1 = m.read<uint64_t>(p.addr[1]);
    m.write<uint64_t>(p.addr[2], src);
    c.stats.loads += 2;
    ++c.stats.stores;
    arf.put_pair(reg(i, 0), v0);
    arf.put_pair(reg(i, 0) + 2, v1);
  } else {
    load_a64(t, c, arf, reg(i, 0), p.addr[0]);
    load_a64(t, c, arf, reg(i, 0) + 2, p.addr[1]);
    t.store<uint64_t>(c, p.addr[2], src);
  }
  t.note_accesses_3x64(p.addr[0], p.addr[1], p.addr[2]);
  advance(p, 0, strides, sel & 3);
  advance(p, 1, strides, (sel >> 2) & 3);
  advance(p, 2, strides, (sel >> 4) & 3);
  store_packed(c, reg(i, 2), p);
}
IPUSIM_EXEC(ST64PACE) {
  Packed p = unpack(c, reg(i, 1));
  t.store<uint64_t>(c, p.addr[2], apair(c, reg(i, 0)));
  advance(p, 2, mval(c, i, 2), static_cast<uint32_t>(i.v[3]) & 3);
  store_packed(c, reg(i, 1), p);
}

// ---- stores -----------------------------------------------------------------------------
IPUSIM_EXEC(ST32_MI) { t.store<uint32_t>(c, ea_imm<4>(c, i), mval(c, i, 0)); }
IPUSIM_EXEC(ST32_AR) { t.store<uint32_t>(c, ea_reg<4>(c, i), aval(c, i, 0)); }
IPUSIM_EXEC(ST32_AI) { t.store<uint32_t>(c, ea_imm<4>(c, i), aval(c, i, 0)); }
IPUSIM_EXEC(ST64_R) { t.store<uint64_t>(c, ea_reg<8>(c, i), apair(c, reg(i, 0))); }
IPUSIM_EXEC(ST64_I) { t.store<uint64_t>(c, ea_imm<8>(c, i), apair(c, reg(i, 0))); }
IPUSIM_EXEC(ST32STEP_MI) {
  uint32_t v = mval(c, i, 0);
  t.store<uint32_t>(c, ea_step<4>(c, i, step_imm(i)), v);
}
IPUSIM_EXEC(ST32STEP_AI) { t.store<uint32_t>(c, ea_step<4>(c, i, step_imm(i)), aval(c, i, 0)); }
IPUSIM_EXEC(ST32STEP_AR) { t.store<uint32_t>(c, ea_step<4>(c, i, step_reg(c, i)), aval(c, i, 0)); }
IPUSIM_EXEC(ST64STEP_I) { t.store<uint64_t>(c, ea_step<8>(c, i, step_imm(i)), apair(c, reg(i, 0))); }
IPUSIM_EXEC(ST64STEP_R) { t.store<uint64_t>(c, ea_step<8>(c, i, step_reg(c, i)), apair(c, reg(i, 0))); }
IPUSIM_EXEC(STM32_R) { t.store<uint32_t>(c, mval(c, i, 1) + 4 * mval(c, i, 2), mval(c, i, 0)); }
IPUSIM_EXEC(STM32STEP_R) {
  uint32_t v = mval(c, i, 0), base = mval(c, i, 1);
  TileCore::write_m(c, reg(i, 1), base + 4 * mval(c, i, 2));
  t.store<uint32_t>(c, base, v);
}

} // namespace ipusim::tile
