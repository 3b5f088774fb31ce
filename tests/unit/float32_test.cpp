// Tests for sim/numeric/float32.hpp: binary32 arithmetic flags and the
// transcendental functions. References: IEEE 754 special cases by hand, and
// the host's double-precision libm (a different evaluation path from the
// long double one under test), rounded once to the destination format.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>

#include "sim/numeric/float32.hpp"

using namespace ipusim;

namespace {
uint32_t b(float x) { return f32_bits(x); }
constexpr uint32_t kInf = 0x7F800000u, kNegInf = 0xFF800000u, kSNaN = 0x7F800001u, kQNaN = 0x7FC12345u;
constexpr uint32_t kMinSub = 0x00000001u, kMax = 0x7F7FFFFFu;

FpFlags flags_of(uint32_t (*fn)(uint32_t, uint32_t, FpFlags *), uint32_t x, uint32_t y) {
  FpFlags f;
  fn(x, y, &f);
  return f;
}
bool only(const FpFlags &f, bool inv, bool div0, bool oflo) {
  return f.invalid == inv && f.div0 == div0 && f.overflow == oflo;
}

uint32_t tr(Transcendental fn, uint32_t x, FpFlags *f = nullptr) { return f32_transcendental(fn, x, f); }

// The host double-precision reference of fn (a different libm path).
double ref(Transcendental fn, double x) {
  switch (fn) {
  case Transcendental::exp: return std::exp(x);
  case Transcendental::exp2: return std::exp2(x);
  case Transcendental::ln: return std::log(x);
  case Transcendental::log2: return std::log2(x);
  case Transcendental::sigm: return 1.0 / (1.0 + std::exp(-x));
  case Transcendental::tanh: return std::tanh(x);
  case Transcendental::sqrt: return std::sqrt(x);
  case Transcendental::oox: return 1.0 / x;
  case Transcendental::oorx: return 1.0 / std::sqrt(x);
  }
  return NAN;
}
const char *name(Transcendental fn) {
  static const char *n[] = {"exp", "exp2", "ln", "log2", "sigm", "tanh", "sqrt", "oox", "oorx"};
  return n[static_cast<int>(fn)];
}
} // namespace

TEST_CASE("f32 arithmetic flags: invalid, divide by zero, overflow") {
  CHECK(f32_add_bits(b(1.5f), b(-2.0f), nullptr) == b(-0.5f));
  CHECK(only(flags_of(f32_add_bits, b(1.0f), b(2.0f)), false, false, false));
  CHECK(only(flags_of(f32_sub_bits, kInf, kInf), true, false, false));  // inf - inf
  CHECK(f32_sub_bits(kInf, kInf, nullptr) == kF32CanonicalNaN);
  CHECK(only(flags_of(f32_mul_bits, kInf, 0), true, false, false));     // inf * 0
  CHECK(only(flags_of(f32_add_bits, kQNaN, b(1.0f)), false, false, false)); // quiet NaN propagates silently
  CHECK(f32_add_bits(kQNaN, b(1.0f), nullptr) == kF32CanonicalNaN);
  CHECK(only(flags_of(f32_add_bits, kSNaN, b(1.0f)), true, false, false));
  CHECK(only(flags_of(f32_mul_bits, kMax, b(2.0f)), false, false, true));
  CHECK(f32_mul_bits(kMax, b(2.0f), nullptr) == kInf);
  CHECK(only(flags_of(f32_add_bits, kInf, b(1.0f)), false, false, false)); // exact infinity: no overflow
  CHECK(only(flags_of(f32_div_bits, b(1.0f), 0), false, true, false));
  CHECK(f32_div_bits(b(-1.0f), 0, nullptr) == kNegInf);
  CHECK(f32_div_bits(b(1.0f), 0x80000000u, nullptr) == kNegInf);
  CHECK(only(flags_of(f32_div_bits, 0, 0), true, false, false));       // 0 / 0
  CHECK(only(flags_of(f32_div_bits, kInf, kInf), true, false, false));
  CHECK(only(flags_of(f32_div_bits, kInf, 0), false, false, false));   // inf / 0 = inf exactly
  CHECK(only(flags_of(f32_div_bits, kMax, b(0.5f)), false, false, true));
  CHECK(f32_div_bits(b(1.0f), b(3.0f), nullptr) == 0x3EAAAAABu);
  FpFlags f;
  CHECK(f32_sqrt_bits(b(-1.0f), &f) == kF32CanonicalNaN);
  CHECK(f.invalid);
  f = {};
  CHECK(f32_sqrt_bits(0x80000000u, &f) == 0x80000000u);  // sqrt(-0) = -0
  CHECK(!f.invalid);
  f = {};
  CHECK(f32_max_bits(kSNaN, b(1.0f), &f) == b(1.0f));
  CHECK(f.invalid);
}

TEST_CASE("f32 compares: quiet eq/ne, signalling ordered compares") {
  FpFlags f;
  CHECK(!f32_compare(CmpOp::eq, kQNaN, kQNaN, &f));
  CHECK(f32_compare(CmpOp::ne, kQNaN, b(1.0f), &f));
  CHECK(!f.invalid);
  CHECK(!f32_compare(CmpOp::lt, kQNaN, b(1.0f), &f));
  CHECK(f.invalid);
  f = {};
  CHECK(!f32_compare(CmpOp::eq, kSNaN, b(1.0f), &f));
  CHECK(f.invalid);
  CHECK(f32_compare(CmpOp::eq, 0, 0x80000000u, nullptr)); // -0 == +0
  CHECK(f32_compare(CmpOp::ge, b(2.0f), b(2.0f), nullptr));
  CHECK(!f32_compare(CmpOp::gt, b(2.0f), b(2.0f), nullptr));
}

TEST_CASE("f32 transcendentals: IEEE special cases and flags") {
  using T = Transcendental;
  FpFlags f;
  CHECK(tr(T::exp, 0) == b(1.0f));
  CHECK(tr(T::exp, 0x80000000u) == b(1.0f));
  CHECK(tr(T::exp, kNegInf) == 0u);
  CHECK(tr(T::exp, kInf, &f) == kInf);
  CHECK(only(f, false, false, false));
  CHECK(tr(T::exp, b(89.0f), &f) == kInf);  // e^89 > FLT_MAX
  CHECK(only(f, false, false, true));
  f = {};
  CHECK(tr(T::exp, b(-103.0f)) == kMinSub); // e^-103 = 1.32 * 2^-149
  CHECK(tr(T::exp, b(-104.0f)) == 0u);      // e^-104 = 0.486 * 2^-149 rounds to +0
  CHECK(tr(T::exp, kQNaN, &f) == kF32CanonicalNaN);
  CHECK(only(f, false, false, false));
  CHECK(tr(T::exp, kSNaN, &f) == kF32CanonicalNaN);
  CHECK(only(f, true, false, false));
  f = {};
  CHECK(tr(T::exp2, b(10.0f)) == b(1024.0f));
  CHECK(tr(T::exp2, b(-149.0f)) == kMinSub);
  CHECK(tr(T::exp2, b(128.0f), &f) == kInf);
  CHECK(only(f, false, false, true));
  f = {};
  CHECK(tr(T::ln, b(1.0f)) == 0u);
  CHECK(tr(T::ln, 0, &f) == kNegInf);
  CHECK(only(f, false, true, false));
  f = {};
  CHECK(tr(T::ln, 0x80000000u, &f) == kNegInf);  // ln(-0) = -inf, divide by zero
  CHECK(only(f, false, true, false));
  f = {};
  CHECK(tr(T::ln, b(-1.0f), &f) == kF32CanonicalNaN);
  CHECK(only(f, true, false, false));
  f = {};
  CHECK(tr(T::ln, kNegInf, &f) == kF32CanonicalNaN);
  CHECK(only(f, true, false, false));
  f = {};
  CHECK(tr(T::ln, kInf, &f) == kInf);
  CHECK(only(f, false, false, false));
  CHECK(tr(T::ln, kMinSub) == b(-103.27893f)); // ln(2^-149) = -149 ln 2
  CHECK(tr(T::log2, kMinSub) == b(-149.0f));
  CHECK(tr(T::log2, b(8.0f)) == b(3.0f));
  CHECK(tr(T::sigm, 0) == b(0.5f));
  CHECK(tr(T::sigm, kInf) == b(1.0f));
  CHECK(tr(T::sigm, kNegInf) == 0u);
  CHECK(tr(T::sigm, b(-120.0f)) == b(float(std::exp(-120.0)))); // e^-120 / (1 + e^-120), tiny but normal
  CHECK(tr(T::tanh, kInf) == b(1.0f));
  CHECK(tr(T::tanh, kNegInf) == b(-1.0f));
  CHECK(tr(T::tanh, 0x80000000u) == 0x80000000u);
  CHECK(tr(T::sqrt, b(2.0f)) == 0x3FB504F3u);
  CHECK(tr(T::sqrt, 0x80000000u) == 0x80000000u);
  CHECK(tr(T::sqrt, b(-4.0f), &f) == kF32CanonicalNaN);
  CHECK(only(f, true, false, false));
  f = {};
  CHECK(tr(T::oox, b(4.0f)) == b(0.25f));
  CHECK(tr(T::oox, 0, &f) == kInf);
  CHECK(only(f, false, true, false));
  f = {};
  CHECK(tr(T::oox, 0x80000000u, &f) == kNegInf);
  CHECK(only(f, false, true, false));
  f = {};
  CHECK(tr(T::oox, kMinSub, &f) == kInf);  // 2^149 > FLT_MAX
  CHECK(only(f, false, false, true));
  f = {};
  CHECK(tr(T::oox, kNegInf) == 0x80000000u);
  CHECK(tr(T::oorx, b(4.0f)) == b(0.5f));
  CHECK(tr(T::oorx, 0x80000000u, &f) == kInf);  // IEEE rSqrt(-0) = +inf
  CHECK(only(f, false, true, false));
  f = {};
  CHECK(tr(T::oorx, b(-1.0f), &f) == kF32CanonicalNaN);
  CHECK(only(f, true, false, false));
  CHECK(tr(T::oorx, kInf) == 0u);
  CHECK(tr(T::oorx, kMinSub) == b(float(std::ldexp(1.0, 74) * std::sqrt(2.0)))); // 2^74.5
}

TEST_CASE("f32 transcendentals agree with the host double libm rounded once") {
  // Random bit patterns over the whole range plus a dense sweep of [-20, 20].
  std::mt19937 rng(12345);
  const Transcendental fns[] = {Transcendental::exp, Transcendental::exp2, Transcendental::ln,
                                Transcendental::log2, Transcendental::sigm, Transcendental::tanh,
                                Transcendental::sqrt, Transcendental::oox,  Transcendental::oorx};
  for (Transcendental fn : fns) {
    int mismatches = 0, checked = 0;
    std::string first;
    auto check = [&](uint32_t x) {
      if (f32b_is_nan(x)) return;
      const double want_d = ref(fn, double(f32_from_bits(x)));
      const uint32_t want = std::isnan(want_d) ? kF32CanonicalNaN : b(static_cast<float>(want_d));
      const uint32_t got = tr(fn, x);
      ++checked;
      if (got != want && mismatches++ == 0)
        first = std::string(name(fn)) + " of " + std::to_string(f32_from_bits(x)) + ": got " + std::to_string(got) +
                " want " + std::to_string(want);
    };
    for (int k = 0; k < 100000; ++k) check(rng());
    for (int k = -200000; k <= 200000; ++k) check(b(float(k) / 10000.0f));
    INFO(first);
    CHECK(checked > 400000);
    CHECK(mismatches == 0);
  }
}

TEST_CASE("f16 transcendental values: every half input, against the double libm") {
  // For every binary16 input the value handed to the final rounding must
  // round like the double-libm value, and be far from any binary16 rounding
  // boundary (which justifies the intermediate rounding to double).
  const Transcendental fns[] = {Transcendental::exp, Transcendental::exp2, Transcendental::ln,
                                Transcendental::log2, Transcendental::sigm, Transcendental::tanh};
  for (Transcendental fn : fns) {
    int mismatches = 0;
    std::string first;
    for (uint32_t h = 0; h < 0x10000; ++h) {
      if (f16_is_nan(uint16_t(h))) continue;
      const double v = f16_transcendental_value(fn, uint16_t(h), nullptr);
      const double w = ref(fn, f16_to_double(uint16_t(h)));
      if (std::isnan(v) || std::isnan(w)) {
        if (std::isnan(v) != std::isnan(w) && mismatches++ == 0) first = std::string(name(fn)) + " NaN " + std::to_string(h);
        continue;
      }
      const uint16_t got = f16_from_double(v), want = f16_from_double(w);
      // Distance to the nearest rounding boundary of the result, relative to the value.
      bool near_boundary = false;
      if (std::isfinite(v) && v != 0 && f16_is_finite(got) && !f16_is_zero(got)) {
        const double r = f16_to_double(got);
        const double up = f16_to_double(uint16_t(got + 1)), down = f16_to_double(uint16_t(got - 1));
        const double m1 = (r + up) / 2, m2 = (r + down) / 2;
        near_boundary = std::fabs(v - m1) < std::fabs(v) * 0x1p-40 || std::fabs(v - m2) < std::fabs(v) * 0x1p-40;
      }
      if ((got != want || near_boundary) && mismatches++ == 0)
        first = std::string(name(fn)) + " of half " + std::to_string(h) + ": got " + std::to_string(got) + " want " +
                std::to_string(want);
    }
    INFO(first);
    CHECK(mismatches == 0);
  }
  FpFlags f;
  CHECK(std::isnan(f16_transcendental_value(Transcendental::ln, 0xBC00, &f))); // ln(-1)
  CHECK(f.invalid);
  f = {};
  CHECK(f16_transcendental_value(Transcendental::ln, 0x8000, &f) == -INFINITY);
  CHECK(f.div0);
  f = {};
  CHECK(std::isnan(f16_transcendental_value(Transcendental::exp, 0x7D00, &f))); // signalling NaN
  CHECK(f.invalid);
}
