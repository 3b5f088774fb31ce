// Instructions that keep their results in the accumulator state $AACC
// (Context::aacc, fp32 bit patterns): multiply-accumulate (f32mac, f32v2mac,
// f16v2cmac, f16v4cmac), the accumulating reductions (f16v4acc, f16v8acc,
// f32v4acc and their sq/abs forms), f32v2axpy and f16v4mix.
//
// Layout (docs/model.md): lane j of these instructions is $AACC[2j]. That is
// the order in which f32v2gina/f16v2gina with immediate 0 read the state
// ($AACC[0] and [2], then the next pair moves down), which is how poplibs
// reads them: ReduceAdd reads f16v8acc's eight column sums with four
// f32v2gina in column order, and the sparse GradW codelet sums f32v4acc,
// f32v2mac and f32mac results with one gina.
//
// Arithmetic is fp32 with round to nearest even; products of halves are
// exact in fp32, products of singles are rounded before they are added (no
// fused multiply-add: the IPU's internal widths are not public). A new state
// is committed only after the flags (a trapped instruction changes nothing).
#include "models/tile/fp_env.hpp"
#include "models/tile/semantics.hpp"

namespace ipusim::tile {

namespace {

inline uint16_t lane16(const Context &c, unsigned first_reg, unsigned j) {
  return static_cast<uint16_t>(c.a[first_reg + j / 2] >> (16 * (j % 2)));
}
// A half as an fp32 bit pattern (exact; invalid for a signalling NaN).
inline uint32_t widen(FpEnv &e, uint16_t h) { return f32_bits(f16_to_f32(h, e.flags())); }

// $AACC[2j] += add[j] for j < N, in fp32.
template <unsigned N> inline void accumulate(FpEnv &e, Context &c, const uint32_t (&add)[N]) {
  uint32_t next[N];
  for (unsigned j = 0; j < N; ++j) next[j] = f32_add_bits(c.aacc[2 * j], add[j], e.flags());
  e.commit();
  for (unsigned j = 0; j < N; ++j) c.aacc[2 * j] = next[j];
}

enum class Term { value, square, absolute };

// f16v4acc/f16v8acc and their sq/abs forms: N halves from the register(s) at src.
template <unsigned N, Term T> inline void acc_halves(TileCore &t, Context &c, const isa::Instruction &i) {
  FpEnv env(t, c);
  uint32_t add[N];
  for (unsigned j = 0; j < N; ++j) {
    uint16_t h = lane16(c, reg(i, 0), j);
    if (T == Term::absolute) h = f16_abs(h);
    const uint32_t x = widen(env, h);
    add[j] = T == Term::square ? f32_mul_bits(x, x, env.flags()) : x;  // exact for a half
  }
  accumulate<N>(env, c, add);
}
// f32v4acc and its sq/abs forms.
template <Term T> inline void acc_singles(TileCore &t, Context &c, const isa::Instruction &i) {
  FpEnv env(t, c);
  uint32_t add[4];
  for (unsigned j = 0; j < 4; ++j) {
    uint32_t x = c.a[reg(i, 0) + j];
    if (T == Term::absolute) x &= 0x7FFFFFFFu;
    add[j] = T == Term::square ? f32_mul_bits(x, x, env.flags()) : x;
  }
  accumulate<4>(env, c, add);
}

// The fp32 product of two halves (exact).
inline uint32_t half_product(FpEnv &e, uint16_t a, uint16_t b) {
  return f32_mul_bits(widen(e, a), widen(e, b), e.flags());
}
// f16v2cmac/f16v4cmac: N pairs of halves; pair j adds p(2j) + p(2j+1),
// summed in fp32 ("lateral sum"), to $AACC[2j].
template <unsigned N> inline void cmac(TileCore &t, Context &c, const isa::Instruction &i) {
  FpEnv env(t, c);
  uint32_t add[N];
  for (unsigned j = 0; j < N; ++j) {
    const uint32_t a = c.a[reg(i, 0) + j], b = c.a[reg(i, 1) + j];
    const uint32_t p0 = half_product(env, static_cast<uint16_t>(a), static_cast<uint16_t>(b));
    const uint32_t p1 = half_product(env, static_cast<uint16_t>(a >> 16), static_cast<uint16_t>(b >> 16));
    add[j] = f32_add_bits(p0, p1, env.flags());
  }
  accumulate<N>(env, c, add);
}

} // namespace

IPUSIM_EXEC(F32MAC) {
  FpEnv env(t, c);
  const uint32_t add[1] = {f32_mul_bits(aval(c, i, 0), aval(c, i, 1), env.flags())};
  accumulate<1>(env, c, add);
}
IPUSIM_EXEC(F32V2MAC) {
  FpEnv env(t, c);
  const unsigned a = reg(i, 0), b = reg(i, 1);
  uint32_t add[2];
  for (unsigned j = 0; j < 2; ++j) add[j] = f32_mul_bits(c.a[a + j], c.a[b + j], env.flags());
  accumulate<2>(env, c, add);
}
IPUSIM_EXEC(F16V2CMAC) { cmac<1>(t, c, i); }
IPUSIM_EXEC(F16V4CMAC) { cmac<2>(t, c, i); }
IPUSIM_EXEC(F16V4ACC) { acc_halves<4, Term::value>(t, c, i); }
IPUSIM_EXEC(F16V8ACC) { acc_halves<8, Term::value>(t, c, i); }
IPUSIM_EXEC(F16V8SQACC) { acc_halves<8, Term::square>(t, c, i); }
IPUSIM_EXEC(F16V4ABSACC) { acc_halves<4, Term::absolute>(t, c, i); }
IPUSIM_EXEC(F16V8ABSACC) { acc_halves<8, Term::absolute>(t, c, i); }
IPUSIM_EXEC(F32V4ACC) { acc_singles<Term::value>(t, c, i); }
IPUSIM_EXEC(F32V4SQACC) { acc_singles<Term::square>(t, c, i); }
IPUSIM_EXEC(F32V4ABSACC) { acc_singles<Term::absolute>(t, c, i); }

// z = a x + y with a = $TAS (a single): the destination gets the previous
// state {$AACC[0], $AACC[2]}, the state becomes z (ISA text).
IPUSIM_EXEC(F32V2AXPY) {
  FpEnv env(t, c);
  const unsigned x = reg(i, 1), y = reg(i, 2);
  const uint32_t prev[2] = {c.aacc[0], c.aacc[2]};
  uint32_t z[2];
  for (unsigned j = 0; j < 2; ++j)
    z[j] = f32_add_bits(f32_mul_bits(c.tas, c.a[x + j], env.flags()), c.a[y + j], env.flags());
  env.commit();
  c.aacc[0] = z[0];
  c.aacc[2] = z[1];
  t.write_a(c, reg(i, 0), prev[0]);
  t.write_a(c, reg(i, 0) + 1, prev[1]);
}

// z = a x + b y on four halves with a = $TAS[15:0], b = $TAS[31:16]
// (poplibs' gelu codelets pack $TAS so). The exact products are summed in
// fp32 into $AACC[2j]; the destination gets the previous state read as
// halves, rounded like every fp16 result ($FP_CTL.ESR, NANOO).
IPUSIM_EXEC(F16V4MIX) {
  FpEnv env(t, c);
  uint16_t prev[4];
  for (unsigned j = 0; j < 4; ++j) prev[j] = env.f16_from_f32(c.aacc[2 * j]);
  const uint16_t a = static_cast<uint16_t>(c.tas), b = static_cast<uint16_t>(c.tas >> 16);
  uint32_t z[4];
  for (unsigned j = 0; j < 4; ++j) {
    const uint32_t ax = half_product(env, a, lane16(c, reg(i, 1), j));
    const uint32_t by = half_product(env, b, lane16(c, reg(i, 2), j));
    z[j] = f32_add_bits(ax, by, env.flags());
  }
  env.commit();
  for (unsigned j = 0; j < 4; ++j) c.aacc[2 * j] = z[j];
  t.write_a(c, reg(i, 0), prev[0] | (static_cast<uint32_t>(prev[1]) << 16));
  t.write_a(c, reg(i, 0) + 1, prev[2] | (static_cast<uint32_t>(prev[3]) << 16));
}

} // namespace ipusim::tile
