// IEEE 754 binary16 ("half", fp16) and binary32 helpers for the host-side
// reference model of the IPU's floating-point units.
//
// Everything here is bit-exact and independent of the host: rounding is done
// with integer arithmetic on bit patterns, so neither the host FPU rounding
// mode, nor flush-to-zero / denormals-are-zero settings, nor F16C intrinsics
// change any result. Host floating-point arithmetic is used in exactly one
// place, f16_add/f16_sub/f16_mul, where it is proven exact (see there), so
// no host rounding ever happens. Everything is inline: these functions run
// once per simulated arithmetic instruction.
//
// Encodings used below:
//   binary16: sign 1 bit | exponent 5 bits (bias 15) | fraction 10 bits
//   binary32: sign 1 bit | exponent 8 bits (bias 127) | fraction 23 bits
//
// ASSUMPTIONS (the IPU's exact behaviour here is not publicly documented):
//   * NaN results of arithmetic (add/sub/mul, max/min of two NaNs) are the
//     canonical quiet NaN: 0x7E00 for binary16, 0x7FC00000 for binary32.
//     Results therefore never depend on which NaN the host CPU would produce.
//   * Format conversions (f32->f16, f16->f32, double->f16) keep the sign and
//     the top payload bits of a NaN and set the quiet bit, as IEEE 754
//     recommends, rather than canonicalising.
//   * max/min return the other operand when exactly one operand is a NaN
//     (IEEE 754-2008 maxNum/minNum for quiet NaNs; unlike 754-2008 we treat a
//     signalling NaN the same way, as 754-2019 maximumNumber does), and order
//     -0 below +0.
//   * Underflow is detected before rounding: the flag is raised when the exact
//     result is non-zero, below the smallest normal (2^-14 for binary16) and
//     the result is inexact.
//   * Stochastic rounding: see f32_to_f16_stochastic.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

#if defined(__FAST_MATH__)
#error "sim/numeric/half.hpp needs IEEE semantics; do not compile with -ffast-math"
#endif

namespace ipusim {

static_assert(std::numeric_limits<float>::is_iec559 && sizeof(float) == 4, "float must be IEEE binary32");
static_assert(std::numeric_limits<double>::is_iec559 && sizeof(double) == 8, "double must be IEEE binary64");

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

constexpr uint16_t kF16SignMask = 0x8000;
constexpr uint16_t kF16ExpMask = 0x7C00;
constexpr uint16_t kF16FracMask = 0x03FF;
constexpr uint16_t kF16QuietBit = 0x0200;
constexpr uint16_t kF16CanonicalNaN = 0x7E00;
constexpr uint16_t kF16PosInf = 0x7C00;
constexpr uint16_t kF16NegInf = 0xFC00;
constexpr uint16_t kF16MaxFinite = 0x7BFF;  // 65504
constexpr uint16_t kF16MinNormal = 0x0400;  // 2^-14
constexpr uint16_t kF16MinSubnormal = 0x0001;  // 2^-24
constexpr uint16_t kF16One = 0x3C00;

constexpr uint32_t kF32SignMask = 0x80000000u;
constexpr uint32_t kF32ExpMask = 0x7F800000u;
constexpr uint32_t kF32FracMask = 0x007FFFFFu;
constexpr uint32_t kF32QuietBit = 0x00400000u;
constexpr uint32_t kF32CanonicalNaN = 0x7FC00000u;

// ---------------------------------------------------------------------------
// Rounding modes and exception flags
// ---------------------------------------------------------------------------

// IEEE 754 rounding-direction attributes. up = toward +infinity,
// down = toward -infinity.
enum class RoundMode : uint8_t { nearest_even, toward_zero, up, down };

// IEEE 754 exception flags. Functions taking an FpFlags* only ever SET flags
// (sticky, like a status register) and never clear them; a null pointer means
// "do not report". div0 is never raised by anything in this file (there is no
// division here); it is present so one struct serves every FP unit.
struct FpFlags {
  bool invalid = false;
  bool div0 = false;
  bool overflow = false;
  bool underflow = false;
  bool inexact = false;

  bool any() const { return invalid || div0 || overflow || underflow || inexact; }
  FpFlags &operator|=(const FpFlags &o) {
    invalid |= o.invalid;
    div0 |= o.div0;
    overflow |= o.overflow;
    underflow |= o.underflow;
    inexact |= o.inexact;
    return *this;
  }
  bool operator==(const FpFlags &o) const {
    return invalid == o.invalid && div0 == o.div0 && overflow == o.overflow && underflow == o.underflow &&
           inexact == o.inexact;
  }
  bool operator!=(const FpFlags &o) const { return !(*this == o); }
};

// ---------------------------------------------------------------------------
// binary32 bit helpers
// ---------------------------------------------------------------------------

inline uint32_t f32_bits(float x) {
  uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

inline float f32_from_bits(uint32_t b) {
  float x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

inline uint64_t f64_bits(double x) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

inline double f64_from_bits(uint64_t b) {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

// Classification on bits, so it is immune to -ffinite-math style surprises
// and to denormals-are-zero modes.
inline bool f32_is_nan(float x) { return (f32_bits(x) & ~kF32SignMask) > kF32ExpMask; }
inline bool f32_is_snan(float x) { return f32_is_nan(x) && !(f32_bits(x) & kF32QuietBit); }
inline bool f32_is_inf(float x) { return (f32_bits(x) & ~kF32SignMask) == kF32ExpMask; }
inline float f32_canonical_nan() { return f32_from_bits(kF32CanonicalNaN); }
// x unchanged unless it is a NaN, which becomes the canonical quiet NaN. For
// whoever implements binary32 arithmetic: apply to every arithmetic result.
inline float f32_canonicalize_nan(float x) { return f32_is_nan(x) ? f32_canonical_nan() : x; }

// ---------------------------------------------------------------------------
// binary16 classification
// ---------------------------------------------------------------------------

inline bool f16_is_nan(uint16_t h) { return (h & 0x7FFF) > kF16ExpMask; }
inline bool f16_is_snan(uint16_t h) { return f16_is_nan(h) && !(h & kF16QuietBit); }
inline bool f16_is_inf(uint16_t h) { return (h & 0x7FFF) == kF16ExpMask; }
inline bool f16_is_finite(uint16_t h) { return (h & kF16ExpMask) != kF16ExpMask; }
inline bool f16_is_zero(uint16_t h) { return (h & 0x7FFF) == 0; }
inline bool f16_is_subnormal(uint16_t h) { return (h & kF16ExpMask) == 0 && (h & kF16FracMask) != 0; }
inline bool f16_is_negative(uint16_t h) { return (h & kF16SignMask) != 0; }  // sign bit, also for NaN and -0
// Sign operations are bit operations in IEEE 754 (no NaN canonicalisation).
inline uint16_t f16_neg(uint16_t h) { return uint16_t(h ^ kF16SignMask); }
inline uint16_t f16_abs(uint16_t h) { return uint16_t(h & 0x7FFF); }
inline uint16_t f16_canonicalize_nan(uint16_t h) { return f16_is_nan(h) ? kF16CanonicalNaN : h; }

namespace detail {

inline void raise_invalid(FpFlags *f) {
  if (f) f->invalid = true;
}

// Index of the most significant set bit of x (x != 0).
constexpr int msb64(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return 63 - __builtin_clzll(x);
#else
  int n = 0;
  while (x >>= 1) ++n;
  return n;
#endif
}

// RoundMode plus stochastic rounding, for the shared rounding core.
enum class Rounding : uint8_t { nearest_even, toward_zero, up, down, stochastic };

inline Rounding to_rounding(RoundMode m) { return static_cast<Rounding>(static_cast<uint8_t>(m)); }

// The result of a finite overflow in the given mode: infinity or the largest
// finite number, with sign s (0 or 0x8000).
inline uint16_t f16_overflow(uint16_t s, Rounding mode, FpFlags *f) {
  if (f) {
    f->overflow = true;
    f->inexact = true;
  }
  bool to_inf = true;
  if (mode == Rounding::toward_zero) to_inf = false;
  if (mode == Rounding::up && s) to_inf = false;
  if (mode == Rounding::down && !s) to_inf = false;
  return uint16_t(s | (to_inf ? kF16PosInf : kF16MaxFinite));
}

// The rounding core. Rounds the exact, finite, non-zero value
//     (-1)^sign * sig * 2^exp            (sig != 0)
// to binary16. Works for any exp that a double or float can produce.
inline uint16_t round_to_f16(uint32_t sign, uint64_t sig, int exp, Rounding mode, uint32_t random_bits,
                             FpFlags *f) {
  const uint16_t s = uint16_t(sign << 15);
  const int e = msb64(sig) + exp;  // unbiased exponent of the leading 1
  if (e > 15) return f16_overflow(s, mode, f);  // |value| >= 2^16: overflows in every mode
  const bool tiny = e < -14;
  // Weight of the result's last kept bit: 10 fraction bits below the leading
  // bit for normals, fixed 2^-24 for subnormals.
  const int ulp_exp = (tiny ? -14 : e) - 10;
  const int shift = ulp_exp - exp;  // how many low bits of sig fall below the ulp
  // kept: the magnitude truncated to a multiple of the ulp, in ulps (< 2^11).
  // frac: the discarded part as a 64-bit binary fraction of one ulp;
  // sticky: whether anything non-zero lies below even those 64 bits.
  uint64_t kept, frac;
  bool sticky = false;
  if (shift <= 0) {
    kept = sig << -shift;  // exact; kept < 2^11 so this cannot overflow
    frac = 0;
  } else if (shift < 64) {
    kept = sig >> shift;
    frac = sig << (64 - shift);
  } else if (shift == 64) {
    kept = 0;
    frac = sig;
  } else if (shift < 128) {
    kept = 0;
    frac = sig >> (shift - 64);
    sticky = (sig << (128 - shift)) != 0;
  } else {
    kept = 0;
    frac = 0;
    sticky = true;
  }
  const bool inexact = frac != 0 || sticky;
  constexpr uint64_t half = uint64_t(1) << 63;
  bool up = false;
  switch (mode) {
  case Rounding::nearest_even:
    up = frac > half || (frac == half && (sticky || (kept & 1)));
    break;
  case Rounding::toward_zero:
    break;
  case Rounding::up:
    up = inexact && !sign;
    break;
  case Rounding::down:
    up = inexact && sign;
    break;
  case Rounding::stochastic:
    // Add random_bits just below the last kept bit and carry into it. Only
    // the top 32 bits of frac matter: the rest cannot change the carry.
    up = (frac >> 32) + random_bits >= (uint64_t(1) << 32);
    break;
  }
  // For a normal result kept includes the implicit bit (0x400), so adding it
  // to (biased exponent - 1) << 10 gives the encoding; a subnormal has
  // biased exponent 0 and no implicit bit, which the same formula gives with
  // e = -14. A carry out of the fraction (kept reaching 0x800, or 0x400 for
  // a subnormal) moves into the exponent field, which is exactly the next
  // binade (or the smallest normal).
  const uint32_t bits = (uint32_t((tiny ? -14 : e) + 14) << 10) + uint32_t(kept) + (up ? 1u : 0u);
  if (bits >= kF16PosInf) return f16_overflow(s, mode, f);
  if (f && inexact) {
    f->inexact = true;
    if (tiny) f->underflow = true;
  }
  return uint16_t(s | bits);
}

inline uint16_t f32_bits_to_f16(uint32_t b, Rounding mode, uint32_t random_bits, FpFlags *f) {
  if (mode == Rounding::nearest_even) {
    // Fast path for the common case, 2^-14 <= |x| < 2^16 (normal or
    // overflowing results): rebias the exponent in place, add just under half
    // an ulp plus the kept lsb (ties to even), and drop the 13 extra bits; a
    // carry runs into the exponent and, past 65504, to the infinity pattern.
    const uint32_t abs = b & ~kF32SignMask;
    if (abs >= 0x38800000u && abs < 0x47800000u) {
      uint32_t t = abs - 0x38000000u;  // exponent bias 127 -> 15
      t += 0xFFFu + ((t >> 13) & 1u);
      const uint16_t s = uint16_t((b >> 16) & kF16SignMask);
      const uint32_t h = t >> 13;
      if (h >= kF16PosInf) return f16_overflow(s, mode, f);
      if (f && (abs & 0x1FFFu)) f->inexact = true;
      return uint16_t(s | h);
    }
  }
  const uint32_t sign = b >> 31;
  const uint32_t ex = (b >> 23) & 0xFF;
  const uint32_t m = b & kF32FracMask;
  if (ex == 0xFF) {
    if (m == 0) return uint16_t((sign << 15) | kF16PosInf);
    if (!(m & kF32QuietBit)) raise_invalid(f);
    // Keep the sign and the top 10 payload bits; the quiet bit makes the
    // result a NaN even when those payload bits are all zero.
    return uint16_t((sign << 15) | kF16PosInf | kF16QuietBit | (m >> 13));
  }
  if (ex == 0) {
    if (m == 0) return uint16_t(sign << 15);
    return round_to_f16(sign, m, -149, mode, random_bits, f);
  }
  return round_to_f16(sign, m | 0x800000u, int(ex) - 150, mode, random_bits, f);
}

inline uint16_t f64_bits_to_f16(uint64_t b, Rounding mode, uint32_t random_bits, FpFlags *f) {
  if (mode == Rounding::nearest_even) {
    // Same fast path as for binary32 (exponent bias 1023, 42 extra bits).
    const uint64_t abs = b & ~(uint64_t(1) << 63);
    if (abs >= (uint64_t(1023 - 14) << 52) && abs < (uint64_t(1023 + 16) << 52)) {
      uint64_t t = abs - (uint64_t(1023 - 15) << 52);
      t += ((uint64_t(1) << 41) - 1) + ((t >> 42) & 1u);
      const uint16_t s = uint16_t((b >> 48) & kF16SignMask);
      const uint32_t h = uint32_t(t >> 42);
      if (h >= kF16PosInf) return f16_overflow(s, mode, f);
      if (f && (abs & ((uint64_t(1) << 42) - 1))) f->inexact = true;
      return uint16_t(s | h);
    }
  }
  const uint32_t sign = uint32_t(b >> 63);
  const uint32_t ex = uint32_t(b >> 52) & 0x7FF;
  const uint64_t m = b & ((uint64_t(1) << 52) - 1);
  if (ex == 0x7FF) {
    if (m == 0) return uint16_t((sign << 15) | kF16PosInf);
    if (!(m & (uint64_t(1) << 51))) raise_invalid(f);
    return uint16_t((sign << 15) | kF16PosInf | kF16QuietBit | uint32_t(m >> 42));
  }
  if (ex == 0) {
    if (m == 0) return uint16_t(sign << 15);
    return round_to_f16(sign, m, -1074, mode, random_bits, f);
  }
  return round_to_f16(sign, m | (uint64_t(1) << 52), int(ex) - 1075, mode, random_bits, f);
}

} // namespace detail

// ---------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------

// binary16 -> binary32 bits. Exact for every non-NaN input (subnormal halves
// become normal floats). A NaN keeps its sign and payload (shifted to the top
// of the binary32 fraction) and gets the quiet bit.
// The definition; f16_to_f32_bits reads the same from a table of all 65,536
// results built from it at compile time (sim/numeric/half.cpp): the AMP
// widens 8 halves per instruction and 4 per weight slot it loads.
constexpr uint32_t f16_to_f32_bits_computed(uint16_t h) {
  const uint32_t s = uint32_t(h & kF16SignMask) << 16;
  const uint32_t e = (h >> 10) & 0x1F;
  const uint32_t m = h & kF16FracMask;
  if (e == 0x1F) return s | kF32ExpMask | (m ? (kF32QuietBit | (m << 13)) : 0u);
  if (e == 0) {
    if (m == 0) return s;
    // m * 2^-24 = 2^(p-24) * (m / 2^p) with p the top set bit of m (0..9).
    const int p = detail::msb64(m);
    return s | (uint32_t(p - 24 + 127) << 23) | ((m << (23 - p)) & kF32FracMask);
  }
  return s | ((e + 112) << 23) | (m << 13);  // rebias: e - 15 + 127
}

namespace detail {
struct F16ToF32Table {
  uint32_t bits[0x10000];
  constexpr F16ToF32Table() : bits() {
    for (uint32_t h = 0; h < 0x10000; ++h) bits[h] = f16_to_f32_bits_computed(static_cast<uint16_t>(h));
  }
};
extern const F16ToF32Table kF16ToF32; // constant data, defined in half.cpp
} // namespace detail

inline uint32_t f16_to_f32_bits(uint16_t h) { return detail::kF16ToF32.bits[h]; }

inline float f16_to_f32(uint16_t h) { return f32_from_bits(f16_to_f32_bits(h)); }

// As above; raises invalid for a signalling NaN input.
inline float f16_to_f32(uint16_t h, FpFlags *flags) {
  if (f16_is_snan(h)) detail::raise_invalid(flags);
  return f16_to_f32(h);
}

// binary32 -> binary16, round to nearest, ties to even. Overflow gives
// infinity, results below 2^-14 are rounded correctly to subnormals or zero.
// A NaN keeps its sign and the top 10 bits of its payload, with the quiet
// bit set (invalid is raised for a signalling NaN).
inline uint16_t f32_to_f16(float x) {
  return detail::f32_bits_to_f16(f32_bits(x), detail::Rounding::nearest_even, 0, nullptr);
}
inline uint16_t f32_to_f16(float x, FpFlags *flags) {
  return detail::f32_bits_to_f16(f32_bits(x), detail::Rounding::nearest_even, 0, flags);
}
// Same on a binary32 bit pattern (registers hold bits, not floats).
inline uint16_t f32_bits_to_f16(uint32_t b, FpFlags *flags = nullptr) {
  return detail::f32_bits_to_f16(b, detail::Rounding::nearest_even, 0, flags);
}

// binary32 -> binary16 with a chosen IEEE rounding direction. In
// toward_zero, and in up/down for the sign that rounds toward zero, an
// overflow gives the largest finite half (65504) instead of infinity.
inline uint16_t f32_to_f16_round(float x, RoundMode mode, FpFlags *flags = nullptr) {
  return detail::f32_bits_to_f16(f32_bits(x), detail::to_rounding(mode), 0, flags);
}

// binary32 -> binary16 with stochastic rounding, deterministic given
// random_bits. Definition: take the exact magnitude |x|; add the 32-bit
// integer random_bits scaled so that its most significant bit is worth half
// a unit in the last place (ulp) of the binary16 result, i.e.
//     |x| + random_bits * ulp * 2^-32,
// then truncate toward zero to a multiple of the ulp; the sign is applied
// afterwards. Equivalently, with f in [0, 1) the part of |x| below the ulp
// (in ulps), |x| is rounded away from zero iff
//     floor(f * 2^32) + random_bits >= 2^32,
// so with uniform random_bits it rounds away with probability
// floor(f * 2^32) / 2^32. That is exactly f whenever f needs at most 32
// fraction bits, which holds for every binary32 x with |x| >= 2^-33; parts of
// f below 2^-32 ulp never cause rounding away. Random bits below the lowest
// non-zero bit of f cannot change the result. Exactly representable values
// (f = 0) never change.
// ASSUMPTIONS: the IPU's number of random bits is not public. A magnitude that
// rounds up to 2^16, or is >= 2^16, gives infinity (as round-to-nearest
// does), with overflow and inexact raised.
inline uint16_t f32_to_f16_stochastic(float x, uint32_t random_bits, FpFlags *flags = nullptr) {
  return detail::f32_bits_to_f16(f32_bits(x), detail::Rounding::stochastic, random_bits, flags);
}

// binary64 -> binary16, round to nearest, ties to even, rounded once
// directly from the double (no double rounding through binary32).
inline uint16_t f16_from_double(double x) {
  return detail::f64_bits_to_f16(f64_bits(x), detail::Rounding::nearest_even, 0, nullptr);
}
inline uint16_t f16_from_double(double x, FpFlags *flags) {
  return detail::f64_bits_to_f16(f64_bits(x), detail::Rounding::nearest_even, 0, flags);
}
inline uint16_t f16_from_double_round(double x, RoundMode mode, FpFlags *flags = nullptr) {
  return detail::f64_bits_to_f16(f64_bits(x), detail::to_rounding(mode), 0, flags);
}
// Stochastic rounding as defined at f32_to_f16_stochastic.
inline uint16_t f16_from_double_stochastic(double x, uint32_t random_bits, FpFlags *flags = nullptr) {
  return detail::f64_bits_to_f16(f64_bits(x), detail::Rounding::stochastic, random_bits, flags);
}

// Exact: every binary16 value is a binary64 value.
inline double f16_to_double(uint16_t h) { return double(f16_to_f32(h)); }

// ---------------------------------------------------------------------------
// Arithmetic, rounded once
// ---------------------------------------------------------------------------
//
// Why computing in double is exact (so the only rounding is the final one):
// every finite binary16 value is an integer M times 2^E with |M| < 2^11 and
// -24 <= E <= 5 (E = -24 for subnormals and the lowest binade, E = 5 for the
// binade [2^15, 2^16)). As a double each is a normal number (>= 2^-24).
//  * mul: |Ma*Mb| < 2^22 <= 2^53 and 2^-48 <= |a*b| < 2^32, far inside the
//    normal double range, so the product is exact.
//  * add/sub: with Ea >= Eb, a +- b = (Ma*2^(Ea-Eb) +- Mb) * 2^Eb where
//    Ea - Eb <= 29, so the integer in brackets is below 2^(11+29) + 2^11 <
//    2^41 <= 2^53 and the sum is exact (and a non-zero sum is >= 2^-24).
// Infinite operands give exact infinite double results, and the cases with
// no defined result (inf - inf, 0 * inf) are caught on the bit patterns
// before any host arithmetic. The host rounding mode is irrelevant because
// nothing is rounded, except for the sign of an exact zero sum, which is
// therefore set explicitly from the requested mode.

// Sum with b's sign already adjusted (sub passes b with its sign flipped).
namespace detail {
inline uint16_t f16_add_impl(uint16_t a, uint16_t b, Rounding mode, FpFlags *f, uint32_t random_bits = 0) {
  if (f16_is_nan(a) || f16_is_nan(b)) {
    if (f16_is_snan(a) || f16_is_snan(b)) raise_invalid(f);
    return kF16CanonicalNaN;
  }
  if (f16_is_inf(a) && f16_is_inf(b) && ((a ^ b) & kF16SignMask)) {  // inf - inf
    raise_invalid(f);
    return kF16CanonicalNaN;
  }
  const double r = f16_to_double(a) + f16_to_double(b);
  if (r == 0.0) {
    // Exact zero. Same signs: only (+-0) + (+-0), which keeps the sign.
    // Opposite signs: +0, except -0 when rounding toward -infinity (IEEE 754).
    if (!((a ^ b) & kF16SignMask)) return uint16_t(a & kF16SignMask);
    return mode == Rounding::down ? kF16SignMask : uint16_t(0);
  }
  return f64_bits_to_f16(f64_bits(r), mode, random_bits, f);
}

inline uint16_t f16_mul_impl(uint16_t a, uint16_t b, Rounding mode, FpFlags *f, uint32_t random_bits = 0) {
  if (f16_is_nan(a) || f16_is_nan(b)) {
    if (f16_is_snan(a) || f16_is_snan(b)) raise_invalid(f);
    return kF16CanonicalNaN;
  }
  if ((f16_is_inf(a) && f16_is_zero(b)) || (f16_is_zero(a) && f16_is_inf(b))) {
    raise_invalid(f);
    return kF16CanonicalNaN;
  }
  const double r = f16_to_double(a) * f16_to_double(b);
  if (r == 0.0) return uint16_t((a ^ b) & kF16SignMask);  // exact zero: sign is the XOR
  return f64_bits_to_f16(f64_bits(r), mode, random_bits, f);
}
} // namespace detail

inline uint16_t f16_add(uint16_t a, uint16_t b) {
  return detail::f16_add_impl(a, b, detail::Rounding::nearest_even, nullptr);
}
inline uint16_t f16_add(uint16_t a, uint16_t b, FpFlags *flags) {
  return detail::f16_add_impl(a, b, detail::Rounding::nearest_even, flags);
}
inline uint16_t f16_add(uint16_t a, uint16_t b, RoundMode mode, FpFlags *flags = nullptr) {
  return detail::f16_add_impl(a, b, detail::to_rounding(mode), flags);
}

inline uint16_t f16_sub(uint16_t a, uint16_t b) {
  return detail::f16_add_impl(a, f16_neg(b), detail::Rounding::nearest_even, nullptr);
}
inline uint16_t f16_sub(uint16_t a, uint16_t b, FpFlags *flags) {
  return detail::f16_add_impl(a, f16_neg(b), detail::Rounding::nearest_even, flags);
}
inline uint16_t f16_sub(uint16_t a, uint16_t b, RoundMode mode, FpFlags *flags = nullptr) {
  return detail::f16_add_impl(a, f16_neg(b), detail::to_rounding(mode), flags);
}

inline uint16_t f16_mul(uint16_t a, uint16_t b) {
  return detail::f16_mul_impl(a, b, detail::Rounding::nearest_even, nullptr);
}
inline uint16_t f16_mul(uint16_t a, uint16_t b, FpFlags *flags) {
  return detail::f16_mul_impl(a, b, detail::Rounding::nearest_even, flags);
}
inline uint16_t f16_mul(uint16_t a, uint16_t b, RoundMode mode, FpFlags *flags = nullptr) {
  return detail::f16_mul_impl(a, b, detail::to_rounding(mode), flags);
}

// Stochastic rounding of the exact sum, difference or product, as defined at
// f32_to_f16_stochastic (an exact zero sum is +0, as in round to nearest).
inline uint16_t f16_add_stochastic(uint16_t a, uint16_t b, uint32_t random_bits, FpFlags *flags = nullptr) {
  return detail::f16_add_impl(a, b, detail::Rounding::stochastic, flags, random_bits);
}
inline uint16_t f16_sub_stochastic(uint16_t a, uint16_t b, uint32_t random_bits, FpFlags *flags = nullptr) {
  return detail::f16_add_impl(a, f16_neg(b), detail::Rounding::stochastic, flags, random_bits);
}
inline uint16_t f16_mul_stochastic(uint16_t a, uint16_t b, uint32_t random_bits, FpFlags *flags = nullptr) {
  return detail::f16_mul_impl(a, b, detail::Rounding::stochastic, flags, random_bits);
}

// ---------------------------------------------------------------------------
// Ordering: max, min, compares
// ---------------------------------------------------------------------------

namespace detail {
// Total order key for non-NaN sign-magnitude patterns; -0 and +0 map to 0.
inline int32_t f16_key(uint16_t h) {
  const int32_t mag = h & 0x7FFF;
  return (h & kF16SignMask) ? -mag : mag;
}
inline int64_t f32_key(uint32_t b) {
  const int64_t mag = b & ~kF32SignMask;
  return (b & kF32SignMask) ? -mag : mag;
}
} // namespace detail

// max/min: one NaN operand -> the other operand unchanged; two NaNs -> the
// canonical NaN; max(-0, +0) = +0 and min(-0, +0) = -0 (see ASSUMPTIONS).
// The flags overloads raise invalid when an operand is a signalling NaN.
inline uint16_t f16_max(uint16_t a, uint16_t b) {
  const bool na = f16_is_nan(a), nb = f16_is_nan(b);
  if (na || nb) return na && nb ? kF16CanonicalNaN : (na ? b : a);
  const int32_t ka = detail::f16_key(a), kb = detail::f16_key(b);
  if (ka != kb) return ka > kb ? a : b;
  return uint16_t(a & b);  // equal values: clears the sign unless both are -0
}
inline uint16_t f16_min(uint16_t a, uint16_t b) {
  const bool na = f16_is_nan(a), nb = f16_is_nan(b);
  if (na || nb) return na && nb ? kF16CanonicalNaN : (na ? b : a);
  const int32_t ka = detail::f16_key(a), kb = detail::f16_key(b);
  if (ka != kb) return ka < kb ? a : b;
  return uint16_t(a | b);  // equal values: sets the sign if either is -0
}
inline uint16_t f16_max(uint16_t a, uint16_t b, FpFlags *flags) {
  if (f16_is_snan(a) || f16_is_snan(b)) detail::raise_invalid(flags);
  return f16_max(a, b);
}
inline uint16_t f16_min(uint16_t a, uint16_t b, FpFlags *flags) {
  if (f16_is_snan(a) || f16_is_snan(b)) detail::raise_invalid(flags);
  return f16_min(a, b);
}

// Same rule for binary32, done on bits (returns an operand bit-exactly).
inline float f32_max(float a, float b) {
  const bool na = f32_is_nan(a), nb = f32_is_nan(b);
  if (na || nb) return na && nb ? f32_canonical_nan() : (na ? b : a);
  const uint32_t ba = f32_bits(a), bb = f32_bits(b);
  const int64_t ka = detail::f32_key(ba), kb = detail::f32_key(bb);
  if (ka != kb) return ka > kb ? a : b;
  return f32_from_bits(ba & bb);
}
inline float f32_min(float a, float b) {
  const bool na = f32_is_nan(a), nb = f32_is_nan(b);
  if (na || nb) return na && nb ? f32_canonical_nan() : (na ? b : a);
  const uint32_t ba = f32_bits(a), bb = f32_bits(b);
  const int64_t ka = detail::f32_key(ba), kb = detail::f32_key(bb);
  if (ka != kb) return ka < kb ? a : b;
  return f32_from_bits(ba | bb);
}
inline float f32_max(float a, float b, FpFlags *flags) {
  if (f32_is_snan(a) || f32_is_snan(b)) detail::raise_invalid(flags);
  return f32_max(a, b);
}
inline float f32_min(float a, float b, FpFlags *flags) {
  if (f32_is_snan(a) || f32_is_snan(b)) detail::raise_invalid(flags);
  return f32_min(a, b);
}

// IEEE comparisons: any NaN operand makes every predicate false except ne.
// -0 == +0. With flags: eq/ne are quiet (invalid only for a signalling NaN),
// lt/le/gt/ge signal invalid for any NaN, as IEEE 754 specifies.
inline bool f16_cmpeq(uint16_t a, uint16_t b) {
  return !f16_is_nan(a) && !f16_is_nan(b) && detail::f16_key(a) == detail::f16_key(b);
}
inline bool f16_cmpne(uint16_t a, uint16_t b) { return !f16_cmpeq(a, b); }
inline bool f16_cmplt(uint16_t a, uint16_t b) {
  return !f16_is_nan(a) && !f16_is_nan(b) && detail::f16_key(a) < detail::f16_key(b);
}
inline bool f16_cmple(uint16_t a, uint16_t b) {
  return !f16_is_nan(a) && !f16_is_nan(b) && detail::f16_key(a) <= detail::f16_key(b);
}
inline bool f16_cmpgt(uint16_t a, uint16_t b) { return f16_cmplt(b, a); }
inline bool f16_cmpge(uint16_t a, uint16_t b) { return f16_cmple(b, a); }

namespace detail {
inline void quiet_compare_flags(uint16_t a, uint16_t b, FpFlags *f) {
  if (f16_is_snan(a) || f16_is_snan(b)) raise_invalid(f);
}
inline void signalling_compare_flags(uint16_t a, uint16_t b, FpFlags *f) {
  if (f16_is_nan(a) || f16_is_nan(b)) raise_invalid(f);
}
} // namespace detail

inline bool f16_cmpeq(uint16_t a, uint16_t b, FpFlags *flags) {
  detail::quiet_compare_flags(a, b, flags);
  return f16_cmpeq(a, b);
}
inline bool f16_cmpne(uint16_t a, uint16_t b, FpFlags *flags) {
  detail::quiet_compare_flags(a, b, flags);
  return f16_cmpne(a, b);
}
inline bool f16_cmplt(uint16_t a, uint16_t b, FpFlags *flags) {
  detail::signalling_compare_flags(a, b, flags);
  return f16_cmplt(a, b);
}
inline bool f16_cmple(uint16_t a, uint16_t b, FpFlags *flags) {
  detail::signalling_compare_flags(a, b, flags);
  return f16_cmple(a, b);
}
inline bool f16_cmpgt(uint16_t a, uint16_t b, FpFlags *flags) {
  detail::signalling_compare_flags(a, b, flags);
  return f16_cmpgt(a, b);
}
inline bool f16_cmpge(uint16_t a, uint16_t b, FpFlags *flags) {
  detail::signalling_compare_flags(a, b, flags);
  return f16_cmpge(a, b);
}

} // namespace ipusim
