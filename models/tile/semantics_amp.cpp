// The AMP: accumulating matrix-vector products, the common weight state and
// the accumulators. What is public (the ISA text's example sequences, poplibs'
// use of the instructions; ipu-reference.md §2 "AMP") fixes the data flow;
// the arithmetic inside a conv unit is not public, so ipusim defines it
// (docs/model.md, "The AMP"):
//
// * An AMP set has 8 conv units. Unit u of set s holds four 64-bit weight
//   words CW[u][n] (n = 0..3) in common weight slot s*32 + u*4 + n, shared by
//   every context of the tile and written by ld64putcs / ld128putcs.
// * Each context has its own accumulators $AACC: for unit u of set s,
//   AACC[16s + 2u] is the running sum and AACC[16s + 2u + 1] its buffer, which
//   holds the partial sum for the next group on the way in and the result of
//   the previous group on the way out.
// * A group is four instructions, phases 0..3 (the TAMP_* operand). At phase
//   0 every unit swaps: its buffer (the partial sums fed during the previous
//   group) becomes the running sum and the finished sum goes to the buffer.
//   At phase p every unit adds x . CW[u][p]. The buffers form a chain through
//   the units: each step hands out the buffers of units 0 and 1 (of set 0,
//   and of set 1 for the v4 forms), shifts the chain down by two units and
//   takes the new partial sums into units 6 and 7. Over a group's phases
//   0..3 that is units 2p, 2p+1 out and in at phase p, and results appear one
//   group after their last input; the first group after zeroing
//   ($FP_CLR.ZAACC) yields zeros: the 4-instruction pipeline fill. The chain,
//   rather than a slot chosen by the phase, is what poplibs' FP8 convolution
//   relies on: it primes the partial sums with four phase-1 steps
//   (poplin/codelets/inlineAssemblerConv.hpp, convQuarterHalfLoop).
// * Arithmetic: half products are exact in fp32; the four products of a dot
//   step are added pairwise, ((p0 + p1) + (p2 + p3)), and the sum is added to
//   the running sum, each addition rounded to fp32 (nearest even). Half
//   partial sums widen exactly; half results are rounded once, from fp32, as
//   every fp16 result is ($FP_CTL.ESR: stochastically; overflow clips to
//   +-65504, or NaN with $FP_CTL.NANOO; the flags go to $FP_STS). fp32
//   overflow inside the sums is not flagged (an assumption of the model).
//   The fp16 forms' sums are computed in models/tile/amp_arith.cpp, the
//   units as SIMD lanes on weights widened to fp32 when they are loaded.
#include "models/tile/amp_arith.hpp"
#include "models/tile/fp_env.hpp"
#include "models/tile/semantics.hpp"
#include "sim/numeric/fp8.hpp"
#include "sim/numeric/half.hpp"

#include <cmath>

#include <fmt/format.h>

namespace ipusim::tile {

namespace {

inline float fl(uint32_t b) { return f32_from_bits(b); }
inline uint32_t bits(float x) { return f32_bits(f32_canonicalize_nan(x)); }
inline uint16_t half_at(uint64_t v, unsigned k) { return static_cast<uint16_t>(v >> (16 * k)); }

[[noreturn, gnu::noinline]] void phase_fault(TileCore &t, unsigned p, unsigned phases) {
  t.fault(FaultKind::bad_operand, fmt::format("{}AMP phase {} is out of range: ipusim's TAMP_{}* phases are 0..{}",
                                              phases == 8 ? "fp32 " : "", p, phases == 8 ? "F32_" : "", phases - 1));
}

// The phase operand: 0..3 for the fp16 and FP8 forms, 0..7 for the fp32 ones.
inline unsigned phase_of(TileCore &t, const isa::Instruction &i, unsigned operand, unsigned phases = 4) {
  unsigned p = static_cast<unsigned>(i.v[operand]);
  if (p >= phases) phase_fault(t, p, phases);
  return p;
}

[[noreturn, gnu::noinline]] void sets_fault(TileCore &t, unsigned sets, const char *what) {
  t.fault(FaultKind::bad_operand, fmt::format("{} needs {} AMP sets; machine '{}' has {} (tile.amp_sets)", what, sets,
                                              t.params().machine_name, t.params().amp_sets));
}

inline void need_sets(TileCore &t, unsigned sets, const char *what) {
  if (t.params().amp_sets < sets) sets_fault(t, sets, what);
}

// Moves the buffers' chain one step: units 0, 1 hand their buffers out, the
// others move down two units, units 6, 7 take the partial sums `in`.
inline void shift_chain(uint32_t *acc, const uint32_t in[2], uint32_t out[2]) {
  out[0] = acc[1];
  out[1] = acc[3];
  for (unsigned u = 0; u < 6; ++u) acc[2 * u + 1] = acc[2 * u + 5];
  acc[13] = in[0];
  acc[15] = in[1];
}

// One step of the pipeline on one set's accumulators: at phase 0 every unit
// swaps running sum and buffer, every unit adds dot(u), and the buffers'
// chain moves (partial sums in, results out). (The fp16 forms do the same in
// amp_f16_step, models/tile/amp_arith.cpp.)
template <typename Dot>
void pipeline_step(uint32_t *acc, unsigned phase, Dot dot, const uint32_t in[2], uint32_t out[2]) {
  if (phase == 0)
    for (unsigned u = 0; u < 8; ++u) std::swap(acc[2 * u], acc[2 * u + 1]);
  for (unsigned u = 0; u < 8; ++u) acc[2 * u] = bits(fl(acc[2 * u]) + dot(u));
  shift_chain(acc, in, out);
}

// The fp16 forms on set 0: x is the input vector (4 halves).
void half_step(TileCore &t, Context &c, unsigned phase, uint64_t x, const uint32_t in[2], uint32_t out[2]) {
  amp_f16_step(c.aacc.data(), t.amp_weights(), 1, phase, x, in, out);
}

inline uint32_t widen(uint16_t h) { return f16_to_f32_bits(h); }

} // namespace

// ---- weights ----------------------------------------------------------------------------------

IPUSIM_EXEC(LD64PUTCS) {
  unsigned slot = static_cast<unsigned>(i.v[0]);
  if (slot >= 32 * t.params().amp_sets)
    t.fault(FaultKind::bad_operand, fmt::format("ld64putcs: weight slot {} does not exist with {} AMP set(s)", slot,
                                                t.params().amp_sets));
  uint32_t &addr = t.cccsload();
  t.set_cwei(slot, t.load<uint64_t>(c, addr));
  addr += 8;
}

IPUSIM_EXEC(LD128PUTCS) {
  unsigned slot = static_cast<unsigned>(i.v[0]);
  if (slot % 2) t.fault(FaultKind::bad_operand, fmt::format("ld128putcs: weight slot {} is odd (the slot must be even)", slot));
  if (slot + 1 >= 32 * t.params().amp_sets)
    t.fault(FaultKind::bad_operand, fmt::format("ld128putcs: weight slots {}, {} do not exist with {} AMP set(s)", slot,
                                                slot + 1, t.params().amp_sets));
  uint32_t &addr = t.cccsload();
  t.check_address(addr, 16, false); // 128-bit: interleaved memory only
  ++c.stats.loads;
  t.set_cwei(slot, t.sram().read<uint64_t>(addr));
  t.set_cwei(slot + 1, t.sram().read<uint64_t>(addr + 8));
  addr += 16;
}

// ---- fp16 products ----------------------------------------------------------------------------

IPUSIM_EXEC(F16V4SISOAMP) {
  unsigned p = phase_of(t, i, 3);
  uint32_t in[2] = {c.a[reg(i, 2)], c.a[reg(i, 2) + 1]}, out[2];
  half_step(t, c, p, apair(c, reg(i, 1)), in, out);
  t.write_a(c, reg(i, 0), out[0]);
  t.write_a(c, reg(i, 0) + 1, out[1]);
}

namespace {
// One set-0 step whose two results leave as halves in the destination register.
void half_out_step(TileCore &t, Context &c, const isa::Instruction &i, const uint32_t in[2]) {
  uint32_t out[2];
  half_step(t, c, phase_of(t, i, 3), apair(c, reg(i, 1)), in, out);
  FpEnv env(t, c);
  uint32_t r = env.f16x2_from_f32(out[0], out[1]);
  env.commit();
  t.write_a(c, reg(i, 0), r);
}
} // namespace

IPUSIM_EXEC(F16V4HIHOAMP) {
  uint32_t src = c.a[reg(i, 2)];
  uint32_t in[2] = {widen(static_cast<uint16_t>(src)), widen(static_cast<uint16_t>(src >> 16))};
  half_out_step(t, c, i, in);
}

IPUSIM_EXEC(F16V4SIHOAMP) {
  uint32_t in[2] = {c.a[reg(i, 2)], c.a[reg(i, 2) + 1]};
  half_out_step(t, c, i, in);
}

namespace {
// Both sets on the same input: output channels 4p..4p+3 of a group are
// units 2p, 2p+1 of set 0 then of set 1 (the order poplibs' 16-engine weight
// load, slots 0-6 then 32-38, implies). steps(p, in, out) runs phase p on
// both sets, in[2s], in[2s+1] set s's partial sums in and out[2s],
// out[2s+1] its results out; four half partial sums in, four half results out.
template <typename Steps>
void v4_half_step(TileCore &t, Context &c, const isa::Instruction &i, const char *what, Steps steps) {
  need_sets(t, 2, what);
  unsigned p = phase_of(t, i, 3);
  uint64_t partials = apair(c, reg(i, 2));
  uint32_t in[4] = {widen(half_at(partials, 0)), widen(half_at(partials, 1)), widen(half_at(partials, 2)),
                    widen(half_at(partials, 3))};
  uint32_t out[4];
  steps(p, in, out);
  uint64_t halves;
  if (!(c.fp_ctl & isa::csr::FP_CTL_ESR) && round4_to_f16_simple(out, halves)) { // no flag to record
    t.write_a(c, reg(i, 0), static_cast<uint32_t>(halves));
    t.write_a(c, reg(i, 0) + 1, static_cast<uint32_t>(halves >> 32));
    return;
  }
  FpEnv env(t, c);
  uint32_t r0 = env.f16x2_from_f32(out[0], out[1]);
  uint32_t r1 = env.f16x2_from_f32(out[2], out[3]);
  env.commit();
  t.write_a(c, reg(i, 0), r0);
  t.write_a(c, reg(i, 0) + 1, r1);
}

} // namespace

IPUSIM_EXEC(F16V4HIHOV4AMP) {
  uint64_t x = apair(c, reg(i, 1));
  v4_half_step(t, c, i, "f16v4hihov4amp", [&](unsigned p, const uint32_t *in, uint32_t *out) {
    amp_f16_step(c.aacc.data(), t.amp_weights(), 2, p, x, in, out);
  });
}

// ---- fp32 products ----------------------------------------------------------------------------
// The fp32 forms run groups of 8 phases (TAMP_F32_E4_P0..P7; poplibs' float convolutions and
// sparse matmuls step through all eight): a unit's four weight words are eight fp32 weights, and
// phase p multiplies one fp32 input by weight p, the low (even p) or high (odd p) half of word
// p / 2. Products and sums are rounded to fp32. At phase 0 every unit swaps running sum and buffer,
// as in the fp16 forms.
// The buffers' chain moves as in the fp16 forms (shift_chain), on fewer steps:
// * f32sisoamp (8 units of set 0, 8 MACs): the chain moves at even phases, so over a group
//   phase p (even) hands out units p, p+1 and fills them; odd phases move nothing and write +0.0
//   to the destination (poplibs passes zero partials there and discards the result).
// * f32sisov2amp (both sets, 16 units, 16 MACs): at phase p the chain of set p % 2 moves, so over
//   a group phase p carries units 2 * (p / 2), 2 * (p / 2) + 1 of set p % 2, output channels 2p,
//   2p+1 (the order poplibs' 16-engine weight loads, slots 0-7 then 32-39 and so on, imply).
namespace {
// One fp32 phase on one set's 8 units; when `moves`, the set's chain takes `in` and hands out `out`.
void f32_step(TileCore &t, Context &c, unsigned set, unsigned phase, float x, bool moves, const uint32_t in[2],
              uint32_t out[2]) {
  uint32_t *acc = &c.aacc[16 * set];
  const uint64_t *cw = &t.cwei()[32 * set];
  if (phase == 0)
    for (unsigned u = 0; u < 8; ++u) std::swap(acc[2 * u], acc[2 * u + 1]);
  for (unsigned u = 0; u < 8; ++u) {
    float w = fl(static_cast<uint32_t>(cw[4 * u + phase / 2] >> (32 * (phase % 2))));
    acc[2 * u] = bits(fl(acc[2 * u]) + x * w);
  }
  if (moves) shift_chain(acc, in, out);
}
} // namespace

IPUSIM_EXEC(F32SISOAMP) {
  unsigned p = phase_of(t, i, 3, 8);
  uint32_t in[2] = {c.a[reg(i, 2)], c.a[reg(i, 2) + 1]}, out[2] = {0, 0};
  f32_step(t, c, 0, p, fl(c.a[reg(i, 1)]), p % 2 == 0, in, out);
  t.write_a(c, reg(i, 0), out[0]);
  t.write_a(c, reg(i, 0) + 1, out[1]);
}

IPUSIM_EXEC(F32SISOV2AMP) {
  need_sets(t, 2, "f32sisov2amp");
  unsigned p = phase_of(t, i, 3, 8);
  float x = fl(c.a[reg(i, 1)]);
  uint32_t in[2] = {c.a[reg(i, 2)], c.a[reg(i, 2) + 1]}, out[2] = {0, 0};
  for (unsigned s = 0; s < 2; ++s) f32_step(t, c, s, p, x, s == p % 2, in, out);
  t.write_a(c, reg(i, 0), out[0]);
  t.write_a(c, reg(i, 0) + 1, out[1]);
}

// ---- reading and initialising the accumulators ----------------------------------------------
// gina walks a chain of 8 accumulators: immediate bit 0 picks the running sums
// (0) or the buffers (1), bit 1 the AMP set. It returns the first two, shifts
// the chain down by two and writes the new pair at its end, so four ginas
// read and replace all eight (the ISA text: "read $AACC[0] and $AACC[2],
// write $AACC[12] and $AACC[14]"; the immediate's real format is not public).
namespace {
uint32_t *gina_chain(TileCore &t, Context &c, uint32_t imm, const char *what) {
  if (imm > 3)
    t.fault(FaultKind::bad_operand, fmt::format("{}: immediate {} is not 0..3 (bit 0 chain, bit 1 AMP set)", what, imm));
  if (imm & 2) need_sets(t, 2, what);
  return &c.aacc[16 * (imm >> 1) + (imm & 1)];
}
void gina(uint32_t *chain, const uint32_t in[2], uint32_t out[2]) {
  out[0] = chain[0];
  out[1] = chain[2];
  for (unsigned k = 0; k < 6; ++k) chain[2 * k] = chain[2 * k + 4];
  chain[12] = in[0];
  chain[14] = in[1];
}
} // namespace

IPUSIM_EXEC(F32V2GINA) {
  uint32_t *chain = gina_chain(t, c, static_cast<uint32_t>(i.v[2]), "f32v2gina");
  uint32_t in[2] = {c.a[reg(i, 1)], c.a[reg(i, 1) + 1]}, out[2];
  gina(chain, in, out);
  t.write_a(c, reg(i, 0), out[0]);
  t.write_a(c, reg(i, 0) + 1, out[1]);
}

IPUSIM_EXEC(F16V2GINA) {
  uint32_t *chain = gina_chain(t, c, static_cast<uint32_t>(i.v[2]), "f16v2gina");
  uint32_t src = c.a[reg(i, 1)];
  uint32_t in[2] = {widen(static_cast<uint16_t>(src)), widen(static_cast<uint16_t>(src >> 16))}, out[2];
  gina(chain, in, out);
  FpEnv env(t, c);
  uint32_t r = env.f16x2_from_f32(out[0], out[1]);
  env.commit();
  t.write_a(c, reg(i, 0), r);
}

// The running sums of units 0..3 of set 0, as halves (the state is unchanged).
IPUSIM_EXEC(F16V4GACC) {
  FpEnv env(t, c);
  uint32_t r0 = env.f16x2_from_f32(c.aacc[0], c.aacc[2]);
  uint32_t r1 = env.f16x2_from_f32(c.aacc[4], c.aacc[6]);
  env.commit();
  t.write_a(c, reg(i, 0), r0);
  t.write_a(c, reg(i, 0) + 1, r1);
}

// ---- FP8 products (C600) ----------------------------------------------------------------------
// f8v8hihov4amp: 8 FP8 inputs x 16 units (both sets), half partial sums in
// and results out, 128 MACs per instruction. Its arithmetic is not public;
// ipusim models it by analogy with f16v4hihov4amp over eight FP8 inputs:
// the weight word CW[u][p] holds eight FP8 weights (byte k pairs with input
// byte k); products are exact in fp32 and are scaled exactly by
// 2^$FP_SCL (poplibs writes the sum of the input's and the weights' scales
// to $FP_ISCL, "half(input*weights) * 2^(scaleIn+scaleWeights)",
// inlineAssemblerConv.hpp setFp8Scale); the eight are added pairwise,
// (((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7))), then to the running
// sum, each addition rounded to fp32. Formats: $FP_NFMT bit 0 (CWEI_FMT) for
// the weights, bit 1 (ARF_FMT) for the inputs, 1 = 1.4.3 (poplibs'
// setFp8Format packs them so).
namespace {

// The 256 codes of one format as floats (unscaled; exact).
struct Fp8Table {
  float v[2][256];
  Fp8Table() {
    for (unsigned f = 0; f < 2; ++f)
      for (unsigned code = 0; code < 256; ++code)
        v[f][code] = fp8_to_f32(static_cast<uint8_t>(code), f ? Fp8Format::f143 : Fp8Format::f152);
  }
};
const Fp8Table kFp8Table;

inline float dot8(uint64_t x, uint64_t w, const float *xf, const float *wf, float scale) {
  float p[8];
  for (unsigned k = 0; k < 8; ++k)
    p[k] = xf[(x >> (8 * k)) & 0xFF] * wf[(w >> (8 * k)) & 0xFF] * scale; // exact: 8-bit significands, 2^scl
  return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
}

} // namespace

IPUSIM_EXEC(F8V8HIHOV4AMP) {
  require_fp8(t, i);
  const float *xf = kFp8Table.v[(c.fp_nfmt >> 1) & 1];
  const float *wf = kFp8Table.v[c.fp_nfmt & 1];
  const float scale = std::ldexp(1.0f, fp8_scale_from_bits(c.fp_scl));
  uint64_t x = apair(c, reg(i, 1));
  const uint64_t *cw = t.cwei().data();
  v4_half_step(t, c, i, "f8v8hihov4amp", [&](unsigned p, const uint32_t *in, uint32_t *out) {
    for (unsigned s = 0; s < 2; ++s)
      pipeline_step(
          &c.aacc[16 * s], p, [&](unsigned u) { return dot8(x, cw[32 * s + 4 * u + p], xf, wf, scale); },
          &in[2 * s], &out[2 * s]);
  });
}

} // namespace ipusim::tile
