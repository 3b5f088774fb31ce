// Integer, bitwise and shuffle instructions on the MRF, and the ARF bitwise ops.
#include <algorithm>

#include "models/tile/semantics.hpp"

namespace ipusim::tile {

namespace {
inline int32_t s(uint32_t v) { return static_cast<int32_t>(v); }
inline uint32_t u(int32_t v) { return static_cast<uint32_t>(v); }
inline uint32_t imm(const isa::Instruction &i, unsigned k) { return static_cast<uint32_t>(i.v[k]); }
inline void setm(Context &c, const isa::Instruction &i, uint32_t v) { TileCore::write_m(c, reg(i, 0), v); }
inline uint32_t shl(uint32_t a, uint32_t n) { return n >= 32 ? 0 : a << n; }
inline uint32_t shr(uint32_t a, uint32_t n) { return n >= 32 ? 0 : a >> n; }
inline uint32_t shrs(uint32_t a, uint32_t n) { return u(s(a) >> (n >= 32 ? 31 : n)); }
inline uint32_t byte(uint32_t v, unsigned k) { return (v >> (8 * k)) & 0xFFu; }
inline uint32_t bytes4(uint32_t b0, uint32_t b1, uint32_t b2, uint32_t b3) {
  return b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
}
inline uint32_t bitrev8(uint32_t v) {
  uint32_t out = 0;
  for (unsigned b = 0; b < 4; ++b) {
    uint32_t x = byte(v, b), r = 0;
    for (unsigned k = 0; k < 8; ++k) r |= ((x >> k) & 1u) << (7 - k);
    out |= r << (8 * b);
  }
  return out;
}
} // namespace

// Register-register and register-immediate arithmetic.
IPUSIM_EXEC(ADD_R) { setm(c, i, mval(c, i, 1) + mval(c, i, 2)); }
IPUSIM_EXEC(ADD_U16) { setm(c, i, mval(c, i, 1) + imm(i, 2)); }
IPUSIM_EXEC(ADD_S16) { setm(c, i, mval(c, i, 1) + imm(i, 2)); }
IPUSIM_EXEC(SUB_R) { setm(c, i, mval(c, i, 1) - mval(c, i, 2)); }
IPUSIM_EXEC(SUB_U16R) { setm(c, i, imm(i, 1) - mval(c, i, 2)); }
IPUSIM_EXEC(SUB_S16R) { setm(c, i, imm(i, 1) - mval(c, i, 2)); }
IPUSIM_EXEC(MUL_R) { setm(c, i, mval(c, i, 1) * mval(c, i, 2)); }
IPUSIM_EXEC(MUL_S16) { setm(c, i, mval(c, i, 1) * imm(i, 2)); }
IPUSIM_EXEC(MAX_R) { setm(c, i, u(std::max(s(mval(c, i, 1)), s(mval(c, i, 2))))); }
IPUSIM_EXEC(MAX_U16) { setm(c, i, u(std::max(s(mval(c, i, 1)), s(imm(i, 2))))); }
IPUSIM_EXEC(MAX_S16) { setm(c, i, u(std::max(s(mval(c, i, 1)), s(imm(i, 2))))); }
IPUSIM_EXEC(MIN_R) { setm(c, i, u(std::min(s(mval(c, i, 1)), s(mval(c, i, 2))))); }
IPUSIM_EXEC(MIN_U16) { setm(c, i, u(std::min(s(mval(c, i, 1)), s(imm(i, 2))))); }
IPUSIM_EXEC(MIN_S16) { setm(c, i, u(std::min(s(mval(c, i, 1)), s(imm(i, 2))))); }
IPUSIM_EXEC(ABS_R) {
  uint32_t v = mval(c, i, 1);
  setm(c, i, s(v) < 0 ? 0u - v : v); // wraps for INT_MIN
}

// Bitwise.
IPUSIM_EXEC(AND_R) { setm(c, i, mval(c, i, 1) & mval(c, i, 2)); }
IPUSIM_EXEC(AND_U12) { setm(c, i, mval(c, i, 1) & imm(i, 2)); }
IPUSIM_EXEC(AND_Z12) { setm(c, i, mval(c, i, 1) & imm(i, 2)); }
IPUSIM_EXEC(ANDC_R) { setm(c, i, mval(c, i, 1) & ~mval(c, i, 2)); }
IPUSIM_EXEC(ANDC_U12) { setm(c, i, mval(c, i, 1) & ~imm(i, 2)); }
IPUSIM_EXEC(ANDC_Z12) { setm(c, i, mval(c, i, 1) & ~imm(i, 2)); }
IPUSIM_EXEC(OR_R) { setm(c, i, mval(c, i, 1) | mval(c, i, 2)); }
IPUSIM_EXEC(OR_U12) { setm(c, i, mval(c, i, 1) | imm(i, 2)); }
IPUSIM_EXEC(OR_Z12) { setm(c, i, mval(c, i, 1) | imm(i, 2)); }
IPUSIM_EXEC(XOR_R) { setm(c, i, mval(c, i, 1) ^ mval(c, i, 2)); }
IPUSIM_EXEC(XNOR_R) { setm(c, i, ~(mval(c, i, 1) ^ mval(c, i, 2))); }
IPUSIM_EXEC(SHL_R) { setm(c, i, shl(mval(c, i, 1), mval(c, i, 2))); }
IPUSIM_EXEC(SHL_U12) { setm(c, i, shl(mval(c, i, 1), imm(i, 2))); }
IPUSIM_EXEC(SHR_R) { setm(c, i, shr(mval(c, i, 1), mval(c, i, 2))); }
IPUSIM_EXEC(SHR_U12) { setm(c, i, shr(mval(c, i, 1), imm(i, 2))); }
IPUSIM_EXEC(SHRS_R) { setm(c, i, shrs(mval(c, i, 1), mval(c, i, 2))); }
IPUSIM_EXEC(SHRS_U12) { setm(c, i, shrs(mval(c, i, 1), imm(i, 2))); }
IPUSIM_EXEC(CLZ_R) {
  uint32_t v = mval(c, i, 1);
  setm(c, i, v == 0 ? 32u : static_cast<uint32_t>(__builtin_clz(v)));
}
IPUSIM_EXEC(POPC_R) { setm(c, i, static_cast<uint32_t>(__builtin_popcount(mval(c, i, 1)))); }
IPUSIM_EXEC(BITREV8_R) { setm(c, i, bitrev8(mval(c, i, 1))); }
IPUSIM_EXEC(SWAP8_R) { setm(c, i, __builtin_bswap32(mval(c, i, 1))); }

// Compares give 1 or 0.
IPUSIM_EXEC(CMPEQ_R) { setm(c, i, mval(c, i, 1) == mval(c, i, 2)); }
IPUSIM_EXEC(CMPEQ_U16) { setm(c, i, mval(c, i, 1) == imm(i, 2)); }
IPUSIM_EXEC(CMPEQ_S16) { setm(c, i, mval(c, i, 1) == imm(i, 2)); }
IPUSIM_EXEC(CMPNE_R) { setm(c, i, mval(c, i, 1) != mval(c, i, 2)); }
IPUSIM_EXEC(CMPSLT_R) { setm(c, i, s(mval(c, i, 1)) < s(mval(c, i, 2))); }
IPUSIM_EXEC(CMPSLT_S16) { setm(c, i, s(mval(c, i, 1)) < s(imm(i, 2))); }
IPUSIM_EXEC(CMPULT_R) { setm(c, i, mval(c, i, 1) < mval(c, i, 2)); }
IPUSIM_EXEC(CMPULT_U16) { setm(c, i, mval(c, i, 1) < imm(i, 2)); }
IPUSIM_EXEC(MOVZ_R) {
  if (mval(c, i, 1) == 0) setm(c, i, mval(c, i, 2));
}
IPUSIM_EXEC(MOVNZ_R) {
  if (mval(c, i, 1) != 0) setm(c, i, mval(c, i, 2));
}
IPUSIM_EXEC(SETZI_M) { setm(c, i, imm(i, 1)); }

// Byte and half-word shuffles. Byte k of a word is bits 8k+7..8k (little-endian lanes).
IPUSIM_EXEC(SHUF8X8LO_R) {
  uint32_t a = mval(c, i, 1), b = mval(c, i, 2);
  setm(c, i, bytes4(byte(a, 0), byte(b, 0), byte(a, 1), byte(b, 1)));
}
IPUSIM_EXEC(SHUF8X8HI_R) {
  uint32_t a = mval(c, i, 1), b = mval(c, i, 2);
  setm(c, i, bytes4(byte(a, 2), byte(b, 2), byte(a, 3), byte(b, 3)));
}
IPUSIM_EXEC(SORT4X16LO_M) { setm(c, i, (mval(c, i, 1) & 0xFFFFu) | (mval(c, i, 2) << 16)); }
IPUSIM_EXEC(SORT4X16HI_M) { setm(c, i, (mval(c, i, 1) >> 16) | (mval(c, i, 2) & 0xFFFF0000u)); }
IPUSIM_EXEC(SORT8X8LO_R) {
  uint32_t a = mval(c, i, 1), b = mval(c, i, 2);
  setm(c, i, bytes4(byte(a, 0), byte(a, 2), byte(b, 0), byte(b, 2)));
}
IPUSIM_EXEC(SORT8X8HI_R) {
  uint32_t a = mval(c, i, 1), b = mval(c, i, 2);
  setm(c, i, bytes4(byte(a, 1), byte(a, 3), byte(b, 1), byte(b, 3)));
}
IPUSIM_EXEC(ROLL16_M) { setm(c, i, (mval(c, i, 1) >> 16) | (mval(c, i, 2) << 16)); }
IPUSIM_EXEC(ATOM_R) { setm(c, i, aval(c, i, 1)); }

// ARF bitwise (aux pipeline).
namespace {
inline void seta(TileCore &t, Context &c, const isa::Instruction &i, uint32_t v) { t.write_a(c, reg(i, 0), v); }
} // namespace
IPUSIM_EXEC(AND_A) { seta(t, c, i, aval(c, i, 1) & aval(c, i, 2)); }
IPUSIM_EXEC(AND_AU12) { seta(t, c, i, aval(c, i, 1) & imm(i, 2)); }
IPUSIM_EXEC(AND_AZ12) { seta(t, c, i, aval(c, i, 1) & imm(i, 2)); }
IPUSIM_EXEC(ANDC_A) { seta(t, c, i, aval(c, i, 1) & ~aval(c, i, 2)); }
IPUSIM_EXEC(ANDC_AU12) { seta(t, c, i, aval(c, i, 1) & ~imm(i, 2)); }
IPUSIM_EXEC(ANDC_AZ12) { seta(t, c, i, aval(c, i, 1) & ~imm(i, 2)); }
IPUSIM_EXEC(OR_A) { seta(t, c, i, aval(c, i, 1) | aval(c, i, 2)); }
IPUSIM_EXEC(OR_AU12) { seta(t, c, i, aval(c, i, 1) | imm(i, 2)); }
IPUSIM_EXEC(OR_AZ12) { seta(t, c, i, aval(c, i, 1) | imm(i, 2)); }
IPUSIM_EXEC(NOT_A) { seta(t, c, i, ~aval(c, i, 1)); }
IPUSIM_EXEC(AND64_A) { write_apair(t, c, reg(i, 0), apair(c, reg(i, 1)) & apair(c, reg(i, 2))); }
IPUSIM_EXEC(ANDC64_A) { write_apair(t, c, reg(i, 0), apair(c, reg(i, 1)) & ~apair(c, reg(i, 2))); }
IPUSIM_EXEC(OR64_A) { write_apair(t, c, reg(i, 0), apair(c, reg(i, 1)) | apair(c, reg(i, 2))); }
IPUSIM_EXEC(NOT64_A) { write_apair(t, c, reg(i, 0), ~apair(c, reg(i, 1))); }
IPUSIM_EXEC(SETZI_A) { seta(t, c, i, imm(i, 1)); }
IPUSIM_EXEC(SORT4X16LO_A) { seta(t, c, i, (aval(c, i, 1) & 0xFFFFu) | (aval(c, i, 2) << 16)); }
IPUSIM_EXEC(SORT4X16HI_A) { seta(t, c, i, (aval(c, i, 1) >> 16) | (aval(c, i, 2) & 0xFFFF0000u)); }
IPUSIM_EXEC(SORT4X16HI_ABL) { seta(t, c, i, (aval(c, i, 1) & 0xFFFFu) | (aval(c, i, 2) & 0xFFFF0000u)); }
IPUSIM_EXEC(SORT4X16LO_ABU) { seta(t, c, i, (aval(c, i, 1) >> 16) | (aval(c, i, 2) << 16)); }
IPUSIM_EXEC(SORT4X32LO_A) {
  uint32_t lo = c.a[reg(i, 1)], hi = c.a[reg(i, 2)];
  t.write_a(c, reg(i, 0), lo);
  t.write_a(c, reg(i, 0) + 1, hi);
}
IPUSIM_EXEC(SORT4X32HI_A) {
  uint32_t lo = c.a[reg(i, 1) + 1], hi = c.a[reg(i, 2) + 1];
  t.write_a(c, reg(i, 0), lo);
  t.write_a(c, reg(i, 0) + 1, hi);
}
IPUSIM_EXEC(ROLL16_A) { seta(t, c, i, (aval(c, i, 1) >> 16) | (aval(c, i, 2) << 16)); }
IPUSIM_EXEC(ROLL32_A) {
  uint32_t lo = c.a[reg(i, 1) + 1], hi = c.a[reg(i, 2)];
  t.write_a(c, reg(i, 0), lo);
  t.write_a(c, reg(i, 0) + 1, hi);
}

} // namespace ipusim::tile
