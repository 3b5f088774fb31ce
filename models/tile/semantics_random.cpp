// Random numbers from the context's PRNG (urand32/64, the Gaussian grand
// forms, the rmask forms) and the symmetric unsigned-to-float conversions
// (sufromui) that turn random integers into uniform values. The generator
// and the value mappings are in sim/numeric/prng.hpp; how many outputs each
// instruction takes is ipusim's choice (the hardware's is not public) and is
// listed in docs/model.md.
#include "models/tile/fp_env.hpp"
#include "models/tile/semantics.hpp"

namespace ipusim::tile {

namespace {
inline uint32_t halves(uint16_t l, uint16_t h) { return l | (static_cast<uint32_t>(h) << 16); }

// The mask rule of f32v2rmask/f16v4rmask for one lane with 16 random bits:
// src1[16] set keeps every lane; otherwise a lane is kept when its random
// value is below src1[15:0] (probability src1[15:0] / 2^16, so 0 keeps none).
inline bool keep_lane(uint32_t prob, uint16_t random) {
  if (prob & 0x10000u) return true;
  return random < (prob & 0xFFFFu);
}
} // namespace

IPUSIM_EXEC(URAND32) { t.write_a(c, reg(i, 0), static_cast<uint32_t>(prng_next(c))); }
IPUSIM_EXEC(URAND64) { write_apair(t, c, reg(i, 0), prng_next(c)); }

// One generator output per lane, lane 0 first. Every sample is a multiple
// of 1/32 below 6 in magnitude, so it is exact in both formats.
IPUSIM_EXEC(F32V2GRAND) {
  const float g0 = static_cast<float>(gaussian_from_bits(prng_next(c)));
  const float g1 = static_cast<float>(gaussian_from_bits(prng_next(c)));
  t.write_a(c, reg(i, 0), f32_bits(g0));
  t.write_a(c, reg(i, 0) + 1, f32_bits(g1));
}
IPUSIM_EXEC(F16V2GRAND) {
  const uint16_t g0 = f16_from_double(gaussian_from_bits(prng_next(c)));
  const uint16_t g1 = f16_from_double(gaussian_from_bits(prng_next(c)));
  t.write_a(c, reg(i, 0), halves(g0, g1));
}

// One generator output per instruction, consumed even when src1 makes the
// result independent of it: lane j uses bits [16j+15:16j]. A masked lane is
// +0; kept lanes are copied bit for bit (no FP exceptions).
IPUSIM_EXEC(F32V2RMASK) {
  const uint64_t r = prng_next(c);
  const uint32_t prob = aval(c, i, 2);
  const unsigned s = reg(i, 1);
  uint32_t out[2];
  for (unsigned j = 0; j < 2; ++j) out[j] = keep_lane(prob, static_cast<uint16_t>(r >> (16 * j))) ? c.a[s + j] : 0u;
  t.write_a(c, reg(i, 0), out[0]);
  t.write_a(c, reg(i, 0) + 1, out[1]);
}
IPUSIM_EXEC(F16V4RMASK) {
  const uint64_t r = prng_next(c);
  const uint32_t prob = aval(c, i, 2);
  const uint64_t x = apair(c, reg(i, 1));
  uint64_t out = 0;
  for (unsigned j = 0; j < 4; ++j)
    if (keep_lane(prob, static_cast<uint16_t>(r >> (16 * j)))) out |= x & (uint64_t(0xFFFF) << (16 * j));
  write_apair(t, c, reg(i, 0), out);
}

// sufromui: the exact slice midpoint rounded to nearest even (the value
// needs 32 or 16 significant bits). Rounding is symmetric about 0, so the
// conversion stays unbiased; it never raises an exception.
namespace {
inline uint32_t f32_sufromui(uint32_t u) { return f32_bits(static_cast<float>(sufromui_exact(u, 32))); }
inline uint32_t f16v2_sufromui(uint32_t v) {
  return halves(f16_from_double(sufromui_exact(v & 0xFFFFu, 16)), f16_from_double(sufromui_exact(v >> 16, 16)));
}
} // namespace

IPUSIM_EXEC(F32SUFROMUI) { t.write_a(c, reg(i, 0), f32_sufromui(aval(c, i, 1))); }
IPUSIM_EXEC(F32V2SUFROMUI) {
  const unsigned s = reg(i, 1);
  const uint32_t r0 = f32_sufromui(c.a[s]), r1 = f32_sufromui(c.a[s + 1]);
  t.write_a(c, reg(i, 0), r0);
  t.write_a(c, reg(i, 0) + 1, r1);
}
IPUSIM_EXEC(F16V2SUFROMUI) { t.write_a(c, reg(i, 0), f16v2_sufromui(aval(c, i, 1))); }
IPUSIM_EXEC(F16V4SUFROMUI) {
  const unsigned s = reg(i, 1);
  const uint32_t r0 = f16v2_sufromui(c.a[s]), r1 = f16v2_sufromui(c.a[s + 1]);
  t.write_a(c, reg(i, 0), r0);
  t.write_a(c, reg(i, 0) + 1, r1);
}

} // namespace ipusim::tile
