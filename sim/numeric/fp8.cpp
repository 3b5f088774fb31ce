#include "sim/numeric/fp8.hpp"

#include <cmath>

namespace ipusim {

namespace {

// Exponent range of the normal numbers: emin = 1 - bias, emax = all-ones
// exponent field - bias (all-ones is a normal binade: no infinities).
struct Layout {
  int man;  // fraction bits
  int bias;
  int emin, emax;
};

Layout layout(Fp8Format f) {
  const int man = fp8_mantissa_bits(f), bias = fp8_exponent_bias(f);
  const int exp_bits = 7 - man;
  return {man, bias, 1 - bias, (1 << exp_bits) - 1 - bias};
}

uint8_t overflow_result(uint32_t sign, Fp8Overflow ov, FpFlags *flags) {
  if (flags) {
    flags->overflow = true;
    flags->inexact = true;
  }
  return ov == Fp8Overflow::nan ? kF8NaN : uint8_t((sign << 7) | kF8MaxFinite);
}

uint8_t invalid_result(FpFlags *flags) {
  if (flags) flags->invalid = true;
  return kF8NaN;
}

// The rounding core, as detail::round_to_f16 in half.hpp: rounds the exact,
// finite, non-zero value (-1)^sign * sig * 2^exp to FP8. `stochastic` selects
// stochastic rounding with random_bits, else round to nearest even.
uint8_t round_to_fp8(uint32_t sign, uint64_t sig, int exp, Fp8Format f, Fp8Overflow ov, bool stochastic,
                     uint32_t random_bits, FpFlags *flags) {
  const Layout L = layout(f);
  const int e = detail::msb64(sig) + exp; // unbiased exponent of the leading 1
  if (e > L.emax) return overflow_result(sign, ov, flags);
  const bool tiny = e < L.emin;
  const int ulp_exp = (tiny ? L.emin : e) - L.man;
  const int shift = ulp_exp - exp; // low bits of sig below the ulp
  // kept: the magnitude truncated to whole ulps; frac: the rest as a 64-bit
  // binary fraction of an ulp; sticky: anything below even that.
  uint64_t kept = 0, frac = 0;
  bool sticky = false;
  if (shift <= 0) {
    kept = sig << -shift; // exact: kept < 2^(man + 1)
  } else if (shift < 64) {
    kept = sig >> shift;
    frac = sig << (64 - shift);
  } else if (shift == 64) {
    frac = sig;
  } else if (shift < 128) {
    frac = sig >> (shift - 64);
    sticky = (sig << (128 - shift)) != 0;
  } else {
    sticky = true;
  }
  const bool inexact = frac != 0 || sticky;
  constexpr uint64_t half = uint64_t(1) << 63;
  bool up;
  if (stochastic)
    up = (frac >> 32) + random_bits >= (uint64_t(1) << 32);
  else
    up = frac > half || (frac == half && (sticky || (kept & 1)));
  // As in half.hpp: with the implicit bit inside `kept`, (biased exponent - 1)
  // << man plus kept is the encoding, for subnormals too (e = emin gives
  // field 0); a carry out of the fraction moves into the next binade.
  const uint32_t bits = (uint32_t((tiny ? L.emin : e) + L.bias - 1) << L.man) + uint32_t(kept) + (up ? 1u : 0u);
  if (bits > kF8MaxFinite) return overflow_result(sign, ov, flags);
  if (flags && inexact) {
    flags->inexact = true;
    if (tiny) flags->underflow = true;
  }
  if (bits == 0) return 0; // the only zero: -0 would be the NaN code
  return uint8_t((sign << 7) | bits);
}

uint8_t from_f16(uint16_t h, Fp8Format f, int scale, Fp8Overflow ov, bool stochastic, uint32_t rnd,
                 FpFlags *flags) {
  const uint32_t sign = h >> 15;
  const uint32_t ex = (h >> 10) & 0x1F, m = h & kF16FracMask;
  if (ex == 0x1F) return invalid_result(flags); // NaN or infinity
  if (ex == 0) {
    if (m == 0) return 0;
    return round_to_fp8(sign, m, -24 - scale, f, ov, stochastic, rnd, flags);
  }
  return round_to_fp8(sign, m | 0x400u, int(ex) - 25 - scale, f, ov, stochastic, rnd, flags);
}

uint8_t from_f32_bits(uint32_t b, Fp8Format f, int scale, Fp8Overflow ov, bool stochastic, uint32_t rnd,
                      FpFlags *flags) {
  const uint32_t sign = b >> 31;
  const uint32_t ex = (b >> 23) & 0xFF, m = b & kF32FracMask;
  if (ex == 0xFF) return invalid_result(flags);
  if (ex == 0) {
    if (m == 0) return 0;
    return round_to_fp8(sign, m, -149 - scale, f, ov, stochastic, rnd, flags);
  }
  return round_to_fp8(sign, m | 0x800000u, int(ex) - 150 - scale, f, ov, stochastic, rnd, flags);
}

} // namespace

double fp8_max_value(Fp8Format f) { return fp8_to_double(kF8MaxFinite, f); }

double fp8_to_double(uint8_t c, Fp8Format f, int scale) {
  if (c == kF8NaN) return std::nan("");
  const Layout L = layout(f);
  const int ex = (c & 0x7F) >> L.man;
  const int m = c & ((1 << L.man) - 1);
  // Subnormal: m * 2^(emin - man); normal: (2^man + m) * 2^(ex - bias - man).
  // Both products, and the scaling, are exact in double.
  const double mag = ex == 0 ? std::ldexp(m, L.emin - L.man + scale)
                             : std::ldexp((1 << L.man) + m, ex - L.bias - L.man + scale);
  return (c & 0x80) ? -mag : mag;
}

uint32_t fp8_to_f32_bits(uint8_t c, Fp8Format f, int scale) {
  if (c == kF8NaN) return kF32CanonicalNaN;
  // At most 4 significant bits and magnitudes in [2^-49, 2^47]: the double
  // converts to binary32 exactly (no rounding, no subnormals).
  return f32_bits(static_cast<float>(fp8_to_double(c, f, scale)));
}

float fp8_to_f32(uint8_t c, Fp8Format f, int scale) { return f32_from_bits(fp8_to_f32_bits(c, f, scale)); }

uint16_t fp8_to_f16(uint8_t c, Fp8Format f, int scale) {
  if (c == kF8NaN) return kF16CanonicalNaN;
  return f16_from_double(fp8_to_double(c, f, scale)); // one rounding, from the exact value
}

uint8_t f16_to_fp8(uint16_t h, Fp8Format f, int scale, Fp8Overflow ov, FpFlags *flags) {
  return from_f16(h, f, scale, ov, false, 0, flags);
}

uint8_t f16_to_fp8_stochastic(uint16_t h, Fp8Format f, int scale, Fp8Overflow ov, uint32_t random_bits,
                              FpFlags *flags) {
  return from_f16(h, f, scale, ov, true, random_bits, flags);
}

uint8_t f32_to_fp8(float x, Fp8Format f, int scale, Fp8Overflow ov, FpFlags *flags) {
  return from_f32_bits(f32_bits(x), f, scale, ov, false, 0, flags);
}

uint8_t f32_to_fp8_stochastic(float x, Fp8Format f, int scale, Fp8Overflow ov, uint32_t random_bits,
                              FpFlags *flags) {
  return from_f32_bits(f32_bits(x), f, scale, ov, true, random_bits, flags);
}

uint8_t fp8_from_double(double x, Fp8Format f, int scale, Fp8Overflow ov, FpFlags *flags) {
  const uint64_t b = f64_bits(x);
  const uint32_t sign = uint32_t(b >> 63);
  const uint32_t ex = uint32_t(b >> 52) & 0x7FF;
  const uint64_t m = b & ((uint64_t(1) << 52) - 1);
  if (ex == 0x7FF) return invalid_result(flags);
  if (ex == 0) {
    if (m == 0) return 0;
    return round_to_fp8(sign, m, -1074 - scale, f, ov, false, 0, flags);
  }
  return round_to_fp8(sign, m | (uint64_t(1) << 52), int(ex) - 1075 - scale, f, ov, false, 0, flags);
}

} // namespace ipusim
