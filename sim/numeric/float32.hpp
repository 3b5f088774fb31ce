// IEEE binary32 ("float", fp32) arithmetic and transcendental functions on
// bit patterns, with the exception flags the IPU records in $FP_STS
// (invalid, divide by zero, overflow).
//
// Basic operations (add, sub, mul, div, sqrt) use the host's binary32
// arithmetic, which IEEE 754 requires to be correctly rounded (round to
// nearest even: ipusim never changes the host rounding mode and is not built
// with -ffast-math). Flags are derived from the operands and the result:
//   invalid   an operand is a signalling NaN, or the result is a NaN although
//             no operand is one (inf - inf, 0 * inf, 0 / 0, inf / inf,
//             sqrt of a negative number);
//   div0      a finite non-zero number divided by zero;
//   overflow  the result is infinite although every operand is finite and no
//             division by zero happened.
// NaN results are the canonical quiet NaN 0x7FC00000 (see half.hpp).
//
// Transcendentals are evaluated in long double (64-bit significand or more)
// and rounded once to the destination format, so they are correctly rounded
// except when the exact value lies within about 2^-60 (relative) of a
// rounding boundary: the IPU's accuracy is not public (docs/isa.md).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "sim/numeric/half.hpp"

namespace ipusim {

static_assert(std::numeric_limits<long double>::digits >= 64,
              "the transcendental functions need a long double with at least 64 significant bits");

inline bool f32b_is_nan(uint32_t b) { return (b & ~kF32SignMask) > kF32ExpMask; }
inline bool f32b_is_snan(uint32_t b) { return f32b_is_nan(b) && !(b & kF32QuietBit); }
inline bool f32b_is_finite(uint32_t b) { return (b & kF32ExpMask) != kF32ExpMask; }
inline bool f32b_is_zero(uint32_t b) { return (b & ~kF32SignMask) == 0; }

namespace detail {
// The flags and canonical NaN of a binary32 result computed from the
// operands ops[0..n) by the host (see the rules at the top of the file).
inline uint32_t f32_finish(float r, const uint32_t *ops, unsigned n, FpFlags *f) {
  bool any_nan = false, any_snan = false, all_finite = true;
  for (unsigned k = 0; k < n; ++k) {
    any_nan |= f32b_is_nan(ops[k]);
    any_snan |= f32b_is_snan(ops[k]);
    all_finite &= f32b_is_finite(ops[k]);
  }
  const uint32_t b = f32_bits(r);
  if (f) {
    if (any_snan || (f32b_is_nan(b) && !any_nan)) f->invalid = true;
    if (!f32b_is_finite(b) && !f32b_is_nan(b) && all_finite) f->overflow = true;
  }
  return f32b_is_nan(b) ? kF32CanonicalNaN : b;
}
} // namespace detail

inline uint32_t f32_add_bits(uint32_t a, uint32_t b, FpFlags *f) {
  const uint32_t ops[2] = {a, b};
  return detail::f32_finish(f32_from_bits(a) + f32_from_bits(b), ops, 2, f);
}
inline uint32_t f32_sub_bits(uint32_t a, uint32_t b, FpFlags *f) {
  const uint32_t ops[2] = {a, b};
  return detail::f32_finish(f32_from_bits(a) - f32_from_bits(b), ops, 2, f);
}
inline uint32_t f32_mul_bits(uint32_t a, uint32_t b, FpFlags *f) {
  const uint32_t ops[2] = {a, b};
  return detail::f32_finish(f32_from_bits(a) * f32_from_bits(b), ops, 2, f);
}
inline uint32_t f32_div_bits(uint32_t a, uint32_t b, FpFlags *f) {
  const float q = f32_from_bits(a) / f32_from_bits(b);
  if (f32b_is_zero(b) && f32b_is_finite(a) && !f32b_is_zero(a)) {
    if (f) f->div0 = true;  // an exact infinity, not an overflow
    return f32_bits(q);
  }
  const uint32_t ops[2] = {a, b};
  return detail::f32_finish(q, ops, 2, f);
}
inline uint32_t f32_sqrt_bits(uint32_t a, FpFlags *f) {
  return detail::f32_finish(std::sqrt(f32_from_bits(a)), &a, 1, f);
}

// max/min with the NaN rule of half.hpp; invalid only for a signalling NaN.
inline uint32_t f32_max_bits(uint32_t a, uint32_t b, FpFlags *f) {
  return f32_bits(f32_max(f32_from_bits(a), f32_from_bits(b), f));
}
inline uint32_t f32_min_bits(uint32_t a, uint32_t b, FpFlags *f) {
  return f32_bits(f32_min(f32_from_bits(a), f32_from_bits(b), f));
}

// Comparisons as IEEE 754 defines them: equal/not-equal are quiet (invalid
// only for a signalling NaN), the ordered ones signal invalid for any NaN.
enum class CmpOp : uint8_t { eq, ne, lt, le, gt, ge };
inline bool f32_compare(CmpOp op, uint32_t a, uint32_t b, FpFlags *f) {
  const bool nan = f32b_is_nan(a) || f32b_is_nan(b);
  const bool quiet = op == CmpOp::eq || op == CmpOp::ne;
  if (f && (f32b_is_snan(a) || f32b_is_snan(b) || (nan && !quiet))) f->invalid = true;
  const float x = f32_from_bits(a), y = f32_from_bits(b);
  switch (op) {
  case CmpOp::eq: return x == y;
  case CmpOp::ne: return !(x == y);
  case CmpOp::lt: return x < y;
  case CmpOp::le: return x <= y;
  case CmpOp::gt: return x > y;
  case CmpOp::ge: return x >= y;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Transcendental functions
// ---------------------------------------------------------------------------

enum class Transcendental : uint8_t { exp, exp2, ln, log2, sigm, tanh, sqrt, oox, oorx };

// The value of fn at a non-NaN x, in long double, with the IEEE 754 special
// cases: domain errors (ln/log2/sqrt/oorx of a negative number, including
// -inf) raise invalid and give NaN; poles (ln/log2 of +-0: -inf; oox of +-0:
// +-inf; oorx of +-0: +inf, as IEEE 754 rSqrt) raise div0. sigm(x) is the
// logistic function 1 / (1 + e^-x); oox is 1/x, oorx is 1/sqrt(x).
inline long double transcendental_value(Transcendental fn, long double x, FpFlags *f) {
  const bool neg = std::signbit(x) && x != 0;
  auto domain_error = [&] {
    if (f) f->invalid = true;
    return std::numeric_limits<long double>::quiet_NaN();
  };
  auto pole = [&](long double v) {
    if (f) f->div0 = true;
    return v;
  };
  constexpr long double inf = std::numeric_limits<long double>::infinity();
  switch (fn) {
  case Transcendental::exp: return std::exp(x);
  case Transcendental::exp2: return std::exp2(x);
  case Transcendental::ln:
  case Transcendental::log2:
    if (neg) return domain_error();
    if (x == 0) return pole(-inf);
    return fn == Transcendental::ln ? std::log(x) : std::log2(x);
  case Transcendental::sigm:
    // For x < 0 the form e^x / (1 + e^x) keeps the tiny results accurate.
    if (x < 0) {
      const long double e = std::exp(x);
      return e / (1 + e);
    }
    return 1 / (1 + std::exp(-x));
  case Transcendental::tanh: return std::tanh(x);
  case Transcendental::sqrt:
    if (neg) return domain_error();
    return std::sqrt(x);  // sqrt(-0) = -0
  case Transcendental::oox:
    if (x == 0) return pole(std::signbit(x) ? -inf : inf);
    return 1 / x;
  case Transcendental::oorx:
    if (neg) return domain_error();
    if (x == 0) return pole(inf);
    return 1 / std::sqrt(x);
  }
  return domain_error();
}

// fn of a binary32 operand, rounded once to binary32 (round to nearest
// even). NaN operands give the canonical NaN (invalid if signalling); a
// finite exact value too large for binary32 gives infinity and overflow.
inline uint32_t f32_transcendental(Transcendental fn, uint32_t x, FpFlags *f) {
  if (f32b_is_nan(x)) {
    if (f && f32b_is_snan(x)) f->invalid = true;
    return kF32CanonicalNaN;
  }
  const long double v = transcendental_value(fn, f32_from_bits(x), f);
  if (std::isnan(v)) return kF32CanonicalNaN;
  const float r = static_cast<float>(v);  // the one rounding
  if (f && std::isinf(r) && !std::isinf(v)) f->overflow = true;
  return f32_bits(r);
}

// fn of a binary16 operand as a double holding the long double value (one
// more rounding, 53 bits, before the final one to binary16: the results of
// these functions at binary16 arguments are never that close to a binary16
// rounding boundary; tests/unit/float32_test.cpp checks every input). NaN
// operands give NaN (invalid if signalling); the caller rounds the result.
inline double f16_transcendental_value(Transcendental fn, uint16_t x, FpFlags *f) {
  if (f16_is_nan(x)) {
    if (f && f16_is_snan(x)) f->invalid = true;
    return std::numeric_limits<double>::quiet_NaN();
  }
  return static_cast<double>(transcendental_value(fn, f16_to_double(x), f));
}

} // namespace ipusim
