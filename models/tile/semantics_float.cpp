// Floating point on the ARF (aux pipeline): f32 scalar, f32v2, f16v2, f16v4
// and conversions. fp16 arithmetic is rounded once (sim/numeric/half.hpp);
// fp32 uses the host's IEEE binary32 arithmetic, which rounds to nearest even.
// A NaN result is the canonical quiet NaN (0x7FC00000 / 0x7E00): the IPU's NaN
// payload rules are not public, and this keeps results independent of the host.
// Rounding-mode and stochastic-rounding control ($FP_CTL) and exception flags
// are the low-precision issue's work: everything here rounds to nearest even.
#include <cmath>
#include <limits>

#include "models/tile/semantics.hpp"
#include "sim/numeric/half.hpp"

namespace ipusim::tile {

namespace {

inline float f(uint32_t bits) { return f32_from_bits(bits); }
inline uint32_t bits(float x) { return f32_bits(f32_canonicalize_nan(x)); }
inline uint32_t mask(bool b) { return b ? 0xFFFFFFFFu : 0u; }
inline uint16_t lo(uint32_t v) { return static_cast<uint16_t>(v); }
inline uint16_t hi(uint32_t v) { return static_cast<uint16_t>(v >> 16); }
inline uint32_t halves(uint16_t l, uint16_t h) { return l | (static_cast<uint32_t>(h) << 16); }

// Apply a binary operation to each 32-bit lane of N ARF registers.
template <unsigned N, typename Op>
inline void lanes32(TileCore &t, Context &c, const isa::Instruction &i, Op op) {
  uint32_t r[N];
  for (unsigned k = 0; k < N; ++k) r[k] = op(c.a[reg(i, 1) + k], c.a[reg(i, 2) + k]);
  for (unsigned k = 0; k < N; ++k) t.write_a(c, reg(i, 0) + k, r[k]);
}
// Apply a binary operation to each 16-bit lane of N ARF registers.
template <unsigned N, typename Op>
inline void lanes16(TileCore &t, Context &c, const isa::Instruction &i, Op op) {
  uint32_t r[N];
  for (unsigned k = 0; k < N; ++k) {
    uint32_t a = c.a[reg(i, 1) + k], b = c.a[reg(i, 2) + k];
    r[k] = halves(op(lo(a), lo(b)), op(hi(a), hi(b)));
  }
  for (unsigned k = 0; k < N; ++k) t.write_a(c, reg(i, 0) + k, r[k]);
}

// The same with src0 replaced by a broadcast value (the :B, :BL, :BU forms).
template <unsigned N, typename Op>
inline void lanes32_bcast(TileCore &t, Context &c, const isa::Instruction &i, Op op) {
  uint32_t a = c.a[reg(i, 1)], r[N];
  for (unsigned k = 0; k < N; ++k) r[k] = op(a, c.a[reg(i, 2) + k]);
  for (unsigned k = 0; k < N; ++k) t.write_a(c, reg(i, 0) + k, r[k]);
}
template <unsigned N, bool High, typename Op>
inline void lanes16_bcast(TileCore &t, Context &c, const isa::Instruction &i, Op op) {
  uint16_t a = High ? hi(c.a[reg(i, 1)]) : lo(c.a[reg(i, 1)]);
  uint32_t r[N];
  for (unsigned k = 0; k < N; ++k) {
    uint32_t b = c.a[reg(i, 2) + k];
    r[k] = halves(op(a, lo(b)), op(a, hi(b)));
  }
  for (unsigned k = 0; k < N; ++k) t.write_a(c, reg(i, 0) + k, r[k]);
}

inline uint32_t f32add(uint32_t a, uint32_t b) { return bits(f(a) + f(b)); }
inline uint32_t f32sub(uint32_t a, uint32_t b) { return bits(f(a) - f(b)); }
inline uint32_t f32mul(uint32_t a, uint32_t b) { return bits(f(a) * f(b)); }
inline uint32_t f32max(uint32_t a, uint32_t b) { return bits(f32_max(f(a), f(b))); }
inline uint32_t f32min(uint32_t a, uint32_t b) { return bits(f32_min(f(a), f(b))); }
inline uint16_t h_eq(uint16_t a, uint16_t b) { return f16_cmpeq(a, b) ? 0xFFFF : 0; }
inline uint16_t h_ne(uint16_t a, uint16_t b) { return f16_cmpne(a, b) ? 0xFFFF : 0; }
inline uint16_t h_lt(uint16_t a, uint16_t b) { return f16_cmplt(a, b) ? 0xFFFF : 0; }
inline uint16_t h_le(uint16_t a, uint16_t b) { return f16_cmple(a, b) ? 0xFFFF : 0; }
inline uint16_t h_gt(uint16_t a, uint16_t b) { return f16_cmpgt(a, b) ? 0xFFFF : 0; }
inline uint16_t h_ge(uint16_t a, uint16_t b) { return f16_cmpge(a, b) ? 0xFFFF : 0; }
inline uint32_t f32eq(uint32_t a, uint32_t b) { return mask(f(a) == f(b)); }
inline uint32_t f32ne(uint32_t a, uint32_t b) { return mask(!(f(a) == f(b))); }
inline uint32_t f32lt(uint32_t a, uint32_t b) { return mask(f(a) < f(b)); }
inline uint32_t f32le(uint32_t a, uint32_t b) { return mask(f(a) <= f(b)); }
inline uint32_t f32gt(uint32_t a, uint32_t b) { return mask(f(a) > f(b)); }
inline uint32_t f32ge(uint32_t a, uint32_t b) { return mask(f(a) >= f(b)); }
inline uint16_t h_add(uint16_t a, uint16_t b) { return f16_add(a, b); }
inline uint16_t h_sub(uint16_t a, uint16_t b) { return f16_sub(a, b); }
inline uint16_t h_mul(uint16_t a, uint16_t b) { return f16_mul(a, b); }
inline uint16_t h_max(uint16_t a, uint16_t b) { return f16_max(a, b); }
inline uint16_t h_min(uint16_t a, uint16_t b) { return f16_min(a, b); }

// f32 -> integer with round-to-nearest-even, saturating; NaN gives 0 (assumption).
template <typename I> inline I to_int(float x) {
  if (std::isnan(x)) return 0;
  double r = std::nearbyint(static_cast<double>(x));
  if (r <= static_cast<double>(std::numeric_limits<I>::min())) return std::numeric_limits<I>::min();
  if (r >= static_cast<double>(std::numeric_limits<I>::max())) return std::numeric_limits<I>::max();
  return static_cast<I>(r);
}

inline void set1(TileCore &t, Context &c, const isa::Instruction &i, uint32_t v) { t.write_a(c, reg(i, 0), v); }

} // namespace

// f32 scalar
IPUSIM_EXEC(F32ADD) { lanes32<1>(t, c, i, f32add); }
IPUSIM_EXEC(F32SUB) { lanes32<1>(t, c, i, f32sub); }
IPUSIM_EXEC(F32MUL) { lanes32<1>(t, c, i, f32mul); }
IPUSIM_EXEC(F32MAX) { lanes32<1>(t, c, i, f32max); }
IPUSIM_EXEC(F32MIN) { lanes32<1>(t, c, i, f32min); }
IPUSIM_EXEC(F32ABSADD) {
  lanes32<1>(t, c, i, [](uint32_t a, uint32_t b) { return bits(std::fabs(f(a)) + std::fabs(f(b))); });
}
IPUSIM_EXEC(F32ABSMAX) {
  lanes32<1>(t, c, i, [](uint32_t a, uint32_t b) { return f32max(a & 0x7FFFFFFFu, b & 0x7FFFFFFFu); });
}
IPUSIM_EXEC(F32CMPEQ) { lanes32<1>(t, c, i, [](uint32_t a, uint32_t b) { return mask(f(a) == f(b)); }); }
IPUSIM_EXEC(F32CMPNE) { lanes32<1>(t, c, i, [](uint32_t a, uint32_t b) { return mask(!(f(a) == f(b))); }); }
IPUSIM_EXEC(F32CMPLT) { lanes32<1>(t, c, i, [](uint32_t a, uint32_t b) { return mask(f(a) < f(b)); }); }
IPUSIM_EXEC(F32CMPLE) { lanes32<1>(t, c, i, [](uint32_t a, uint32_t b) { return mask(f(a) <= f(b)); }); }
IPUSIM_EXEC(F32CMPGT) { lanes32<1>(t, c, i, [](uint32_t a, uint32_t b) { return mask(f(a) > f(b)); }); }
IPUSIM_EXEC(F32CMPGE) { lanes32<1>(t, c, i, [](uint32_t a, uint32_t b) { return mask(f(a) >= f(b)); }); }
IPUSIM_EXEC(F32DIV) { lanes32<1>(t, c, i, [](uint32_t a, uint32_t b) { return bits(f(a) / f(b)); }); }
IPUSIM_EXEC(F32SQRT) { set1(t, c, i, bits(std::sqrt(f(aval(c, i, 1))))); }
IPUSIM_EXEC(F32FROMI32) { set1(t, c, i, bits(static_cast<float>(static_cast<int32_t>(aval(c, i, 1))))); }
IPUSIM_EXEC(F32FROMUI32) { set1(t, c, i, bits(static_cast<float>(aval(c, i, 1)))); }
IPUSIM_EXEC(F32TOI32) { set1(t, c, i, static_cast<uint32_t>(to_int<int32_t>(f(aval(c, i, 1))))); }
IPUSIM_EXEC(F32TOUI32) { set1(t, c, i, to_int<uint32_t>(f(aval(c, i, 1)))); }
IPUSIM_EXEC(F32TOF16) {
  uint16_t h = f32_to_f16(f(aval(c, i, 1)));
  set1(t, c, i, halves(h, h));
}
IPUSIM_EXEC(F16TOF32) { set1(t, c, i, f32_bits(f16_to_f32(lo(aval(c, i, 1))))); }

// f32v2
IPUSIM_EXEC(F32V2ADD) { lanes32<2>(t, c, i, f32add); }
IPUSIM_EXEC(F32V2SUB) { lanes32<2>(t, c, i, f32sub); }
IPUSIM_EXEC(F32V2MUL) { lanes32<2>(t, c, i, f32mul); }
IPUSIM_EXEC(F32V2MAX) { lanes32<2>(t, c, i, f32max); }
IPUSIM_EXEC(F32V2MIN) { lanes32<2>(t, c, i, f32min); }
IPUSIM_EXEC(F32V2CMPEQ) { lanes32<2>(t, c, i, [](uint32_t a, uint32_t b) { return mask(f(a) == f(b)); }); }
IPUSIM_EXEC(F32V2CMPNE) { lanes32<2>(t, c, i, [](uint32_t a, uint32_t b) { return mask(!(f(a) == f(b))); }); }
IPUSIM_EXEC(F32V2CMPLT) { lanes32<2>(t, c, i, [](uint32_t a, uint32_t b) { return mask(f(a) < f(b)); }); }
IPUSIM_EXEC(F32V2CMPLE) { lanes32<2>(t, c, i, [](uint32_t a, uint32_t b) { return mask(f(a) <= f(b)); }); }
IPUSIM_EXEC(F32V2CMPGT) { lanes32<2>(t, c, i, [](uint32_t a, uint32_t b) { return mask(f(a) > f(b)); }); }
IPUSIM_EXEC(F32V2CMPGE) { lanes32<2>(t, c, i, [](uint32_t a, uint32_t b) { return mask(f(a) >= f(b)); }); }
IPUSIM_EXEC(F32V2TOF16) {
  unsigned s = reg(i, 1);
  set1(t, c, i, halves(f32_to_f16(f(c.a[s])), f32_to_f16(f(c.a[s + 1]))));
}
IPUSIM_EXEC(F16V2TOF32) {
  uint32_t v = aval(c, i, 1);
  uint32_t l = f32_bits(f16_to_f32(lo(v))), h = f32_bits(f16_to_f32(hi(v)));
  t.write_a(c, reg(i, 0), l);
  t.write_a(c, reg(i, 0) + 1, h);
}

// f16v2 and f16v4
IPUSIM_EXEC(F16V2ADD) { lanes16<1>(t, c, i, h_add); }
IPUSIM_EXEC(F16V2SUB) { lanes16<1>(t, c, i, h_sub); }
IPUSIM_EXEC(F16V2MUL) { lanes16<1>(t, c, i, h_mul); }
IPUSIM_EXEC(F16V2MAX) { lanes16<1>(t, c, i, h_max); }
IPUSIM_EXEC(F16V2MIN) { lanes16<1>(t, c, i, h_min); }
IPUSIM_EXEC(F16V2CMPEQ) { lanes16<1>(t, c, i, h_eq); }
IPUSIM_EXEC(F16V2CMPNE) { lanes16<1>(t, c, i, h_ne); }
IPUSIM_EXEC(F16V2CMPLT) { lanes16<1>(t, c, i, h_lt); }
IPUSIM_EXEC(F16V2CMPLE) { lanes16<1>(t, c, i, h_le); }
IPUSIM_EXEC(F16V2CMPGT) { lanes16<1>(t, c, i, h_gt); }
IPUSIM_EXEC(F16V2CMPGE) { lanes16<1>(t, c, i, h_ge); }
IPUSIM_EXEC(F16V4ADD) { lanes16<2>(t, c, i, h_add); }
IPUSIM_EXEC(F16V4SUB) { lanes16<2>(t, c, i, h_sub); }
IPUSIM_EXEC(F16V4MUL) { lanes16<2>(t, c, i, h_mul); }
IPUSIM_EXEC(F16V4MAX) { lanes16<2>(t, c, i, h_max); }
IPUSIM_EXEC(F16V4MIN) { lanes16<2>(t, c, i, h_min); }
IPUSIM_EXEC(F16V4CMPEQ) { lanes16<2>(t, c, i, h_eq); }
IPUSIM_EXEC(F16V4CMPNE) { lanes16<2>(t, c, i, h_ne); }
IPUSIM_EXEC(F16V4CMPLT) { lanes16<2>(t, c, i, h_lt); }
IPUSIM_EXEC(F16V4CMPLE) { lanes16<2>(t, c, i, h_le); }
IPUSIM_EXEC(F16V4CMPGT) { lanes16<2>(t, c, i, h_gt); }
IPUSIM_EXEC(F16V4CMPGE) { lanes16<2>(t, c, i, h_ge); }

// Clamps and absolute-value operations.
namespace {
inline uint32_t f32clamp(uint32_t x, uint32_t lo, uint32_t hi) { return f32min(f32max(x, lo), hi); }
inline uint16_t h_clamp(uint16_t x, uint16_t lo, uint16_t hi) { return f16_min(f16_max(x, lo), hi); }
inline uint16_t h_absadd(uint16_t a, uint16_t b) { return f16_add(f16_abs(a), f16_abs(b)); }
inline uint16_t h_absmax(uint16_t a, uint16_t b) { return f16_max(f16_abs(a), f16_abs(b)); }
inline uint32_t f32absadd(uint32_t a, uint32_t b) { return f32add(a & 0x7FFFFFFFu, b & 0x7FFFFFFFu); }
inline uint32_t f32absmax(uint32_t a, uint32_t b) { return f32max(a & 0x7FFFFFFFu, b & 0x7FFFFFFFu); }
} // namespace

IPUSIM_EXEC(F32CLAMP) {
  unsigned b = reg(i, 2);
  set1(t, c, i, f32clamp(aval(c, i, 1), c.a[b], c.a[b + 1]));
}
IPUSIM_EXEC(F32V2CLAMP) {
  unsigned s0 = reg(i, 1), b = reg(i, 2);
  uint32_t lo = c.a[b], hi = c.a[b + 1];
  uint32_t r0 = f32clamp(c.a[s0], lo, hi), r1 = f32clamp(c.a[s0 + 1], lo, hi);
  t.write_a(c, reg(i, 0), r0);
  t.write_a(c, reg(i, 0) + 1, r1);
}
IPUSIM_EXEC(F16V2CLAMP) {
  uint32_t x = aval(c, i, 1), bnd = aval(c, i, 2);
  set1(t, c, i, halves(h_clamp(lo(x), lo(bnd), hi(bnd)), h_clamp(hi(x), lo(bnd), hi(bnd))));
}
IPUSIM_EXEC(F16V4CLAMP) {
  unsigned s0 = reg(i, 1);
  uint32_t bnd = aval(c, i, 2), r[2];
  for (unsigned k = 0; k < 2; ++k)
    r[k] = halves(h_clamp(lo(c.a[s0 + k]), lo(bnd), hi(bnd)), h_clamp(hi(c.a[s0 + k]), lo(bnd), hi(bnd)));
  t.write_a(c, reg(i, 0), r[0]);
  t.write_a(c, reg(i, 0) + 1, r[1]);
}
IPUSIM_EXEC(F32V2ABSADD) { lanes32<2>(t, c, i, f32absadd); }
IPUSIM_EXEC(F16V2ABSADD) { lanes16<1>(t, c, i, h_absadd); }
IPUSIM_EXEC(F16V4ABSADD) { lanes16<2>(t, c, i, h_absadd); }
IPUSIM_EXEC(F32V2ABSMAX) { lanes32<2>(t, c, i, f32absmax); }
IPUSIM_EXEC(F16V2ABSMAX) { lanes16<1>(t, c, i, h_absmax); }
IPUSIM_EXEC(F16V4ABSMAX) { lanes16<2>(t, c, i, h_absmax); }
IPUSIM_EXEC(F32V4TOF16) {
  unsigned s0 = reg(i, 1);
  uint32_t r0 = halves(f32_to_f16(f(c.a[s0])), f32_to_f16(f(c.a[s0 + 1])));
  uint32_t r1 = halves(f32_to_f16(f(c.a[s0 + 2])), f32_to_f16(f(c.a[s0 + 3])));
  t.write_a(c, reg(i, 0), r0);
  t.write_a(c, reg(i, 0) + 1, r1);
}

// Broadcast forms.
IPUSIM_EXEC(F32V2ADD_B) { lanes32_bcast<2>(t, c, i, f32add); }
IPUSIM_EXEC(F32V2SUB_B) { lanes32_bcast<2>(t, c, i, f32sub); }
IPUSIM_EXEC(F32V2MUL_B) { lanes32_bcast<2>(t, c, i, f32mul); }
IPUSIM_EXEC(F32V2CMPEQ_B) { lanes32_bcast<2>(t, c, i, f32eq); }
IPUSIM_EXEC(F32V2CMPNE_B) { lanes32_bcast<2>(t, c, i, f32ne); }
IPUSIM_EXEC(F32V2CMPLT_B) { lanes32_bcast<2>(t, c, i, f32lt); }
IPUSIM_EXEC(F32V2CMPLE_B) { lanes32_bcast<2>(t, c, i, f32le); }
IPUSIM_EXEC(F32V2CMPGT_B) { lanes32_bcast<2>(t, c, i, f32gt); }
IPUSIM_EXEC(F32V2CMPGE_B) { lanes32_bcast<2>(t, c, i, f32ge); }
#define IPUSIM_F16_BCAST(W, N, OP, FN)                                                             \
  IPUSIM_EXEC(F16##W##OP##_BL) { lanes16_bcast<N, false>(t, c, i, FN); }                          \
  IPUSIM_EXEC(F16##W##OP##_BU) { lanes16_bcast<N, true>(t, c, i, FN); }
IPUSIM_F16_BCAST(V2, 1, ADD, h_add)
IPUSIM_F16_BCAST(V2, 1, SUB, h_sub)
IPUSIM_F16_BCAST(V2, 1, MUL, h_mul)
IPUSIM_F16_BCAST(V2, 1, CMPEQ, h_eq)
IPUSIM_F16_BCAST(V2, 1, CMPNE, h_ne)
IPUSIM_F16_BCAST(V2, 1, CMPLT, h_lt)
IPUSIM_F16_BCAST(V2, 1, CMPLE, h_le)
IPUSIM_F16_BCAST(V2, 1, CMPGT, h_gt)
IPUSIM_F16_BCAST(V2, 1, CMPGE, h_ge)
IPUSIM_F16_BCAST(V4, 2, ADD, h_add)
IPUSIM_F16_BCAST(V4, 2, SUB, h_sub)
IPUSIM_F16_BCAST(V4, 2, MUL, h_mul)
IPUSIM_F16_BCAST(V4, 2, CMPEQ, h_eq)
IPUSIM_F16_BCAST(V4, 2, CMPNE, h_ne)
IPUSIM_F16_BCAST(V4, 2, CMPLT, h_lt)
IPUSIM_F16_BCAST(V4, 2, CMPLE, h_le)
IPUSIM_F16_BCAST(V4, 2, CMPGT, h_gt)
IPUSIM_F16_BCAST(V4, 2, CMPGE, h_ge)
#undef IPUSIM_F16_BCAST

} // namespace ipusim::tile
