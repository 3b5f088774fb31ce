// The arithmetic of one step of the AMP's fp16 forms (f16v4sisoamp,
// f16v4hihoamp, f16v4sihoamp, f16v4hihov4amp) on the accumulators of one or
// both AMP sets, as docs/model.md ("The AMP") defines it: for every conv unit
// u of a set, at phase p,
//
//   at phase 0: swap running sum and buffer;
//   running = fp32((x0 w0 + x1 w1) + (x2 w2 + x3 w3)) + running,
//
// with w the halves of weight word CW[u][p], every product exact in fp32 and
// every addition rounded to fp32 (nearest even), a NaN sum stored as the
// canonical NaN 0x7FC00000; then the buffers' chain moves: units 0 and 1
// hand out their buffers, the others move down two units and units 6 and 7
// take the partial sums in.
//
// Two implementations of the same definition: amp_f16_step_reference, one
// unit after another on the weights as loaded (the definition, kept for the
// tests), and amp_f16_step, which runs the 8 units of a set (16 with both)
// as SIMD lanes on weights widened to fp32 when they are loaded
// (AmpF16Weights). Each lane does the same fp32 operations in the same
// order, so the results are bit-identical (tests/unit/amp_arith_test.cpp
// checks it on random operands, NaNs, infinities and subnormals included).
// The host's fp32 arithmetic is IEEE binary32 rounded to nearest (the
// project builds with -ffp-contract=off and never changes the rounding
// mode), whether done by scalar or by vector instructions.
#pragma once

#include <cstdint>

namespace ipusim::tile {

// The common weights of the fp16 forms, widened to fp32 and laid out by lane:
// w[n][k][8 * set + amp_lane_of_unit(unit)] is half k of weight word n of
// (set, unit), i.e. of common weight slot 32 * set + 4 * unit + n. Kept by the
// tile next to the slots themselves and updated with every slot written.
// Within a set the units are in the order 0 1 4 5 2 3 6 7: the order in
// which SIMD shuffles that work within 128-bit halves take the running sums
// out of the accumulators (running sum and buffer of unit 0, unit 1, ...).
constexpr unsigned amp_lane_of_unit(unsigned u) { return (u & 1) | ((u >> 2) << 1) | (((u >> 1) & 1) << 2); }
struct AmpF16Weights {
  alignas(64) float w[4][4][16] = {};
  void set(unsigned slot, uint64_t word);
};

// One step on `sets` (1 or 2) AMP sets: acc is the context's 32 $AACC words,
// x the four input halves, in[2s], in[2s+1] set s's partial sums (fp32 bits)
// for units 6, 7 and out[2s], out[2s+1] the buffers units 0, 1 hand out.
void amp_f16_step(uint32_t *acc, const AmpF16Weights &w, unsigned sets, unsigned phase, uint64_t x,
                  const uint32_t *in, uint32_t *out);

// The same, one unit after another on the widened weights (what amp_f16_step
// does where the host has no SIMD support it uses).
void amp_f16_step_lanes(uint32_t *acc, const AmpF16Weights &w, unsigned sets, unsigned phase, uint64_t x,
                        const uint32_t *in, uint32_t *out);

// The forms amp_f16_step chooses from on this host, for the tests: the lane
// form, and the SSE2 and AVX ones where the host has them. amp_f16_step
// uses the last.
using AmpF16StepFn = void (*)(uint32_t *, const AmpF16Weights &, unsigned, unsigned, uint64_t, const uint32_t *,
                              uint32_t *);
struct AmpF16StepForm {
  const char *name;
  AmpF16StepFn step;
};
unsigned amp_f16_step_forms(AmpF16StepForm forms[3]);

// The definition: one unit after another on the weight slots as loaded
// (cwei: the tile's 64 common weight slots).
void amp_f16_step_reference(uint32_t *acc, const uint64_t *cwei, unsigned sets, unsigned phase, uint64_t x,
                            const uint32_t *in, uint32_t *out);

// Rounds four fp32 results (bits) to fp16, to nearest even, when that is
// simple: each is zero or a normal half's magnitude (2^-14 <= |v|) and does
// not round beyond 65504. Such roundings raise no flag that $FP_STS records
// (only inexact), so then it returns true with the four halves in `halves`
// (v[k] in bits 16k..16k+15); otherwise false, and the caller rounds them
// the general way (FpEnv).
bool round4_to_f16_simple(const uint32_t *v, uint64_t &halves);
// The same, one value after another (what round4_to_f16_simple does without SSE2).
bool round4_to_f16_simple_lanes(const uint32_t *v, uint64_t &halves);

} // namespace ipusim::tile
