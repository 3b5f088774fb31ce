// Slim convolution (SLIC) and the accumulator shuffle (f16v4stacc /
// f16v4istacc). docs/model.md, "The AMP", says what is public and what is
// ipusim's choice; in short:
//
// SLIC. The ISA text's example sequences (f16v4sisoslic, f16v4hihoslic,
// f32sisoslic) fix the data flow of one AMP set: the accumulators
// $AACC[0], [4], [8], [12] hold the sums of the even output channel at
// stages 0..3, $AACC[2], [6], [10], [14] those of the odd one. Each step
// * hands $AACC[0] and $AACC[2] (sums finished by the previous step) to the
//   destination,
// * moves every stage's sums one stage on while adding x . CW: stage k of
//   channel j (0 even, 1 odd) becomes stage k+1's sums plus x . CW[2k + j][n]
//   (the top stage: the partial sums from the source plus x . CW[...]).
// With four stages (1x4) a result leaves four steps after its partial sum
// went in, with three (1x3; the ISA's "2x1x3x4" example) three. So
// R(f) = P(f) + sum_k x(f + k) . CW[2(S-1-k) + j][n] for S stages: CW6/CW7
// meet the oldest input of a 1x4 window, CW0/CW1 the newest.
//
// The immediate (ipusim's encoding; the real format is an image in the ISA
// manual): bits 1:0 the weight word n of each unit (TSLIC_F16V4_1x4_W0 = 0,
// _W1 = 1: poplibs loads its two weight banks into words 0 and 1), bit 2 three
// stages instead of four. f32sisoslic adds bit 3: the upper fp32 half of the
// weight words. Its ISA example feeds each f32v2 input as two instructions, the
// lower element with the lower weights and the partials (this step moves the
// stages on), then the upper element with the upper weights and D (normally
// zero), which accumulates in place: every stage adds x . CW_upper and the
// first stage D. Both steps write $AACC[0], [2] to the destination (the
// upper step's values are sums in progress, "-" in the ISA table).
//
// f16v4hihov4slic runs set 0 and set 1 on the same input: partial halves 0, 1
// and result halves 0, 1 are set 0's channels, halves 2, 3 set 1's (poplibs'
// half-partials SLIC loads slots 24, 28 then 56, 60 for channels 0..3).
//
// Arithmetic as the AMP forms (semantics_amp.cpp): four half products exact
// in fp32 and added pairwise, each sum rounded to fp32; fp32 products and sums
// rounded to fp32; half partials widen exactly, half results are rounded once
// through the context's FP environment.
//
// The shuffle. poplibs uses it twice: ReductionSpecial01Acc (f16v4stacc with
// immediate 0 after f32v4acc: "move ACC0 and ACC2 to VALUES0_1 and shift the
// remaining results to the odd accumulators. This does not shift the
// accumulator delay line", then f32v2gina immediate 1 reads them) and
// BlockTransposeGradW_half (a 4x4 half transpose: two f16v4istacc take four
// rows, then f16v4stacc P0, P1 and the next block's f16v4istacc P0, P1 give
// the four columns). ipusim's model, on set 0's accumulators as raw 32-bit
// words (nothing is rounded):
// * f16v4istacc P0 / P1: the destination gets $AACC[1], [3] and the odd chain
//   shifts down by two ($AACC[2k+1] <- $AACC[2k+5], zeros in at [13], [15]);
//   then the two source rows a, b (4 halves each) are interleaved into the
//   even chain, a[j] | b[j] << 16 into $AACC[4j] (P0) or $AACC[4j + 2] (P1).
// * f16v4stacc P0 (= 0): the destination gets $AACC[0], [2]; the odd chain
//   becomes the even chain two words on ($AACC[2k+1] <- $AACC[2k+4],
//   k = 0..5), the even chain is unchanged.
// * f16v4stacc P1: as f16v4istacc without input: $AACC[1], [3] out, the odd
//   chain shifts down by two.
// After P0 and P1 of f16v4istacc with rows z0..z3, column j sits at
// $AACC[4j] (z0, z1) and $AACC[4j + 2] (z2, z3): stacc P0 hands out column 0
// and copies columns 1..3 to the odd chain, stacc P1 hands out column 1, and
// the next two istaccs columns 2 and 3 while the next block comes in.
#include "models/tile/fp_env.hpp"
#include "models/tile/semantics.hpp"
#include "sim/numeric/half.hpp"

#include <fmt/format.h>

namespace ipusim::tile {

namespace {

inline float fl(uint32_t b) { return f32_from_bits(b); }
inline uint32_t bits(float x) { return f32_bits(f32_canonicalize_nan(x)); }
inline uint16_t half_at(uint64_t v, unsigned k) { return static_cast<uint16_t>(v >> (16 * k)); }
inline uint32_t widen(uint16_t h) { return f16_to_f32_bits(h); }
inline uint32_t pack_halves(uint16_t lo, uint16_t hi) { return lo | (static_cast<uint32_t>(hi) << 16); }

// x . w for four halves each, as the AMP's dot step: products exact, ((p0 + p1) + (p2 + p3)) in fp32.
inline float dot4(uint64_t x, uint64_t w) {
  float p[4];
  for (unsigned k = 0; k < 4; ++k) p[k] = f16_to_f32(half_at(x, k)) * f16_to_f32(half_at(w, k));
  return (p[0] + p[1]) + (p[2] + p[3]);
}

struct SlicFlags {
  unsigned word;   // weight word n of each unit
  unsigned stages; // 4 (1x4) or 3 (1x3)
  bool upper;      // f32sisoslic: upper fp32 weights, accumulate in place
};

SlicFlags slic_flags(TileCore &t, const isa::Instruction &i, unsigned operand, const char *what, bool f32) {
  unsigned f = static_cast<unsigned>(i.v[operand]);
  if (f > (f32 ? 15u : 7u))
    t.fault(FaultKind::bad_operand,
            fmt::format("{}: SLIC flags {} are out of range: ipusim's are bits 1:0 the weight word, bit 2 three "
                        "stages{}",
                        what, f, f32 ? ", bit 3 the upper weights" : " (0..7)"));
  return {f & 3u, (f & 4u) ? 3u : 4u, (f & 8u) != 0};
}

void need_two_sets(TileCore &t, const char *what) {
  if (t.params().amp_sets < 2)
    t.fault(FaultKind::bad_operand, fmt::format("{} needs 2 AMP sets; machine '{}' has {} (tile.amp_sets)", what,
                                                t.params().machine_name, t.params().amp_sets));
}

// One SLIC step on one set's accumulators `acc`: `dot(unit)` is the product
// term of conv unit `unit`; out gets the finished sums, in feeds the first
// stage. `shift` false: accumulate in place (f32sisoslic's upper step), in
// added to the first stage.
template <typename Dot>
void slic_step(uint32_t *acc, unsigned stages, bool shift, Dot dot, const uint32_t in[2], uint32_t out[2]) {
  out[0] = acc[0];
  out[1] = acc[2];
  for (unsigned k = 0; k < stages; ++k) // ascending: stage k reads stage k+1 before it changes
    for (unsigned j = 0; j < 2; ++j) {
      uint32_t &a = acc[4 * k + 2 * j];
      const bool first = k + 1 == stages;
      float base;
      if (shift)
        base = first ? fl(in[j]) : fl(acc[4 * (k + 1) + 2 * j]);
      else
        base = first ? fl(bits(fl(a) + fl(in[j]))) : fl(a);
      a = bits(base + dot(2 * k + j));
    }
}

// The fp16 forms on `set`: x is 4 halves.
void half_slic(TileCore &t, Context &c, unsigned set, const SlicFlags &f, uint64_t x, const uint32_t in[2],
               uint32_t out[2]) {
  const uint64_t *cw = &t.cwei()[32 * set];
  slic_step(&c.aacc[16 * set], f.stages, true, [&](unsigned u) { return dot4(x, cw[4 * u + f.word]); }, in, out);
}

// A set-0 step whose two results leave as halves in the destination register.
void half_out_slic(TileCore &t, Context &c, const isa::Instruction &i, const uint32_t in[2], const char *what) {
  SlicFlags f = slic_flags(t, i, 3, what, false);
  uint32_t out[2];
  half_slic(t, c, 0, f, apair(c, reg(i, 1)), in, out);
  FpEnv env(t, c);
  uint32_t r = env.f16x2_from_f32(out[0], out[1]);
  env.commit();
  t.write_a(c, reg(i, 0), r);
}

} // namespace

// ---- SLIC -------------------------------------------------------------------------------------

IPUSIM_EXEC(F16V4SISOSLIC) {
  SlicFlags f = slic_flags(t, i, 3, "f16v4sisoslic", false);
  uint32_t in[2] = {c.a[reg(i, 2)], c.a[reg(i, 2) + 1]}, out[2];
  half_slic(t, c, 0, f, apair(c, reg(i, 1)), in, out);
  t.write_a(c, reg(i, 0), out[0]);
  t.write_a(c, reg(i, 0) + 1, out[1]);
}

IPUSIM_EXEC(F16V4HIHOSLIC) {
  uint32_t src = c.a[reg(i, 2)];
  uint32_t in[2] = {widen(static_cast<uint16_t>(src)), widen(static_cast<uint16_t>(src >> 16))};
  half_out_slic(t, c, i, in, "f16v4hihoslic");
}

IPUSIM_EXEC(F16V4SIHOSLIC) {
  uint32_t in[2] = {c.a[reg(i, 2)], c.a[reg(i, 2) + 1]};
  half_out_slic(t, c, i, in, "f16v4sihoslic");
}

IPUSIM_EXEC(F16V4HIHOV4SLIC) {
  need_two_sets(t, "f16v4hihov4slic");
  SlicFlags f = slic_flags(t, i, 3, "f16v4hihov4slic", false);
  uint64_t x = apair(c, reg(i, 1)), partials = apair(c, reg(i, 2));
  uint32_t out[4];
  for (unsigned s = 0; s < 2; ++s) {
    uint32_t in[2] = {widen(half_at(partials, 2 * s)), widen(half_at(partials, 2 * s + 1))};
    half_slic(t, c, s, f, x, in, &out[2 * s]);
  }
  FpEnv env(t, c);
  uint32_t r0 = env.f16x2_from_f32(out[0], out[1]);
  uint32_t r1 = env.f16x2_from_f32(out[2], out[3]);
  env.commit();
  t.write_a(c, reg(i, 0), r0);
  t.write_a(c, reg(i, 0) + 1, r1);
}

IPUSIM_EXEC(F32SISOSLIC) {
  SlicFlags f = slic_flags(t, i, 3, "f32sisoslic", true);
  float x = fl(c.a[reg(i, 1)]);
  const uint64_t *cw = &t.cwei()[0];
  auto dot = [&](unsigned u) { return x * fl(static_cast<uint32_t>(cw[4 * u + f.word] >> (f.upper ? 32 : 0))); };
  uint32_t in[2] = {c.a[reg(i, 2)], c.a[reg(i, 2) + 1]}, out[2];
  slic_step(&c.aacc[0], f.stages, !f.upper, dot, in, out);
  t.write_a(c, reg(i, 0), out[0]);
  t.write_a(c, reg(i, 0) + 1, out[1]);
}

// ---- the accumulator shuffle ----------------------------------------------------------------

namespace {

unsigned stacc_phase(TileCore &t, const isa::Instruction &i, unsigned operand, const char *what, const char *names) {
  unsigned p = static_cast<unsigned>(i.v[operand]);
  if (p > 1)
    t.fault(FaultKind::bad_operand,
            fmt::format("{}: immediate {} is out of range: ipusim's {}_P0 / _P1 are 0 and 1", what, p, names));
  return p;
}

// Reads $AACC[1], [3] and shifts the odd chain of set 0 down by two, zeros in at its end.
uint64_t pop_odd(Context &c) {
  uint64_t r = c.aacc[1] | (static_cast<uint64_t>(c.aacc[3]) << 32);
  for (unsigned k = 0; k < 6; ++k) c.aacc[2 * k + 1] = c.aacc[2 * k + 5];
  c.aacc[13] = c.aacc[15] = 0;
  return r;
}

} // namespace

IPUSIM_EXEC(F16V4STACC) {
  uint64_t r;
  if (stacc_phase(t, i, 1, "f16v4stacc", "TSTACC") == 0) {
    r = c.aacc[0] | (static_cast<uint64_t>(c.aacc[2]) << 32);
    for (unsigned k = 0; k < 6; ++k) c.aacc[2 * k + 1] = c.aacc[2 * k + 4];
  } else {
    r = pop_odd(c);
  }
  write_apair(t, c, reg(i, 0), r);
}

IPUSIM_EXEC(F16V4ISTACC) {
  unsigned p = stacc_phase(t, i, 3, "f16v4istacc", "TISTACC");
  uint64_t a = apair(c, reg(i, 1)), b = apair(c, reg(i, 2));
  uint64_t r = pop_odd(c);
  for (unsigned j = 0; j < 4; ++j) c.aacc[4 * j + 2 * p] = pack_halves(half_at(a, j), half_at(b, j));
  write_apair(t, c, reg(i, 0), r);
}

} // namespace ipusim::tile
