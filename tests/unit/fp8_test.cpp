// Tests for sim/numeric/fp8.hpp. The references are built differently from
// the code under test:
//  * code values come from the textbook formula (1 + m / 2^M) * 2^(e - bias)
//    with std::pow, written out per format;
//  * rounding is a nearest-value search over the 128 non-negative values
//    (binary search, then an exact comparison of distances in double, ties
//    to the even code), with a virtual 129th value one ulp above the maximum
//    to decide overflow.
#include "sim/numeric/fp8.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using namespace ipusim;

namespace {

const Fp8Format kFormats[] = {Fp8Format::f143, Fp8Format::f152};

// The format definition, written out: exponent bits, fraction bits, bias.
struct Def {
  int ebits, mbits, bias;
};
Def def(Fp8Format f) { return f == Fp8Format::f143 ? Def{4, 3, 8} : Def{5, 2, 16}; }

// Value of a non-NaN code, unscaled, from the format definition.
double ref_decode(Fp8Format f, unsigned code) {
  const Def d = def(f);
  const unsigned s = code >> 7;
  const unsigned e = (code >> d.mbits) & ((1u << d.ebits) - 1);
  const unsigned m = code & ((1u << d.mbits) - 1);
  const double frac = double(m) / std::pow(2.0, d.mbits);
  const double mag = e == 0 ? frac * std::pow(2.0, 1 - d.bias) : (1.0 + frac) * std::pow(2.0, int(e) - d.bias);
  return s ? -mag : mag;
}

// Rounds any double to FP8 by searching the table of the 128 non-negative
// values of one format and scale.
class RefEncoder {
public:
  RefEncoder(Fp8Format f, int scale) : v_(129) {
    for (unsigned k = 0; k < 128; ++k) v_[k] = std::ldexp(ref_decode(f, k), scale);
    v_[128] = v_[127] + (v_[127] - v_[126]); // the next binade's first value
  }
  uint8_t operator()(double x, Fp8Overflow ov) const {
    if (std::isnan(x) || std::isinf(x)) return kF8NaN;
    const double a = std::fabs(x);
    const unsigned sign = std::signbit(x) ? 0x80 : 0;
    unsigned k = 128;
    if (a < v_[128]) {
      k = unsigned(std::upper_bound(v_.begin(), v_.end(), a) - v_.begin()) - 1; // v[k] <= a < v[k+1]
      // Both distances are exact: a and the values have few significant bits
      // and lie close together.
      const double below = a - v_[k], above = v_[k + 1] - a;
      if (above < below || (above == below && (k & 1))) ++k;
    }
    if (k == 128) return ov == Fp8Overflow::nan ? kF8NaN : uint8_t(sign | 0x7F);
    if (k == 0) return 0;
    return uint8_t(sign | k);
  }

private:
  std::vector<double> v_;
};

uint8_t ref_encode(double x, Fp8Format f, int scale, Fp8Overflow ov) { return RefEncoder(f, scale)(x, ov); }

double f16_value(uint16_t h) { return double(f16_to_f32(h)); }

} // namespace

TEST_CASE("fp8: every code decodes to the value of the format definition") {
  for (Fp8Format f : kFormats)
    for (unsigned c = 0; c < 256; ++c) {
      CAPTURE(fp8_format_name(f));
      CAPTURE(c);
      if (c == 0x80) {
        CHECK(std::isnan(fp8_to_double(uint8_t(c), f)));
        continue;
      }
      const double want = ref_decode(f, c);
      CHECK(fp8_to_double(uint8_t(c), f) == want);
      for (int s = kF8ScaleMin; s <= kF8ScaleMax; ++s) CHECK(fp8_to_double(uint8_t(c), f, s) == want * std::pow(2.0, s));
    }
}

TEST_CASE("fp8: landmark values of both formats") {
  CHECK(fp8_max_value(Fp8Format::f143) == 240.0);
  CHECK(fp8_max_value(Fp8Format::f152) == 57344.0);
  CHECK(fp8_to_double(0x01, Fp8Format::f143) == std::ldexp(1.0, -10)); // smallest subnormal
  CHECK(fp8_to_double(0x01, Fp8Format::f152) == std::ldexp(1.0, -17));
  CHECK(fp8_to_double(0x08, Fp8Format::f143) == std::ldexp(1.0, -7)); // smallest normal
  CHECK(fp8_to_double(0x04, Fp8Format::f152) == std::ldexp(1.0, -15));
  CHECK(fp8_to_double(0x40, Fp8Format::f143) == 1.0);
  CHECK(fp8_to_double(0x40, Fp8Format::f152) == 1.0);
  CHECK(fp8_to_double(0xFF, Fp8Format::f143) == -240.0);
  CHECK(fp8_to_double(0x00, Fp8Format::f143) == 0.0);
  // Non-negative codes are ordered by value (the reference search relies on it).
  for (Fp8Format f : kFormats)
    for (unsigned c = 1; c < 128; ++c) CHECK(ref_decode(f, c) > ref_decode(f, c - 1));
}

TEST_CASE("fp8: NaN converts to the canonical NaN of fp16 and fp32") {
  for (Fp8Format f : kFormats) {
    CHECK(fp8_to_f16(kF8NaN, f) == kF16CanonicalNaN);
    CHECK(fp8_to_f32_bits(kF8NaN, f) == kF32CanonicalNaN);
  }
}

TEST_CASE("fp8: every code round-trips through fp32 at every scale") {
  for (Fp8Format f : kFormats)
    for (int s = kF8ScaleMin; s <= kF8ScaleMax; ++s)
      for (unsigned c = 0; c < 256; ++c) {
        CAPTURE(c);
        CAPTURE(s);
        const float x = fp8_to_f32(uint8_t(c), f, s);
        if (c != 0x80) CHECK(double(x) == ref_decode(f, c) * std::pow(2.0, s)); // exact
        CHECK(f32_to_fp8(x, f, s, Fp8Overflow::nan) == c);
        CHECK(f32_to_fp8(x, f, s, Fp8Overflow::saturate) == c);
      }
}

TEST_CASE("fp8: every code round-trips through fp16 where fp16 holds it exactly") {
  for (Fp8Format f : kFormats)
    for (int s = kF8ScaleMin; s <= kF8ScaleMax; ++s)
      for (unsigned c = 0; c < 256; ++c) {
        CAPTURE(c);
        CAPTURE(s);
        const uint16_t h = fp8_to_f16(uint8_t(c), f, s);
        if (c == 0x80) {
          CHECK(h == kF16CanonicalNaN);
          continue;
        }
        const double exact = ref_decode(f, c) * std::pow(2.0, s);
        // fp16 is the reference rounding of the exact value in any case.
        CHECK(h == f16_from_double(exact));
        if (f16_value(h) == exact) CHECK(f16_to_fp8(h, f, s, Fp8Overflow::nan) == c);
      }
  // At scale 0 every code is an fp16 value (1.4.3 spans 2^-10..240, 1.5.2 2^-17..57344).
  for (Fp8Format f : kFormats)
    for (unsigned c = 0; c < 256; ++c)
      if (c != 0x80) CHECK(f16_value(fp8_to_f16(uint8_t(c), f)) == ref_decode(f, c));
}

TEST_CASE("fp8: every fp16 code converts as the nearest-value reference, all scales, both overflow modes") {
  for (Fp8Format f : kFormats)
    for (int s = kF8ScaleMin; s <= kF8ScaleMax; ++s) {
      const RefEncoder ref(f, s);
      unsigned mismatches = 0;
      for (uint32_t h = 0; h < 0x10000; ++h)
        for (Fp8Overflow ov : {Fp8Overflow::saturate, Fp8Overflow::nan}) {
          const uint8_t got = f16_to_fp8(uint16_t(h), f, s, ov);
          const uint8_t want = ref(f16_value(uint16_t(h)), ov);
          if (got != want && ++mismatches <= 5) {
            CAPTURE(h);
            CAPTURE(s);
            CHECK(int(got) == int(want));
          }
        }
      CAPTURE(fp8_format_name(f));
      CAPTURE(s);
      CHECK(mismatches == 0);
    }
}

TEST_CASE("fp8: ties round to even (poplibs' 1.4.3 examples)") {
  const auto q = [](double x) { return f16_to_fp8(f16_from_double(x), Fp8Format::f143, 0, Fp8Overflow::nan); };
  CHECK(q(7.0) == 0x56);
  CHECK(q(7.25) == 0x56); // tie between 7.0 (even) and 7.5
  CHECK(q(7.5) == 0x57);
  CHECK(q(7.75) == 0x58); // tie between 7.5 and 8.0 (even)
  CHECK(q(8.0) == 0x58);
  CHECK(q(8.5) == 0x58); // tie between 8 (even) and 9
  CHECK(q(9.0) == 0x59);
  CHECK(q(9.5) == 0x5A); // tie between 9 and 10 (even)
  // Just above the tie: one rounding from fp32 sees the extra bit, so 0x59;
  // rounding through fp16 first would have made an exact tie and 0x58.
  CHECK(f32_to_fp8(8.50390625f, Fp8Format::f143, 0, Fp8Overflow::nan) == 0x59);
  CHECK(fp8_from_double(8.5 + 1e-9, Fp8Format::f143, 0, Fp8Overflow::nan) == 0x59);
  // 1.5.2: between 1.0 (0x40) and 1.25 (0x41) the tie 1.125 goes to 0x40;
  // between 1.25 and 1.5 (0x42) the tie 1.375 goes to 0x42.
  CHECK(fp8_from_double(1.125, Fp8Format::f152, 0, Fp8Overflow::nan) == 0x40);
  CHECK(fp8_from_double(1.375, Fp8Format::f152, 0, Fp8Overflow::nan) == 0x42);
  // Subnormal ties: half the smallest subnormal goes to zero (even), 1.5 of
  // it to 2 (even).
  CHECK(fp8_from_double(std::ldexp(1.0, -11), Fp8Format::f143, 0, Fp8Overflow::nan) == 0x00);
  CHECK(fp8_from_double(std::ldexp(3.0, -11), Fp8Format::f143, 0, Fp8Overflow::nan) == 0x02);
  CHECK(fp8_from_double(-std::ldexp(1.0, -11), Fp8Format::f143, 0, Fp8Overflow::nan) == 0x00); // no -0
}

TEST_CASE("fp8: overflow saturates or gives NaN; infinities and NaN give NaN in both modes") {
  const auto sat = Fp8Overflow::saturate, nan = Fp8Overflow::nan;
  for (Fp8Format f : kFormats) {
    const double max = fp8_max_value(f);
    const double ulp = max - fp8_to_double(0x7E, f);
    CHECK(fp8_from_double(max + ulp / 2 - ulp / 64, f, 0, nan) == 0x7F); // rounds down to max: no overflow
    CHECK(fp8_from_double(max + ulp / 2, f, 0, nan) == kF8NaN);        // the tie goes up (0x7F is odd)
    CHECK(fp8_from_double(max + ulp / 2, f, 0, sat) == 0x7F);
    CHECK(fp8_from_double(-max * 4, f, 0, sat) == 0xFF);
    CHECK(fp8_from_double(-max * 4, f, 0, nan) == kF8NaN);
    for (Fp8Overflow ov : {sat, nan}) {
      CHECK(f16_to_fp8(kF16PosInf, f, 0, ov) == kF8NaN);
      CHECK(f16_to_fp8(kF16NegInf, f, 0, ov) == kF8NaN);
      CHECK(f16_to_fp8(kF16CanonicalNaN, f, 0, ov) == kF8NaN);
      CHECK(f16_to_fp8(0xFE01, f, 0, ov) == kF8NaN); // a signalling NaN with the sign set
      CHECK(f32_to_fp8(INFINITY, f, 0, ov) == kF8NaN);
      CHECK(f32_to_fp8(std::nanf(""), f, 0, ov) == kF8NaN);
      CHECK(f16_to_fp8(0x8000, f, 0, ov) == 0x00); // -0 has no code of its own
    }
  }
  // The cases of poplibs' QuarterTypeArithmeticTests: 2^33 overflows 1.4.3
  // at scale 0; at scale 31 its code is that of 2^33 * 2^-31 = 4.
  CHECK(f32_to_fp8(std::ldexp(1.0f, 33), Fp8Format::f143, 0, sat) == 0x7F);
  CHECK(f32_to_fp8(std::ldexp(1.0f, 33), Fp8Format::f143, 31, nan) == fp8_from_double(4.0, Fp8Format::f143, 0, nan));
  CHECK(f32_to_fp8(8.0f, Fp8Format::f143, -10, nan) == kF8NaN);     // 8 * 2^10 > 240
  CHECK(f32_to_fp8(8.0f, Fp8Format::f143, -10, sat) == 0x7F);
  CHECK(f32_to_fp8(8.0f, Fp8Format::f143, 31, nan) == 0x00);        // 8 * 2^-31 underflows
  CHECK(f32_to_fp8(std::ldexp(1.0f, -12), Fp8Format::f143, 0, nan) == 0x00);
  CHECK(fp8_to_double(f32_to_fp8(std::ldexp(1.0f, -12), Fp8Format::f143, -10, nan), Fp8Format::f143, -10) ==
        std::ldexp(1.0, -12));
}

TEST_CASE("fp8: scales move values into the subnormal range and out of range") {
  for (int s = kF8ScaleMin; s <= kF8ScaleMax; ++s) {
    // 2^-8 is the 1.4.3 subnormal 4 * 2^-10 (code 0x04) at scale 0; at scale
    // s the value 2^(s-8) has the same code.
    CHECK(fp8_from_double(std::ldexp(1.0, s - 8), Fp8Format::f143, s, Fp8Overflow::nan) == 0x04);
    CHECK(fp8_from_double(std::ldexp(3.0, s - 17), Fp8Format::f152, s, Fp8Overflow::nan) == 0x03);
    // 240 * 2^s fits, 256 * 2^s does not.
    CHECK(fp8_from_double(std::ldexp(240.0, s), Fp8Format::f143, s, Fp8Overflow::nan) == 0x7F);
    CHECK(fp8_from_double(std::ldexp(256.0, s), Fp8Format::f143, s, Fp8Overflow::nan) == kF8NaN);
  }
  // fp8 -> fp16 beyond fp16's range: 57344 * 2^2 overflows to infinity; 1.4.3's
  // smallest subnormal at scale -15 (2^-25) is half fp16's smallest subnormal
  // and ties to zero; 3 * 2^-26 rounds to 2^-24.
  CHECK(fp8_to_f16(0x7F, Fp8Format::f152, 2) == kF16PosInf);
  CHECK(fp8_to_f16(0xFF, Fp8Format::f152, 2) == kF16NegInf);
  CHECK(fp8_to_f16(0x01, Fp8Format::f143, -15) == 0x0000);
  CHECK(fp8_to_f16(0x03, Fp8Format::f143, -16) == 0x0001);
}

TEST_CASE("fp8: random fp32 and double values convert as the reference") {
  std::mt19937_64 rng(12345);
  for (Fp8Format f : kFormats)
    for (int i = 0; i < 200000; ++i) {
      const uint32_t b = uint32_t(rng());
      // Bias exponents toward the FP8 range so most cases are interesting.
      const uint32_t bits = (b & 0x807FFFFFu) | (uint32_t(127 - 40 + (b >> 23) % 96) << 23);
      const float x = f32_from_bits(bits);
      const int s = int(rng() % 64) - 32;
      const Fp8Overflow ov = (b & 1) ? Fp8Overflow::nan : Fp8Overflow::saturate;
      CAPTURE(bits);
      CAPTURE(s);
      REQUIRE(f32_to_fp8(x, f, s, ov) == ref_encode(double(x), f, s, ov));
      const double d = std::ldexp(double(rng() >> 11), -53) * std::ldexp(1.0, int(rng() % 70) - 40);
      REQUIRE(fp8_from_double(d, f, s, ov) == ref_encode(d, f, s, ov));
      REQUIRE(fp8_from_double(-d, f, s, ov) == ref_encode(-d, f, s, ov));
    }
}

TEST_CASE("fp8: stochastic rounding follows the random bits") {
  const Fp8Format f = Fp8Format::f143;
  const auto sr = [&](double x, uint32_t r) {
    return f32_to_fp8_stochastic(float(x), f, 0, Fp8Overflow::nan, r);
  };
  // 1.0 (0x40) and 1.125 (0x41): 1.03125 lies a quarter of the way up.
  const double x = 1.03125;
  CHECK(sr(x, 0) == 0x40);
  CHECK(sr(x, 0xBFFFFFFFu) == 0x40);
  CHECK(sr(x, 0xC0000000u) == 0x41);
  CHECK(sr(x, 0xFFFFFFFFu) == 0x41);
  unsigned up = 0;
  for (uint32_t k = 0; k < 256; ++k) up += sr(x, k << 24) == 0x41;
  CHECK(up == 64); // probability exactly 1/4 over evenly spread random values
  CHECK(sr(-x, 0xC0000000u) == 0xC1); // away from zero, sign kept
  // Exact values never move; the largest value can round up into overflow.
  for (uint32_t r : {0u, 0x80000000u, 0xFFFFFFFFu}) CHECK(sr(1.125, r) == 0x41);
  // 244 lies a quarter of the way from 240 to the (unrepresentable) 256.
  CHECK(sr(244.0, 0xFFFFFFFFu) == kF8NaN);
  CHECK(f32_to_fp8_stochastic(244.0f, f, 0, Fp8Overflow::saturate, 0xFFFFFFFFu) == 0x7F);
  CHECK(sr(244.0, 0) == 0x7F);
  CHECK(sr(239.0, 0xFFFFFFFFu) == 0x7F);
  CHECK(sr(239.0, 0) == 0x7E);
  // fp16 input, subnormal result: 1.5 * 2^-10 goes to 1 or 2 subnormal ulps.
  const uint16_t h = f16_from_double(std::ldexp(1.5, -10));
  CHECK(f16_to_fp8_stochastic(h, f, 0, Fp8Overflow::nan, 0x7FFFFFFFu) == 0x01);
  CHECK(f16_to_fp8_stochastic(h, f, 0, Fp8Overflow::nan, 0x80000000u) == 0x02);
}

TEST_CASE("fp8: flags") {
  FpFlags fl;
  fp8_from_double(1.0, Fp8Format::f143, 0, Fp8Overflow::nan, &fl);
  CHECK(!fl.any());
  fp8_from_double(1.03, Fp8Format::f143, 0, Fp8Overflow::nan, &fl);
  CHECK((fl.inexact && !fl.overflow && !fl.underflow && !fl.invalid));
  fl = {};
  fp8_from_double(1000.0, Fp8Format::f143, 0, Fp8Overflow::saturate, &fl);
  CHECK((fl.overflow && fl.inexact));
  fl = {};
  fp8_from_double(std::ldexp(1.5, -10), Fp8Format::f143, 0, Fp8Overflow::nan, &fl);
  CHECK((fl.underflow && fl.inexact));
  fl = {};
  fp8_from_double(std::ldexp(1.0, -9), Fp8Format::f143, 0, Fp8Overflow::nan, &fl); // exact subnormal
  CHECK(!fl.any());
  f16_to_fp8(kF16PosInf, Fp8Format::f152, 0, Fp8Overflow::saturate, &fl);
  CHECK((fl.invalid && !fl.overflow));
}

TEST_CASE("fp8: metadata byte") {
  CHECK(fp8_pack_metadata({Fp8Format::f143, 0}) == 0x80);
  CHECK(fp8_pack_metadata({Fp8Format::f152, -1}) == 0x3F);
  CHECK(fp8_pack_metadata({Fp8Format::f143, -32}) == 0xA0);
  CHECK(fp8_pack_metadata({Fp8Format::f152, 31}) == 0x1F);
  for (unsigned b = 0; b < 256; ++b) {
    if (b & 0x40) continue; // unused bit
    const Fp8Metadata m = fp8_unpack_metadata(uint8_t(b));
    CHECK(m.format == ((b & 0x80) ? Fp8Format::f143 : Fp8Format::f152));
    CHECK(m.scale == ((b & 0x20) ? int(b & 0x1F) - 32 : int(b & 0x1F)));
    CHECK(fp8_pack_metadata(m) == b);
  }
  // $FP_SCL as poplibs writes it: 0x80 - s (a denormal fp16 subtraction) has
  // -s in its low 6 bits; the broadcast metadata byte has s there.
  for (int s = -31; s <= 31; ++s) CHECK(fp8_scale_from_bits(uint32_t(0x80 - (s & 0x3F))) == -s);
  CHECK(fp8_scale_from_bits(0xA5A5A5A5u) == fp8_unpack_metadata(0xA5).scale);
}
