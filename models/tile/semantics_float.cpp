// Floating point on the ARF (aux pipeline): f32 scalar, f32v2, f16v2, f16v4
// and conversions. fp16 results are computed exactly and rounded once
// (sim/numeric/half.hpp), to nearest even or, with $FP_CTL.ESR, stochastically;
// an fp16 overflow clips to +-65504, or gives NaN with $FP_CTL.NANOO. fp32
// uses the host's IEEE binary32 arithmetic, which rounds to nearest even
// (sim/numeric/float32.hpp). Every instruction records invalid, divide-by-zero
// and overflow in $FP_STS and faults when $FP_CTL enables one (models/tile/fp_env.hpp).
// A NaN result of arithmetic is the canonical quiet NaN (0x7FC00000 / 0x7E00):
// the IPU's NaN payload rules are not public, and this keeps results
// independent of the host.
#include <cmath>
#include <limits>

#include "models/tile/fp_env.hpp"
#include "models/tile/semantics.hpp"

namespace ipusim::tile {

namespace {

inline uint32_t mask(bool b) { return b ? 0xFFFFFFFFu : 0u; }
inline uint16_t lo(uint32_t v) { return static_cast<uint16_t>(v); }
inline uint16_t hi(uint32_t v) { return static_cast<uint16_t>(v >> 16); }
inline uint32_t halves(uint16_t l, uint16_t h) { return l | (static_cast<uint32_t>(h) << 16); }

// Writes N consecutive ARF registers from dst after the environment has
// committed (an enabled exception faults before anything is written).
template <unsigned N> inline void commit_write(FpEnv &env, TileCore &t, Context &c, unsigned dst, const uint32_t *r) {
  env.commit();
  for (unsigned k = 0; k < N; ++k) t.write_a(c, dst + k, r[k]);
}

// Apply a binary operation op(env, a, b) to each 32-bit lane of N ARF registers.
template <unsigned N, typename Op>
inline void lanes32(TileCore &t, Context &c, const isa::Instruction &i, Op op) {
  FpEnv env(t, c);
  uint32_t r[N];
  for (unsigned k = 0; k < N; ++k) r[k] = op(env, c.a[reg(i, 1) + k], c.a[reg(i, 2) + k]);
  commit_write<N>(env, t, c, reg(i, 0), r);
}
// Apply a binary operation to each 16-bit lane of N ARF registers.
template <unsigned N, typename Op>
inline void lanes16(TileCore &t, Context &c, const isa::Instruction &i, Op op) {
  FpEnv env(t, c);
  uint32_t r[N];
  for (unsigned k = 0; k < N; ++k) {
    uint32_t a = c.a[reg(i, 1) + k], b = c.a[reg(i, 2) + k];
    uint16_t l = op(env, lo(a), lo(b));
    r[k] = halves(l, op(env, hi(a), hi(b)));
  }
  commit_write<N>(env, t, c, reg(i, 0), r);
}

// The same with src0 replaced by a broadcast value (the :B, :BL, :BU forms).
template <unsigned N, typename Op>
inline void lanes32_bcast(TileCore &t, Context &c, const isa::Instruction &i, Op op) {
  FpEnv env(t, c);
  uint32_t a = c.a[reg(i, 1)], r[N];
  for (unsigned k = 0; k < N; ++k) r[k] = op(env, a, c.a[reg(i, 2) + k]);
  commit_write<N>(env, t, c, reg(i, 0), r);
}
template <unsigned N, bool High, typename Op>
inline void lanes16_bcast(TileCore &t, Context &c, const isa::Instruction &i, Op op) {
  FpEnv env(t, c);
  uint16_t a = High ? hi(c.a[reg(i, 1)]) : lo(c.a[reg(i, 1)]);
  uint32_t r[N];
  for (unsigned k = 0; k < N; ++k) {
    uint32_t b = c.a[reg(i, 2) + k];
    uint16_t l = op(env, a, lo(b));
    r[k] = halves(l, op(env, a, hi(b)));
  }
  commit_write<N>(env, t, c, reg(i, 0), r);
}

constexpr uint32_t kAbs32 = 0x7FFFFFFFu;

inline uint32_t f32add(FpEnv &e, uint32_t a, uint32_t b) { return f32_add_bits(a, b, e.flags()); }
inline uint32_t f32sub(FpEnv &e, uint32_t a, uint32_t b) { return f32_sub_bits(a, b, e.flags()); }
inline uint32_t f32mul(FpEnv &e, uint32_t a, uint32_t b) { return f32_mul_bits(a, b, e.flags()); }
inline uint32_t f32div(FpEnv &e, uint32_t a, uint32_t b) { return f32_div_bits(a, b, e.flags()); }
inline uint32_t f32max(FpEnv &e, uint32_t a, uint32_t b) { return f32_max_bits(a, b, e.flags()); }
inline uint32_t f32min(FpEnv &e, uint32_t a, uint32_t b) { return f32_min_bits(a, b, e.flags()); }
inline uint32_t f32absadd(FpEnv &e, uint32_t a, uint32_t b) { return f32_add_bits(a & kAbs32, b & kAbs32, e.flags()); }
inline uint32_t f32absmax(FpEnv &e, uint32_t a, uint32_t b) { return f32_max_bits(a & kAbs32, b & kAbs32, e.flags()); }
template <CmpOp Op> inline uint32_t f32cmp(FpEnv &e, uint32_t a, uint32_t b) {
  return mask(f32_compare(Op, a, b, e.flags()));
}

inline uint16_t h_add(FpEnv &e, uint16_t a, uint16_t b) { return e.f16_add(a, b); }
inline uint16_t h_sub(FpEnv &e, uint16_t a, uint16_t b) { return e.f16_sub(a, b); }
inline uint16_t h_mul(FpEnv &e, uint16_t a, uint16_t b) { return e.f16_mul(a, b); }
inline uint16_t h_max(FpEnv &e, uint16_t a, uint16_t b) { return f16_max(a, b, e.flags()); }
inline uint16_t h_min(FpEnv &e, uint16_t a, uint16_t b) { return f16_min(a, b, e.flags()); }
inline uint16_t h_absadd(FpEnv &e, uint16_t a, uint16_t b) { return e.f16_add(f16_abs(a), f16_abs(b)); }
inline uint16_t h_absmax(FpEnv &e, uint16_t a, uint16_t b) { return f16_max(f16_abs(a), f16_abs(b), e.flags()); }
inline uint16_t hmask(bool b) { return b ? 0xFFFF : 0; }
inline uint16_t h_eq(FpEnv &e, uint16_t a, uint16_t b) { return hmask(f16_cmpeq(a, b, e.flags())); }
inline uint16_t h_ne(FpEnv &e, uint16_t a, uint16_t b) { return hmask(f16_cmpne(a, b, e.flags())); }
inline uint16_t h_lt(FpEnv &e, uint16_t a, uint16_t b) { return hmask(f16_cmplt(a, b, e.flags())); }
inline uint16_t h_le(FpEnv &e, uint16_t a, uint16_t b) { return hmask(f16_cmple(a, b, e.flags())); }
inline uint16_t h_gt(FpEnv &e, uint16_t a, uint16_t b) { return hmask(f16_cmpgt(a, b, e.flags())); }
inline uint16_t h_ge(FpEnv &e, uint16_t a, uint16_t b) { return hmask(f16_cmpge(a, b, e.flags())); }

// f32 -> integer with round-to-nearest-even, saturating. NaN gives 0; a NaN
// or a value outside the integer range raises invalid, as IEEE 754 specifies
// for conversions to integer (the saturated values are an assumption).
template <typename I> inline I to_int(uint32_t bits, FpFlags *f) {
  const float x = f32_from_bits(bits);
  if (std::isnan(x)) {
    f->invalid = true;
    return 0;
  }
  const double r = std::nearbyint(static_cast<double>(x));
  const double min = static_cast<double>(std::numeric_limits<I>::min());
  const double max = static_cast<double>(std::numeric_limits<I>::max());
  if (r < min || r > max) {
    f->invalid = true;
    return r < min ? std::numeric_limits<I>::min() : std::numeric_limits<I>::max();
  }
  return static_cast<I>(r);
}

// A one-register result computed through an environment.
template <typename Fn> inline void set1(TileCore &t, Context &c, const isa::Instruction &i, Fn fn) {
  FpEnv env(t, c);
  const uint32_t r = fn(env);
  commit_write<1>(env, t, c, reg(i, 0), &r);
}

} // namespace

// f32 scalar
IPUSIM_EXEC(F32ADD) { lanes32<1>(t, c, i, f32add); }
IPUSIM_EXEC(F32SUB) { lanes32<1>(t, c, i, f32sub); }
IPUSIM_EXEC(F32MUL) { lanes32<1>(t, c, i, f32mul); }
IPUSIM_EXEC(F32MAX) { lanes32<1>(t, c, i, f32max); }
IPUSIM_EXEC(F32MIN) { lanes32<1>(t, c, i, f32min); }
IPUSIM_EXEC(F32ABSADD) { lanes32<1>(t, c, i, f32absadd); }
IPUSIM_EXEC(F32ABSMAX) { lanes32<1>(t, c, i, f32absmax); }
IPUSIM_EXEC(F32CMPEQ) { lanes32<1>(t, c, i, f32cmp<CmpOp::eq>); }
IPUSIM_EXEC(F32CMPNE) { lanes32<1>(t, c, i, f32cmp<CmpOp::ne>); }
IPUSIM_EXEC(F32CMPLT) { lanes32<1>(t, c, i, f32cmp<CmpOp::lt>); }
IPUSIM_EXEC(F32CMPLE) { lanes32<1>(t, c, i, f32cmp<CmpOp::le>); }
IPUSIM_EXEC(F32CMPGT) { lanes32<1>(t, c, i, f32cmp<CmpOp::gt>); }
IPUSIM_EXEC(F32CMPGE) { lanes32<1>(t, c, i, f32cmp<CmpOp::ge>); }
IPUSIM_EXEC(F32DIV) { lanes32<1>(t, c, i, f32div); }
IPUSIM_EXEC(F32SQRT) { set1(t, c, i, [&](FpEnv &e) { return f32_sqrt_bits(aval(c, i, 1), e.flags()); }); }
IPUSIM_EXEC(F32FROMI32) {
  set1(t, c, i, [&](FpEnv &) { return f32_bits(static_cast<float>(static_cast<int32_t>(aval(c, i, 1)))); });
}
IPUSIM_EXEC(F32FROMUI32) { set1(t, c, i, [&](FpEnv &) { return f32_bits(static_cast<float>(aval(c, i, 1))); }); }
IPUSIM_EXEC(F32TOI32) {
  set1(t, c, i, [&](FpEnv &e) { return static_cast<uint32_t>(to_int<int32_t>(aval(c, i, 1), e.flags())); });
}
IPUSIM_EXEC(F32TOUI32) { set1(t, c, i, [&](FpEnv &e) { return to_int<uint32_t>(aval(c, i, 1), e.flags()); }); }
IPUSIM_EXEC(F32TOF16) {
  set1(t, c, i, [&](FpEnv &e) {
    uint16_t h = e.f16_from_f32(aval(c, i, 1));
    return halves(h, h);
  });
}
IPUSIM_EXEC(F16TOF32) {
  set1(t, c, i, [&](FpEnv &e) { return f32_bits(f16_to_f32(lo(aval(c, i, 1)), e.flags())); });
}

// f32v2
IPUSIM_EXEC(F32V2ADD) { lanes32<2>(t, c, i, f32add); }
IPUSIM_EXEC(F32V2SUB) { lanes32<2>(t, c, i, f32sub); }
IPUSIM_EXEC(F32V2MUL) { lanes32<2>(t, c, i, f32mul); }
IPUSIM_EXEC(F32V2MAX) { lanes32<2>(t, c, i, f32max); }
IPUSIM_EXEC(F32V2MIN) { lanes32<2>(t, c, i, f32min); }
IPUSIM_EXEC(F32V2CMPEQ) { lanes32<2>(t, c, i, f32cmp<CmpOp::eq>); }
IPUSIM_EXEC(F32V2CMPNE) { lanes32<2>(t, c, i, f32cmp<CmpOp::ne>); }
IPUSIM_EXEC(F32V2CMPLT) { lanes32<2>(t, c, i, f32cmp<CmpOp::lt>); }
IPUSIM_EXEC(F32V2CMPLE) { lanes32<2>(t, c, i, f32cmp<CmpOp::le>); }
IPUSIM_EXEC(F32V2CMPGT) { lanes32<2>(t, c, i, f32cmp<CmpOp::gt>); }
IPUSIM_EXEC(F32V2CMPGE) { lanes32<2>(t, c, i, f32cmp<CmpOp::ge>); }
IPUSIM_EXEC(F32V2TOF16) {
  set1(t, c, i, [&](FpEnv &e) {
    unsigned s = reg(i, 1);
    uint16_t l = e.f16_from_f32(c.a[s]);
    return halves(l, e.f16_from_f32(c.a[s + 1]));
  });
}
IPUSIM_EXEC(F16V2TOF32) {
  FpEnv env(t, c);
  uint32_t v = aval(c, i, 1);
  uint32_t r[2] = {f32_bits(f16_to_f32(lo(v), env.flags())), f32_bits(f16_to_f32(hi(v), env.flags()))};
  commit_write<2>(env, t, c, reg(i, 0), r);
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
inline uint32_t f32clamp(FpEnv &e, uint32_t x, uint32_t lo, uint32_t hi) { return f32min(e, f32max(e, x, lo), hi); }
inline uint16_t h_clamp(FpEnv &e, uint16_t x, uint16_t lo, uint16_t hi) { return h_min(e, h_max(e, x, lo), hi); }
} // namespace

IPUSIM_EXEC(F32CLAMP) {
  unsigned b = reg(i, 2);
  set1(t, c, i, [&](FpEnv &e) { return f32clamp(e, aval(c, i, 1), c.a[b], c.a[b + 1]); });
}
IPUSIM_EXEC(F32V2CLAMP) {
  FpEnv env(t, c);
  unsigned s0 = reg(i, 1), b = reg(i, 2);
  uint32_t lo = c.a[b], hi = c.a[b + 1];
  uint32_t r[2] = {f32clamp(env, c.a[s0], lo, hi), f32clamp(env, c.a[s0 + 1], lo, hi)};
  commit_write<2>(env, t, c, reg(i, 0), r);
}
IPUSIM_EXEC(F16V2CLAMP) {
  set1(t, c, i, [&](FpEnv &e) {
    uint32_t x = aval(c, i, 1), bnd = aval(c, i, 2);
    uint16_t l = h_clamp(e, lo(x), lo(bnd), hi(bnd));
    return halves(l, h_clamp(e, hi(x), lo(bnd), hi(bnd)));
  });
}
IPUSIM_EXEC(F16V4CLAMP) {
  FpEnv env(t, c);
  unsigned s0 = reg(i, 1);
  uint32_t bnd = aval(c, i, 2), r[2];
  for (unsigned k = 0; k < 2; ++k) {
    uint16_t l = h_clamp(env, lo(c.a[s0 + k]), lo(bnd), hi(bnd));
    r[k] = halves(l, h_clamp(env, hi(c.a[s0 + k]), lo(bnd), hi(bnd)));
  }
  commit_write<2>(env, t, c, reg(i, 0), r);
}
IPUSIM_EXEC(F32V2ABSADD) { lanes32<2>(t, c, i, f32absadd); }
IPUSIM_EXEC(F16V2ABSADD) { lanes16<1>(t, c, i, h_absadd); }
IPUSIM_EXEC(F16V4ABSADD) { lanes16<2>(t, c, i, h_absadd); }
IPUSIM_EXEC(F32V2ABSMAX) { lanes32<2>(t, c, i, f32absmax); }
IPUSIM_EXEC(F16V2ABSMAX) { lanes16<1>(t, c, i, h_absmax); }
IPUSIM_EXEC(F16V4ABSMAX) { lanes16<2>(t, c, i, h_absmax); }
IPUSIM_EXEC(F32V4TOF16) {
  FpEnv env(t, c);
  unsigned s0 = reg(i, 1);
  uint32_t r[2];
  for (unsigned k = 0; k < 2; ++k) {
    uint16_t l = env.f16_from_f32(c.a[s0 + 2 * k]);
    r[k] = halves(l, env.f16_from_f32(c.a[s0 + 2 * k + 1]));
  }
  commit_write<2>(env, t, c, reg(i, 0), r);
}

// Broadcast forms.
IPUSIM_EXEC(F32V2ADD_B) { lanes32_bcast<2>(t, c, i, f32add); }
IPUSIM_EXEC(F32V2SUB_B) { lanes32_bcast<2>(t, c, i, f32sub); }
IPUSIM_EXEC(F32V2MUL_B) { lanes32_bcast<2>(t, c, i, f32mul); }
IPUSIM_EXEC(F32V2CMPEQ_B) { lanes32_bcast<2>(t, c, i, f32cmp<CmpOp::eq>); }
IPUSIM_EXEC(F32V2CMPNE_B) { lanes32_bcast<2>(t, c, i, f32cmp<CmpOp::ne>); }
IPUSIM_EXEC(F32V2CMPLT_B) { lanes32_bcast<2>(t, c, i, f32cmp<CmpOp::lt>); }
IPUSIM_EXEC(F32V2CMPLE_B) { lanes32_bcast<2>(t, c, i, f32cmp<CmpOp::le>); }
IPUSIM_EXEC(F32V2CMPGT_B) { lanes32_bcast<2>(t, c, i, f32cmp<CmpOp::gt>); }
IPUSIM_EXEC(F32V2CMPGE_B) { lanes32_bcast<2>(t, c, i, f32cmp<CmpOp::ge>); }
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
