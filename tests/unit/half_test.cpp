// Tests for sim/numeric/half.hpp. The references here are deliberately built
// by other methods than the code under test:
//  * half values come from std::ldexp of the integer significand;
//  * rounding a double to binary16 is a binary search over the ordered codes
//    followed by an exact comparison against the midpoint of the two
//    neighbours (the midpoint of two halves has 12 significant bits, so it is
//    exact in double, and comparing doubles is exact);
//  * exact sums and products of halves are computed in integers (units of
//    2^-24 and 2^-48) and rounded by integer comparison with midpoints.
#include "sim/numeric/half.hpp"

#include <doctest/doctest.h>

#include <cfenv>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

using namespace ipusim;

namespace {

// ---------------------------------------------------------------------------
// Independent references
// ---------------------------------------------------------------------------

// Value of a non-negative finite half code; code 0x7C00 stands for 2^16, the
// value the next code would have with an unbounded exponent.
double ref_value(uint32_t c) {
  const int e = int(c >> 10);
  const int m = int(c & 0x3FF);
  if (e == 0) return std::ldexp(double(m), -24);
  return std::ldexp(double(1024 + m), e - 25);
}

// Signed value of any non-NaN half code (infinity for 0x7C00/0xFC00).
double ref_signed_value(uint16_t h) {
  const double mag = (h & 0x7FFF) == 0x7C00 ? INFINITY : ref_value(h & 0x7FFF);
  return (h & 0x8000) ? -mag : mag;
}

struct RefResult {
  uint16_t bits;
  FpFlags flags;
};

// Largest code lo in [0, 0x7BFF] with ref_value(lo) <= ax (ax >= 0, finite).
uint32_t ref_floor_code(double ax) {
  uint32_t lo = 0, hi = 0x7C00;  // invariant: value(lo) <= ax < value(hi) unless ax >= 2^16
  if (ax >= 65536.0) return 0x7BFF;
  while (hi - lo > 1) {
    const uint32_t mid = (lo + hi) / 2;
    if (ref_value(mid) <= ax) lo = mid; else hi = mid;
  }
  return lo;
}

// Rounds the finite double x to binary16 in `mode` (mode 4 = stochastic with
// random bits k), by neighbours and midpoints.
RefResult ref_round(double x, int mode, uint32_t k = 0) {
  RefResult r{0, FpFlags{}};
  const bool neg = std::signbit(x);
  const double ax = std::fabs(x);
  const uint16_t s = neg ? 0x8000 : 0;
  if (ax == 0) {
    r.bits = s;
    return r;
  }
  const uint32_t lo = ref_floor_code(ax);
  const uint32_t hi = lo + 1;
  const bool exact = ref_value(lo) == ax;
  uint32_t mag;
  if (exact) {
    mag = lo;
  } else {
    bool up = false;
    switch (mode) {
    case 0: {  // nearest even
      const double mid = (ref_value(lo) + ref_value(hi)) / 2;
      up = ax > mid || (ax == mid && (lo & 1));
      break;
    }
    case 1: up = false; break;      // toward zero
    case 2: up = !neg; break;       // toward +inf
    case 3: up = neg; break;        // toward -inf
    case 4: {                       // stochastic: r >= 1 - k/2^32, all exact
      const double frac = (ax - ref_value(lo)) / (ref_value(hi) - ref_value(lo));
      up = frac >= 1.0 - std::ldexp(double(k), -32);
      break;
    }
    }
    mag = up ? hi : lo;
    r.flags.inexact = true;
    if (ax < std::ldexp(1.0, -14)) r.flags.underflow = true;
  }
  // Overflow: the value is at least 2^16, or rounding went up to 2^16.
  if (ax >= 65536.0 || mag == 0x7C00) {
    r.flags.overflow = true;
    r.flags.inexact = true;
    r.flags.underflow = false;
    const bool to_inf = mode == 0 || mode == 4 || (mode == 2 && !neg) || (mode == 3 && neg);
    mag = to_inf ? 0x7C00 : 0x7BFF;
  }
  r.bits = uint16_t(s | mag);
  return r;
}

RoundMode mode_of(int m) {
  static const RoundMode modes[] = {RoundMode::nearest_even, RoundMode::toward_zero, RoundMode::up, RoundMode::down};
  return modes[m];
}

// Integer value of a finite half in units of 2^-24.
int64_t units24(uint16_t h) {
  const int64_t e = (h >> 10) & 0x1F;
  const int64_t m = h & 0x3FF;
  const int64_t mag = e == 0 ? m : (1024 + m) << (e - 1);
  return (h & 0x8000) ? -mag : mag;
}

using i128 = __int128;

// Rounds N * 2^-S (S <= 50) to binary16 by integer comparison in units of
// 2^-50. `zero_sign` is the sign to give an exact zero.
RefResult ref_round_units(i128 n, int S, int mode, bool zero_sign) {
  RefResult r{0, FpFlags{}};
  if (n == 0) {
    r.bits = zero_sign ? 0x8000 : 0;
    return r;
  }
  const bool neg = n < 0;
  const i128 x = (neg ? -n : n) << (50 - S);
  auto val = [](uint32_t c) { return i128(units24(uint16_t(c == 0x7C00 ? 0 : c))) << 26; };
  auto val_ext = [&](uint32_t c) { return c == 0x7C00 ? (i128(1) << 66) : val(c); };
  const i128 two16 = i128(1) << 66;
  uint32_t lo = 0, hi = 0x7C00;
  if (x >= two16) {
    lo = 0x7BFF;
  } else {
    while (hi - lo > 1) {
      const uint32_t mid = (lo + hi) / 2;
      if (val(mid) <= x) lo = mid; else hi = mid;
    }
  }
  hi = lo + 1;
  uint32_t mag = lo;
  if (val(lo) != x) {
    bool up = false;
    switch (mode) {
    case 0: {
      const i128 twice = 2 * x, mid2 = val(lo) + val_ext(hi);
      up = twice > mid2 || (twice == mid2 && (lo & 1));
      break;
    }
    case 1: up = false; break;
    case 2: up = !neg; break;
    case 3: up = neg; break;
    }
    mag = up ? hi : lo;
    r.flags.inexact = true;
    if (x < (i128(1) << 36)) r.flags.underflow = true;  // below 2^-14
  }
  if (x >= two16 || mag == 0x7C00) {
    r.flags.overflow = true;
    r.flags.inexact = true;
    r.flags.underflow = false;
    const bool to_inf = mode == 0 || (mode == 2 && !neg) || (mode == 3 && neg);
    mag = to_inf ? 0x7C00 : 0x7BFF;
  }
  r.bits = uint16_t((neg ? 0x8000 : 0) | mag);
  return r;
}

bool is_nan16(uint16_t h) { return (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0; }
bool is_inf16(uint16_t h) { return (h & 0x7FFF) == 0x7C00; }
bool is_zero16(uint16_t h) { return (h & 0x7FFF) == 0; }

// IEEE 754 add in `mode` by special-case table + integer rounding.
RefResult ref_add(uint16_t a, uint16_t b, int mode) {
  RefResult r{0, FpFlags{}};
  const bool snan = (is_nan16(a) && !(a & 0x200)) || (is_nan16(b) && !(b & 0x200));
  if (is_nan16(a) || is_nan16(b)) {
    r.bits = 0x7E00;
    r.flags.invalid = snan;
    return r;
  }
  if (is_inf16(a) && is_inf16(b)) {
    if ((a ^ b) & 0x8000) {
      r.bits = 0x7E00;
      r.flags.invalid = true;
    } else {
      r.bits = a;
    }
    return r;
  }
  if (is_inf16(a)) { r.bits = a; return r; }
  if (is_inf16(b)) { r.bits = b; return r; }
  const int64_t n = units24(a) + units24(b);
  bool zero_sign;
  if (((a ^ b) & 0x8000) == 0) zero_sign = (a & 0x8000) != 0;
  else zero_sign = mode == 3;
  return ref_round_units(n, 24, mode, zero_sign);
}

RefResult ref_mul(uint16_t a, uint16_t b, int mode) {
  RefResult r{0, FpFlags{}};
  const bool snan = (is_nan16(a) && !(a & 0x200)) || (is_nan16(b) && !(b & 0x200));
  if (is_nan16(a) || is_nan16(b)) {
    r.bits = 0x7E00;
    r.flags.invalid = snan;
    return r;
  }
  const uint16_t sign = (a ^ b) & 0x8000;
  if ((is_inf16(a) && is_zero16(b)) || (is_zero16(a) && is_inf16(b))) {
    r.bits = 0x7E00;
    r.flags.invalid = true;
    return r;
  }
  if (is_inf16(a) || is_inf16(b)) { r.bits = uint16_t(sign | 0x7C00); return r; }
  const i128 n = i128(units24(a)) * i128(units24(b));
  RefResult rr = ref_round_units(n, 48, mode, sign != 0);
  // A product that rounds to zero keeps the product's sign.
  if (n != 0 && (rr.bits & 0x7FFF) == 0) rr.bits = sign;
  return rr;
}

std::string hex(uint32_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

std::string flags_str(const FpFlags &f) {
  std::string s;
  if (f.invalid) s += "I";
  if (f.div0) s += "Z";
  if (f.overflow) s += "O";
  if (f.underflow) s += "U";
  if (f.inexact) s += "X";
  return s.empty() ? "-" : s;
}

// Counts mismatches and remembers the first few, so that a loop over
// millions of cases makes one assertion with a useful message.
struct Mismatches {
  size_t count = 0;
  size_t checked = 0;
  std::string first;
  template <class Message> void check(bool ok, Message &&what) {
    ++checked;
    if (ok) return;
    if (count < 5) first += std::string(what()) + "; ";
    ++count;
  }
};

// The message is only built when the check fails (loops run millions of times).
#define MCHECK(m, ok, msg) (m).check((ok), [&] { return msg; })

// The binary16 codes used for the pairwise tests: 512 spread over all 65536
// codes (every binade, both signs, infinities and NaNs) plus edge cases.
std::vector<uint16_t> grid_codes() {
  std::vector<uint16_t> v;
  for (uint32_t i = 0; i < 512; ++i) v.push_back(uint16_t(i * 128 + ((i * 37) & 127)));
  const uint16_t specials[] = {0x0000, 0x8000, 0x0001, 0x8001, 0x0002, 0x03FF, 0x83FF, 0x0400, 0x8400, 0x0401,
                               0x3C00, 0xBC00, 0x3C01, 0xBC01, 0x3BFF, 0x1000, 0x9000, 0x0C00, 0x3800, 0x4000,
                               0x4200, 0x7800, 0x7BFF, 0xFBFF, 0x7BFE, 0x7C00, 0xFC00, 0x7E00, 0xFE00, 0x7C01,
                               0x7FFF, 0x6800, 0x6801, 0x1400, 0x2400, 0x5BFF};
  v.insert(v.end(), std::begin(specials), std::end(specials));
  return v;
}

float f32(uint32_t b) { return f32_from_bits(b); }

} // namespace

// ---------------------------------------------------------------------------
// f16 -> f32 and back
// ---------------------------------------------------------------------------

TEST_CASE("half: every f16 code converts to f32 exactly and back bit-exactly") {
  Mismatches m;
  for (uint32_t c = 0; c < 0x10000; ++c) {
    const uint16_t h = uint16_t(c);
    const float f = f16_to_f32(h);
    const uint32_t fb = f32_bits(f);
    if (is_nan16(h)) {
      // NaN: sign kept, payload shifted to the top of the fraction, quiet.
      const uint32_t want = (uint32_t(h & 0x8000) << 16) | 0x7FC00000u | (uint32_t(h & 0x3FF) << 13);
      MCHECK(m, fb == want, "f16_to_f32(" + hex(h) + ")=" + hex(fb));
      const uint16_t back = f32_to_f16(f);
      MCHECK(m, back == (h | 0x0200), "NaN round trip " + hex(h) + "->" + hex(back));
      MCHECK(m, f16_is_nan(back), "NaN stays NaN " + hex(h));
      continue;
    }
    const double want = ref_signed_value(h);
    MCHECK(m, double(f) == want && std::signbit(f) == bool(h & 0x8000), "f16_to_f32(" + hex(h) + ")");
    MCHECK(m, f16_to_f32_bits(h) == fb, "f16_to_f32_bits(" + hex(h) + ")");
    MCHECK(m, f16_to_double(h) == want, "f16_to_double(" + hex(h) + ")");
    FpFlags fl;
    const uint16_t back = f32_to_f16(f, &fl);
    MCHECK(m, back == h && !fl.any(), "round trip " + hex(h) + "->" + hex(back) + " flags " + flags_str(fl));
    for (int mode = 0; mode < 4; ++mode) {
      MCHECK(m, f32_to_f16_round(f, mode_of(mode)) == h, "round trip in mode " + std::to_string(mode) + " " + hex(h));
    }
    MCHECK(m, f16_from_double(want) == h, "f16_from_double round trip " + hex(h));
  }
  INFO(m.first);
  CHECK(m.checked > 65536 * 8);
  CHECK(m.count == 0);
}

TEST_CASE("half: exactly representable values never change under stochastic rounding") {
  Mismatches m;
  const uint32_t ks[] = {0u, 1u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};
  for (uint32_t c = 0; c < 0x10000; ++c) {
    const uint16_t h = uint16_t(c);
    if (is_nan16(h)) continue;
    for (uint32_t k : ks) {
      FpFlags fl;
      const uint16_t r = f32_to_f16_stochastic(f16_to_f32(h), k, &fl);
      MCHECK(m, r == h && !fl.any(), hex(h) + " k=" + hex(k) + " -> " + hex(r));
    }
  }
  INFO(m.first);
  CHECK(m.count == 0);
}

// ---------------------------------------------------------------------------
// f32 -> f16 against the reference
// ---------------------------------------------------------------------------

namespace {
void check_f32_against_ref(float x, Mismatches &m) {
  const double xd = double(x);
  for (int mode = 0; mode < 4; ++mode) {
    const RefResult want = ref_round(xd, mode);
    FpFlags fl;
    const uint16_t got = mode == 0 ? f32_to_f16(x, &fl) : f32_to_f16_round(x, mode_of(mode), &fl);
    MCHECK(m, got == want.bits && fl == want.flags,
            "x=" + hex(f32_bits(x)) + " mode " + std::to_string(mode) + ": got " + hex(got) + " " + flags_str(fl) +
                ", want " + hex(want.bits) + " " + flags_str(want.flags));
  }
  const uint16_t want = ref_round(xd, 0).bits;
  MCHECK(m, f32_to_f16(x) == want, "no-flags overload x=" + hex(f32_bits(x)));
  MCHECK(m, f32_bits_to_f16(f32_bits(x)) == want, "bits overload x=" + hex(f32_bits(x)));
}
} // namespace

TEST_CASE("half: f32->f16 at every f16 midpoint and one f32 ulp either side, all modes") {
  Mismatches m;
  for (uint32_t c = 0; c < 0x7C00; ++c) {
    // For c = 0x7BFF the upper neighbour is 2^16 (rounds to infinity).
    const double mid = (ref_value(c) + ref_value(c + 1)) / 2;
    const float fm = float(mid);
    REQUIRE(double(fm) == mid);  // midpoints have 12 significant bits
    const float xs[] = {fm, std::nextafter(fm, 0.0f), std::nextafter(fm, INFINITY)};
    for (float x : xs) {
      check_f32_against_ref(x, m);
      check_f32_against_ref(-x, m);
    }
  }
  INFO(m.first);
  CHECK(m.checked == size_t(0x7C00) * 3 * 2 * 6);
  CHECK(m.count == 0);
}

TEST_CASE("half: f32->f16 on a million random floats, all modes") {
  std::mt19937 rng(12345);
  Mismatches m;
  for (int i = 0; i < 500000; ++i) {
    // Any bit pattern (mostly far outside the f16 range).
    const uint32_t b = rng();
    const float x = f32(b);
    if (std::isnan(x) || std::isinf(x)) continue;
    check_f32_against_ref(x, m);
  }
  std::uniform_int_distribution<int> exp_dist(-28, 17);
  for (int i = 0; i < 500000; ++i) {
    // Exponent in and around the f16 range, random fraction and sign.
    const uint32_t b = (rng() & 0x807FFFFFu) | (uint32_t(exp_dist(rng) + 127) << 23);
    check_f32_against_ref(f32(b), m);
  }
  INFO(m.first);
  CHECK(m.checked > 900000 * 6);
  CHECK(m.count == 0);
}

TEST_CASE("half: f32->f16 hand-checked cases") {
  // Ties go to the even neighbour.
  CHECK(f32_to_f16(2049.0f) == 0x6800);  // between 2048 (even) and 2050
  CHECK(f32_to_f16(2051.0f) == 0x6802);  // between 2050 and 2052 (even)
  CHECK(f32_to_f16(2050.0f) == 0x6801);
  CHECK(f32_to_f16(1.0f + 0x1p-11f) == 0x3C00);
  CHECK(f32_to_f16(1.0f + 0x1p-11f + 0x1p-23f) == 0x3C01);
  CHECK(f32_to_f16(1.0f + 0x1p-10f + 0x1p-11f) == 0x3C02);
  CHECK(f32_to_f16(-2049.0f) == 0xE800);
  // The top of the range: 65504 is the largest half, 65520 the midpoint to 2^16.
  CHECK(f32_to_f16(65504.0f) == 0x7BFF);
  CHECK(f32_to_f16(65519.99f) == 0x7BFF);
  CHECK(f32_to_f16(65520.0f) == 0x7C00);
  CHECK(f32_to_f16(-65520.0f) == 0xFC00);
  CHECK(f32_to_f16(1e10f) == 0x7C00);
  CHECK(f32_to_f16(INFINITY) == 0x7C00);
  CHECK(f32_to_f16(-INFINITY) == 0xFC00);
  // Subnormals.
  CHECK(f32_to_f16(0x1p-24f) == 0x0001);
  CHECK(f32_to_f16(0x1p-25f) == 0x0000);  // tie between 0 (even) and 2^-24
  CHECK(f32_to_f16(-0x1p-25f) == 0x8000);
  CHECK(f32_to_f16(0x1p-25f + 0x1p-40f) == 0x0001);
  CHECK(f32_to_f16(3 * 0x1p-26f) == 0x0001);
  CHECK(f32_to_f16(3 * 0x1p-25f) == 0x0002);  // tie 1.5 -> 2
  CHECK(f32_to_f16(5 * 0x1p-25f) == 0x0002);  // tie 2.5 -> 2
  CHECK(f32_to_f16(0x1p-14f) == 0x0400);
  CHECK(f32_to_f16(0x1p-14f - 0x1p-25f) == 0x0400);  // tie between 0x3FF and 0x400 (even)
  CHECK(f32_to_f16(0x1p-14f - 0x1p-24f) == 0x03FF);
  CHECK(f32_to_f16(f32(0x00000001)) == 0x0000);  // smallest f32 denormal
  CHECK(f32_to_f16(f32(0x80000001)) == 0x8000);
  CHECK(f32_to_f16(0.0f) == 0x0000);
  CHECK(f32_to_f16(-0.0f) == 0x8000);
  CHECK(f32_to_f16(0.1f) == 0x2E66);
  CHECK(f32_to_f16(3.14159265f) == 0x4248);

  // Directed modes.
  CHECK(f32_to_f16_round(2049.0f, RoundMode::toward_zero) == 0x6800);
  CHECK(f32_to_f16_round(2049.0f, RoundMode::up) == 0x6801);
  CHECK(f32_to_f16_round(2049.0f, RoundMode::down) == 0x6800);
  CHECK(f32_to_f16_round(-2049.0f, RoundMode::up) == 0xE800);
  CHECK(f32_to_f16_round(-2049.0f, RoundMode::down) == 0xE801);
  CHECK(f32_to_f16_round(70000.0f, RoundMode::toward_zero) == 0x7BFF);
  CHECK(f32_to_f16_round(70000.0f, RoundMode::up) == 0x7C00);
  CHECK(f32_to_f16_round(70000.0f, RoundMode::down) == 0x7BFF);
  CHECK(f32_to_f16_round(-70000.0f, RoundMode::up) == 0xFBFF);
  CHECK(f32_to_f16_round(-70000.0f, RoundMode::down) == 0xFC00);
  CHECK(f32_to_f16_round(65505.0f, RoundMode::up) == 0x7C00);  // rounding up past 65504 overflows
  CHECK(f32_to_f16_round(0x1p-30f, RoundMode::up) == 0x0001);
  CHECK(f32_to_f16_round(-0x1p-30f, RoundMode::up) == 0x8000);
  CHECK(f32_to_f16_round(-0x1p-30f, RoundMode::down) == 0x8001);
  CHECK(f32_to_f16_round(INFINITY, RoundMode::toward_zero) == 0x7C00);  // infinity is exact
}

TEST_CASE("half: f32->f16 NaNs and exception flags") {
  FpFlags f;
  // Quiet NaNs: sign and the top 10 payload bits kept, no flag.
  CHECK(f32_to_f16(f32(0x7FC00000), &f) == 0x7E00);
  CHECK(f32_to_f16(f32(0xFFC00000), &f) == 0xFE00);
  CHECK(f32_to_f16(f32(0x7FFFE000), &f) == 0x7FFF);
  CHECK(f32_to_f16(f32(0x7FC02000), &f) == 0x7E01);
  CHECK(f32_to_f16(f32(0x7FC01FFF), &f) == 0x7E00);  // low payload bits dropped
  CHECK_FALSE(f.any());
  // Signalling NaNs: quieted (so never turned into infinity) and invalid.
  CHECK(f32_to_f16(f32(0x7F800001), &f) == 0x7E00);
  CHECK(f.invalid);
  f = FpFlags{};
  CHECK(f32_to_f16(f32(0xFF802000), &f) == 0xFE01);
  CHECK(f.invalid);
  CHECK_FALSE(f.overflow);

  f = FpFlags{};
  f32_to_f16(1.0f, &f);
  CHECK_FALSE(f.any());
  f32_to_f16(2049.0f, &f);
  CHECK(f == FpFlags{false, false, false, false, true});
  f = FpFlags{};
  f32_to_f16(65520.0f, &f);
  CHECK(f == FpFlags{false, false, true, false, true});
  f = FpFlags{};
  f32_to_f16(65519.0f, &f);  // rounds down to 65504: no overflow
  CHECK(f == FpFlags{false, false, false, false, true});
  f = FpFlags{};
  f32_to_f16(0x1p-24f, &f);  // exact subnormal: no underflow
  CHECK_FALSE(f.any());
  f32_to_f16(0x1p-25f, &f);
  CHECK(f == FpFlags{false, false, false, true, true});
  f = FpFlags{};
  // Tiny before rounding, rounds up to the smallest normal: still underflow
  // (tininess is detected before rounding).
  f32_to_f16(0x1p-14f - 0x1p-26f, &f);
  CHECK(f == FpFlags{false, false, false, true, true});
  f = FpFlags{};
  f32_to_f16(INFINITY, &f);
  CHECK_FALSE(f.any());
  // Flags are sticky: a later exact conversion clears nothing.
  f.inexact = true;
  f32_to_f16(1.0f, &f);
  CHECK(f.inexact);

  // f16 -> f32: signalling NaN raises invalid, everything else is exact.
  f = FpFlags{};
  CHECK(f32_bits(f16_to_f32(0x7C01, &f)) == 0x7FC02000u);
  CHECK(f.invalid);
  f = FpFlags{};
  CHECK(f16_to_f32(0x7E00, &f) != f16_to_f32(0x7E00, &f));
  CHECK(f16_to_f32(0x0001, &f) == 0x1p-24f);
  CHECK_FALSE(f.any());
}

// ---------------------------------------------------------------------------
// double -> f16
// ---------------------------------------------------------------------------

TEST_CASE("half: f16_from_double rounds once, directly from the double") {
  // 1 + 2^-11 + 2^-40 would become the tie 1 + 2^-11 if rounded through
  // binary32 first, and then 1.0; rounded once it is 1 + 2^-10.
  CHECK(f16_from_double(1.0 + 0x1p-11 + 0x1p-40) == 0x3C01);
  CHECK(f16_from_double(1.0 + 0x1p-11) == 0x3C00);
  CHECK(f16_from_double(65520.0 - 0x1p-30) == 0x7BFF);
  CHECK(f16_from_double(65520.0) == 0x7C00);
  CHECK(f16_from_double(1e300) == 0x7C00);
  CHECK(f16_from_double(-1e300) == 0xFC00);
  CHECK(f16_from_double(1e-300) == 0x0000);
  CHECK(f16_from_double(0x1p-1074) == 0x0000);
  CHECK(f16_from_double(-0x1p-1074) == 0x8000);
  CHECK(f16_from_double(0x1p-25 * (1 + 0x1p-52)) == 0x0001);
  CHECK(f16_from_double_round(1e-300, RoundMode::up) == 0x0001);
  CHECK(f16_from_double_round(1e300, RoundMode::toward_zero) == 0x7BFF);
  CHECK(f16_from_double(NAN) != 0);
  CHECK(f16_is_nan(f16_from_double(NAN)));
  FpFlags f;
  CHECK(f16_from_double(f64_from_bits(0x7FF0000000000001ull), &f) == 0x7E00);
  CHECK(f.invalid);
  CHECK(f16_from_double(f64_from_bits(0xFFF8040000000000ull)) == 0xFE01);

  std::mt19937_64 rng(777);
  std::uniform_int_distribution<int> exp_dist(-30, 17);
  Mismatches m;
  for (int i = 0; i < 200000; ++i) {
    const uint64_t b = (rng() & 0x800FFFFFFFFFFFFFull) | (uint64_t(exp_dist(rng) + 1023) << 52);
    const double x = f64_from_bits(b);
    for (int mode = 0; mode < 4; ++mode) {
      const RefResult want = ref_round(x, mode);
      FpFlags fl;
      const uint16_t got = f16_from_double_round(x, mode_of(mode), &fl);
      MCHECK(m, got == want.bits && fl == want.flags, "x=" + hex(uint32_t(b >> 32)) + " mode " + std::to_string(mode));
    }
    const uint32_t k = uint32_t(rng());
    MCHECK(m, f16_from_double_stochastic(x, k) == ref_round(x, 4, k).bits, "stochastic x=" + hex(uint32_t(b >> 32)));
  }
  INFO(m.first);
  CHECK(m.count == 0);
}

// ---------------------------------------------------------------------------
// Stochastic rounding
// ---------------------------------------------------------------------------

TEST_CASE("half: stochastic rounding of an exact halfway value splits evenly") {
  const float tie = 1.0f + 0x1p-11f;  // halfway between 0x3C00 and 0x3C01
  int ups = 0, downs = 0;
  const int n = 4096;
  for (int i = 0; i < n; ++i) {
    const uint32_t k = uint32_t(i) << 20;  // evenly spans [0, 2^32)
    const uint16_t r = f32_to_f16_stochastic(tie, k);
    if (r == 0x3C01) ++ups;
    else if (r == 0x3C00) ++downs;
  }
  CHECK(ups == n / 2);
  CHECK(downs == n / 2);
  // Documented bit use: for a tie only the top random bit decides.
  CHECK(f32_to_f16_stochastic(tie, 0x7FFFFFFFu) == 0x3C00);
  CHECK(f32_to_f16_stochastic(tie, 0x80000000u) == 0x3C01);
  // Negative values round in magnitude.
  CHECK(f32_to_f16_stochastic(-tie, 0x80000000u) == 0xBC01);
  CHECK(f32_to_f16_stochastic(-tie, 0x7FFFFFFFu) == 0xBC00);

  // A quarter of the way up: rounds up for exactly the top quarter of k.
  const float quarter = 1.0f + 0x1p-12f;
  CHECK(f32_to_f16_stochastic(quarter, 0xBFFFFFFFu) == 0x3C00);
  CHECK(f32_to_f16_stochastic(quarter, 0xC0000000u) == 0x3C01);

  // Every random bit can matter: 1 + 2^-23 lies 2^-13 ulp above 1.0, so it
  // rounds up iff random_bits >= 2^32 - 2^19.
  CHECK(f32_to_f16_stochastic(1.0f + 0x1p-23f, 0xFFF80000u) == 0x3C01);
  CHECK(f32_to_f16_stochastic(1.0f + 0x1p-23f, 0xFFF7FFFFu) == 0x3C00);
  // 1 + 2^-42 lies exactly 2^-32 ulp above 1.0: only all-ones random bits carry.
  CHECK(f16_from_double_stochastic(1.0 + 0x1p-42, 0xFFFFFFFFu) == 0x3C01);
  CHECK(f16_from_double_stochastic(1.0 + 0x1p-42, 0xFFFFFFFEu) == 0x3C00);
  // Below 2^-32 ulp: never rounds away (documented truncation of f).
  CHECK(f16_from_double_stochastic(1.0 + 0x1p-43, 0xFFFFFFFFu) == 0x3C00);
  CHECK(f16_from_double_stochastic(1.0 + 0x1p-42 + 0x1p-52, 0xFFFFFFFEu) == 0x3C00);

  // With pseudo-random bits, about half of each.
  std::mt19937 rng(4242);
  ups = 0;
  const int trials = 100000;
  for (int i = 0; i < trials; ++i) ups += f32_to_f16_stochastic(tie, rng()) == 0x3C01;
  CHECK(ups > trials * 49 / 100);
  CHECK(ups < trials * 51 / 100);

  // Halfway in the subnormal range (2^-25 between 0 and 2^-24) too.
  ups = 0;
  for (int i = 0; i < n; ++i) ups += f32_to_f16_stochastic(0x1p-25f, uint32_t(i) << 20) == 0x0001;
  CHECK(ups == n / 2);

  // Overflow: 65520 rounds up to infinity half of the time.
  FpFlags f;
  CHECK(f32_to_f16_stochastic(65520.0f, 0x80000000u, &f) == 0x7C00);
  CHECK(f == FpFlags{false, false, true, false, true});
  CHECK(f32_to_f16_stochastic(65520.0f, 0x7FFFFFFFu) == 0x7BFF);
  CHECK(f32_to_f16_stochastic(1e6f, 0) == 0x7C00);
  // NaN and infinity pass through.
  CHECK(f32_to_f16_stochastic(INFINITY, 0xFFFFFFFFu) == 0x7C00);
  CHECK(f16_is_nan(f32_to_f16_stochastic(NAN, 0xFFFFFFFFu)));
}

TEST_CASE("half: stochastic rounding matches the reference on random inputs") {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> exp_dist(-30, 16);
  Mismatches m;
  for (int i = 0; i < 300000; ++i) {
    const uint32_t b = (rng() & 0x807FFFFFu) | (uint32_t(exp_dist(rng) + 127) << 23);
    const float x = f32(b);
    const uint32_t k = rng();
    const RefResult want = ref_round(double(x), 4, k);
    FpFlags fl;
    const uint16_t got = f32_to_f16_stochastic(x, k, &fl);
    MCHECK(m, got == want.bits && fl == want.flags,
            "x=" + hex(b) + " k=" + hex(k) + ": got " + hex(got) + " want " + hex(want.bits));
  }
  INFO(m.first);
  CHECK(m.count == 0);
}

// ---------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------

TEST_CASE("half: add, sub and mul on a grid of code pairs, all modes, with flags") {
  const std::vector<uint16_t> codes = grid_codes();
  Mismatches m;
  for (uint16_t a : codes) {
    for (uint16_t b : codes) {
      for (int mode = 0; mode < 4; ++mode) {
        const RoundMode rm = mode_of(mode);
        FpFlags f;
        RefResult want = ref_add(a, b, mode);
        uint16_t got = f16_add(a, b, rm, &f);
        MCHECK(m, got == want.bits && f == want.flags, "add " + hex(a) + "+" + hex(b) + " mode " +
                                                         std::to_string(mode) + ": got " + hex(got) + " " +
                                                         flags_str(f) + " want " + hex(want.bits) + " " +
                                                         flags_str(want.flags));
        f = FpFlags{};
        want = ref_add(a, uint16_t(b ^ 0x8000), mode);
        got = f16_sub(a, b, rm, &f);
        MCHECK(m, got == want.bits && f == want.flags, "sub " + hex(a) + "-" + hex(b) + " mode " + std::to_string(mode));
        f = FpFlags{};
        want = ref_mul(a, b, mode);
        got = f16_mul(a, b, rm, &f);
        MCHECK(m, got == want.bits && f == want.flags, "mul " + hex(a) + "*" + hex(b) + " mode " +
                                                         std::to_string(mode) + ": got " + hex(got) + " " +
                                                         flags_str(f) + " want " + hex(want.bits) + " " +
                                                         flags_str(want.flags));
      }
      // The default overloads are round-to-nearest-even.
      MCHECK(m, f16_add(a, b) == ref_add(a, b, 0).bits, "add default " + hex(a) + "+" + hex(b));
      MCHECK(m, f16_sub(a, b) == ref_add(a, uint16_t(b ^ 0x8000), 0).bits, "sub default " + hex(a) + "-" + hex(b));
      MCHECK(m, f16_mul(a, b) == ref_mul(a, b, 0).bits, "mul default " + hex(a) + "*" + hex(b));
    }
  }
  INFO(m.first);
  CHECK(m.checked == codes.size() * codes.size() * 15);
  CHECK(m.count == 0);
}

TEST_CASE("half: add and mul of every code with a few fixed operands") {
  const uint16_t fixed[] = {0x0000, 0x8000, 0x0001, 0x3C00, 0xBC00, 0x3C01, 0x1000, 0x3800, 0x7BFF, 0x7C00, 0x0400};
  Mismatches m;
  for (uint32_t c = 0; c < 0x10000; ++c) {
    const uint16_t a = uint16_t(c);
    for (uint16_t b : fixed) {
      MCHECK(m, f16_add(a, b) == ref_add(a, b, 0).bits, "add " + hex(a) + "+" + hex(b));
      MCHECK(m, f16_mul(a, b) == ref_mul(a, b, 0).bits, "mul " + hex(a) + "*" + hex(b));
    }
  }
  INFO(m.first);
  CHECK(m.count == 0);
}

TEST_CASE("half: arithmetic hand-checked cases") {
  FpFlags f;
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even.
  CHECK(f16_add(0x3C00, 0x1000, &f) == 0x3C00);
  CHECK(f == FpFlags{false, false, false, false, true});
  CHECK(f16_add(0x3C01, 0x1000) == 0x3C02);
  CHECK(f16_add(0x3C00, 0x3C00) == 0x4000);  // 1 + 1 = 2
  CHECK(f16_sub(0x4200, 0x3C00) == 0x4000);  // 3 - 1 = 2
  CHECK(f16_mul(0x4200, 0x4200) == 0x4880);  // 3 * 3 = 9
  // 0x3555 = 1365 * 2^-12; times 3 = 4095 * 2^-12, halfway between 0x3BFF
  // (2047 * 2^-11) and 1.0 (2048 * 2^-11): ties to the even 1.0.
  CHECK(f16_mul(0x3555, 0x4200) == 0x3C00);
  // inf - inf and 0 * inf are invalid and give the canonical NaN.
  f = FpFlags{};
  CHECK(f16_add(0x7C00, 0xFC00, &f) == 0x7E00);
  CHECK(f.invalid);
  f = FpFlags{};
  CHECK(f16_sub(0x7C00, 0x7C00, &f) == 0x7E00);
  CHECK(f.invalid);
  f = FpFlags{};
  CHECK(f16_mul(0x0000, 0x7C00, &f) == 0x7E00);
  CHECK(f.invalid);
  f = FpFlags{};
  CHECK(f16_mul(0xFC00, 0x8000, &f) == 0x7E00);
  CHECK(f.invalid);
  CHECK(f16_add(0x7C00, 0x7C00) == 0x7C00);
  CHECK(f16_add(0x7C00, 0xFBFF) == 0x7C00);
  CHECK(f16_mul(0xFC00, 0xBC00) == 0x7C00);
  // Signed zeros.
  CHECK(f16_add(0x8000, 0x8000) == 0x8000);
  CHECK(f16_add(0x8000, 0x0000) == 0x0000);
  CHECK(f16_add(0x0000, 0x8000) == 0x0000);
  CHECK(f16_sub(0x8000, 0x0000) == 0x8000);
  CHECK(f16_sub(0x0000, 0x0000) == 0x0000);
  CHECK(f16_add(0x3C00, 0xBC00) == 0x0000);
  CHECK(f16_add(0x3C00, 0xBC00, RoundMode::down) == 0x8000);
  CHECK(f16_add(0x8000, 0x0000, RoundMode::down) == 0x8000);
  CHECK(f16_add(0x8000, 0x8000, RoundMode::up) == 0x8000);
  CHECK(f16_mul(0x8000, 0x3C00) == 0x8000);
  CHECK(f16_mul(0x8000, 0x8000) == 0x0000);
  // Overflow to infinity at 65520, not before.
  f = FpFlags{};
  CHECK(f16_add(0x7BFF, 0x4C00, &f) == 0x7C00);  // 65504 + 16 = 65520: tie, odd -> up
  CHECK(f == FpFlags{false, false, true, false, true});
  f = FpFlags{};
  CHECK(f16_add(0x7BFF, 0x4B80, &f) == 0x7BFF);  // 65504 + 15
  CHECK(f == FpFlags{false, false, false, false, true});
  CHECK(f16_add(0x7BFF, 0x4C00, RoundMode::toward_zero) == 0x7BFF);
  CHECK(f16_mul(0x5C00, 0x5C00) == 0x7C00);  // 256 * 256 = 2^16
  CHECK(f16_mul(0x5BFF, 0x5BFF) == 0x7BFE);  // 255.875^2 = 65472.02 -> 65472
  // Underflow: 2^-24 * 0.5 is a tie between 0 and 2^-24 -> 0.
  f = FpFlags{};
  CHECK(f16_mul(0x0001, 0x3800, &f) == 0x0000);
  CHECK(f == FpFlags{false, false, false, true, true});
  CHECK(f16_mul(0x0001, 0xB800) == 0x8000);
  CHECK(f16_mul(0x0001, 0x3E00) == 0x0002);  // 1.5 * 2^-24 -> tie -> 2 * 2^-24
  f = FpFlags{};
  CHECK(f16_mul(0x0001, 0x4000, &f) == 0x0002);  // exact subnormal: no flags
  CHECK_FALSE(f.any());
  // Subnormal + subnormal carries into the normal range exactly.
  CHECK(f16_add(0x03FF, 0x0001) == 0x0400);
  // NaN operands: canonical NaN; invalid only for signalling NaNs.
  f = FpFlags{};
  CHECK(f16_add(0xFE12, 0x3C00, &f) == 0x7E00);
  CHECK(f16_mul(0x3C00, 0x7FFF, &f) == 0x7E00);
  CHECK_FALSE(f.invalid);
  CHECK(f16_add(0x7C01, 0x3C00, &f) == 0x7E00);
  CHECK(f.invalid);
  f = FpFlags{};
  CHECK(f16_mul(0x3C00, 0xFD00, &f) == 0x7E00);
  CHECK(f.invalid);
  CHECK(f16_sub(0x7E00, 0x7E00) == 0x7E00);
}

// ---------------------------------------------------------------------------
// max, min, compares
// ---------------------------------------------------------------------------

TEST_CASE("half: max and min") {
  CHECK(f16_max(0x3C00, 0x4000) == 0x4000);
  CHECK(f16_min(0x3C00, 0x4000) == 0x3C00);
  CHECK(f16_max(0xBC00, 0xC000) == 0xBC00);  // -1 > -2
  CHECK(f16_min(0xBC00, 0xC000) == 0xC000);
  CHECK(f16_max(0x0000, 0x8000) == 0x0000);
  CHECK(f16_max(0x8000, 0x0000) == 0x0000);
  CHECK(f16_min(0x0000, 0x8000) == 0x8000);
  CHECK(f16_min(0x8000, 0x0000) == 0x8000);
  CHECK(f16_max(0x8000, 0x8000) == 0x8000);
  // One NaN: the other operand, unchanged. Two NaNs: canonical NaN.
  CHECK(f16_max(0x7E00, 0x3C00) == 0x3C00);
  CHECK(f16_max(0x3C00, 0xFE01) == 0x3C00);
  CHECK(f16_min(0x7C01, 0xFC00) == 0xFC00);
  CHECK(f16_min(0x8000, 0x7FFF) == 0x8000);
  CHECK(f16_max(0x7E01, 0xFE02) == 0x7E00);
  CHECK(f16_min(0x7C01, 0x7C02) == 0x7E00);
  FpFlags f;
  f16_max(0x7E00, 0x3C00, &f);
  CHECK_FALSE(f.invalid);
  f16_max(0x7C01, 0x3C00, &f);
  CHECK(f.invalid);
  f = FpFlags{};
  f16_min(0x3C00, 0xFD00, &f);
  CHECK(f.invalid);

  // Against host double max/min over the grid (non-NaN pairs), bits of an operand.
  const std::vector<uint16_t> codes = grid_codes();
  Mismatches m;
  for (uint16_t a : codes) {
    for (uint16_t b : codes) {
      if (is_nan16(a) || is_nan16(b)) {
        const uint16_t want = is_nan16(a) && is_nan16(b) ? 0x7E00 : (is_nan16(a) ? b : a);
        MCHECK(m, f16_max(a, b) == want && f16_min(a, b) == want, "NaN max/min " + hex(a) + "," + hex(b));
        continue;
      }
      const double va = ref_signed_value(a), vb = ref_signed_value(b);
      const uint16_t mx = f16_max(a, b), mn = f16_min(a, b);
      if (va != vb) {
        MCHECK(m, mx == (va > vb ? a : b) && mn == (va < vb ? a : b), "max/min " + hex(a) + "," + hex(b));
      } else if (a == b) {
        MCHECK(m, mx == a && mn == a, "max/min equal " + hex(a));
      } else {  // +0 and -0
        MCHECK(m, mx == 0x0000 && mn == 0x8000, "max/min zeros " + hex(a) + "," + hex(b));
      }
    }
  }
  INFO(m.first);
  CHECK(m.count == 0);
}

TEST_CASE("half: f32 max and min on bits") {
  const float qnan = f32(0x7FC00123), snan = f32(0xFF800001);
  CHECK(f32_max(1.0f, 2.0f) == 2.0f);
  CHECK(f32_min(1.0f, 2.0f) == 1.0f);
  CHECK(f32_max(-1.0f, -2.0f) == -1.0f);
  CHECK(f32_bits(f32_max(-0.0f, 0.0f)) == 0x00000000u);
  CHECK(f32_bits(f32_max(0.0f, -0.0f)) == 0x00000000u);
  CHECK(f32_bits(f32_min(0.0f, -0.0f)) == 0x80000000u);
  CHECK(f32_bits(f32_min(-0.0f, 0.0f)) == 0x80000000u);
  CHECK(f32_max(qnan, 3.0f) == 3.0f);
  CHECK(f32_min(-INFINITY, qnan) == -INFINITY);
  CHECK(f32_bits(f32_max(qnan, snan)) == 0x7FC00000u);
  CHECK(f32_bits(f32_min(qnan, qnan)) == 0x7FC00000u);
  // Denormals compare by value (no flush-to-zero).
  CHECK(f32_bits(f32_max(f32(0x00000001), 0.0f)) == 0x00000001u);
  CHECK(f32_bits(f32_min(f32(0x80000001), -0.0f)) == 0x80000001u);
  FpFlags f;
  f32_max(qnan, 1.0f, &f);
  CHECK_FALSE(f.invalid);
  f32_min(snan, 1.0f, &f);
  CHECK(f.invalid);
  CHECK(f32_is_nan(qnan));
  CHECK(f32_is_snan(snan));
  CHECK_FALSE(f32_is_snan(qnan));
  CHECK(f32_is_inf(-INFINITY));
  CHECK(f32_bits(f32_canonicalize_nan(snan)) == kF32CanonicalNaN);
  CHECK(f32_canonicalize_nan(2.5f) == 2.5f);
  CHECK(f32_bits(f32_from_bits(0x12345678u)) == 0x12345678u);
}

TEST_CASE("half: compares follow IEEE on a grid, against host double compares") {
  const std::vector<uint16_t> codes = grid_codes();
  Mismatches m;
  for (uint16_t a : codes) {
    for (uint16_t b : codes) {
      const double va = is_nan16(a) ? NAN : ref_signed_value(a);
      const double vb = is_nan16(b) ? NAN : ref_signed_value(b);
      const std::string what = hex(a) + "," + hex(b);
      MCHECK(m, f16_cmpeq(a, b) == (va == vb), "eq " + what);
      MCHECK(m, f16_cmpne(a, b) == (va != vb), "ne " + what);
      MCHECK(m, f16_cmplt(a, b) == (va < vb), "lt " + what);
      MCHECK(m, f16_cmple(a, b) == (va <= vb), "le " + what);
      MCHECK(m, f16_cmpgt(a, b) == (va > vb), "gt " + what);
      MCHECK(m, f16_cmpge(a, b) == (va >= vb), "ge " + what);
      // Flags: eq/ne are quiet, ordered compares signal on any NaN.
      const bool any_nan = is_nan16(a) || is_nan16(b);
      const bool any_snan = f16_is_snan(a) || f16_is_snan(b);
      FpFlags fq, fs;
      f16_cmpeq(a, b, &fq);
      f16_cmpne(a, b, &fq);
      f16_cmplt(a, b, &fs);
      MCHECK(m, fq.invalid == any_snan && fs.invalid == any_nan, "compare flags " + what);
    }
  }
  INFO(m.first);
  CHECK(m.count == 0);
  CHECK(f16_cmpeq(0x0000, 0x8000));
  CHECK_FALSE(f16_cmplt(0x8000, 0x0000));
  CHECK_FALSE(f16_cmpeq(0x7E00, 0x7E00));
  CHECK(f16_cmpne(0x7E00, 0x7E00));
  CHECK(f16_cmplt(0xFC00, 0xFBFF));
  CHECK(f16_cmpge(0x7C00, 0x7BFF));
  FpFlags f;
  CHECK_FALSE(f16_cmpge(0x7E00, 0x3C00, &f));
  CHECK(f.invalid);
  f = FpFlags{};
  CHECK_FALSE(f16_cmpgt(0x3C00, 0x7E00, &f));
  CHECK(f.invalid);
  f = FpFlags{};
  CHECK_FALSE(f16_cmple(0x3C00, 0x7E00, &f));
  CHECK(f.invalid);
}

TEST_CASE("half: classification helpers") {
  CHECK(f16_is_nan(0x7C01));
  CHECK(f16_is_nan(0xFFFF));
  CHECK_FALSE(f16_is_nan(0x7C00));
  CHECK(f16_is_snan(0x7C01));
  CHECK_FALSE(f16_is_snan(0x7E00));
  CHECK(f16_is_inf(0xFC00));
  CHECK_FALSE(f16_is_inf(0x7BFF));
  CHECK(f16_is_finite(0x7BFF));
  CHECK_FALSE(f16_is_finite(0x7C00));
  CHECK(f16_is_zero(0x8000));
  CHECK(f16_is_subnormal(0x03FF));
  CHECK_FALSE(f16_is_subnormal(0x0400));
  CHECK_FALSE(f16_is_subnormal(0x0000));
  CHECK(f16_is_negative(0x8000));
  CHECK(f16_neg(0x3C00) == 0xBC00);
  CHECK(f16_neg(0x7E00) == 0xFE00);  // sign flip is a bit operation, even for NaN
  CHECK(f16_abs(0xBC00) == 0x3C00);
  CHECK(f16_canonicalize_nan(0xFD55) == kF16CanonicalNaN);
  CHECK(f16_canonicalize_nan(0x3C00) == 0x3C00);
}

// ---------------------------------------------------------------------------
// Independence from the host floating-point environment
// ---------------------------------------------------------------------------

namespace {
// Everything computed by the functions under test for a fixed set of inputs.
std::vector<uint32_t> host_sensitive_results() {
  std::vector<uint32_t> out;
  std::vector<float> xs;
  for (uint32_t c = 0; c < 0x7C00; c += 7) {
    const float mid = float((ref_value(c) + ref_value(c + 1)) / 2);
    xs.push_back(mid);
    xs.push_back(-std::nextafter(mid, INFINITY));
  }
  for (uint32_t b : {0x00000001u, 0x807FFFFFu, 0x33000001u, 0x477FF000u}) xs.push_back(f32_from_bits(b));
  for (float x : xs) {
    out.push_back(f32_to_f16(x));
    for (int mode = 1; mode < 4; ++mode) out.push_back(f32_to_f16_round(x, mode_of(mode)));
    out.push_back(f32_to_f16_stochastic(x, 0x9E3779B9u));
  }
  const std::vector<uint16_t> codes = grid_codes();
  for (size_t i = 0; i < codes.size(); i += 3) {
    for (size_t j = 0; j < codes.size(); j += 2) {
      out.push_back(f16_add(codes[i], codes[j]));
      out.push_back(f16_sub(codes[i], codes[j]));
      out.push_back(f16_mul(codes[i], codes[j]));
      out.push_back(f16_add(codes[i], codes[j], RoundMode::down));
    }
  }
  for (uint32_t c = 0; c < 0x10000; c += 5) out.push_back(f16_to_f32_bits(uint16_t(c)));
  out.push_back(f32_bits(f32_max(f32_from_bits(0x00000001u), 0.0f)));
  out.push_back(f32_bits(f32_min(f32_from_bits(0x80000001u), 0.0f)));
  return out;
}
} // namespace

TEST_CASE("half: results do not depend on the host rounding mode or denormal modes") {
  const std::vector<uint32_t> want = host_sensitive_results();
  CHECK(f16_add(0x3C00, 0xBC00) == 0x0000);
  const int saved = std::fegetround();
  for (int host_mode : {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO}) {
    REQUIRE(std::fesetround(host_mode) == 0);
    const std::vector<uint32_t> got = host_sensitive_results();
    // x + (-x) is +0 in round-to-nearest even when the host rounds down.
    const uint16_t zero = f16_add(0x3C00, 0xBC00);
    std::fesetround(saved);
    CHECK(got == want);
    CHECK(zero == 0x0000);
  }
#if defined(__SSE2__)
  // Flush-to-zero and denormals-are-zero (x86 MXCSR bits 15 and 6).
  const unsigned csr = _mm_getcsr();
  _mm_setcsr(csr | 0x8040);
  const std::vector<uint32_t> got = host_sensitive_results();
  _mm_setcsr(csr);
  CHECK(got == want);
#endif
}

TEST_CASE("half: stochastic add, sub and mul round the exact result with the given bits") {
  // The exact sum/product of two finite halves is exact in a double (see
  // half.hpp), so the neighbour/midpoint reference applies to it directly.
  const std::vector<uint16_t> codes = grid_codes();
  std::mt19937 rng(7);
  Mismatches m;
  for (uint16_t a : codes) {
    for (uint16_t b : codes) {
      if (!f16_is_finite(a) || !f16_is_finite(b)) continue;
      const uint32_t k = rng();
      const double x = f16_to_double(a), y = f16_to_double(b);
      if (x + y != 0) {
        FpFlags f;
        const RefResult want = ref_round(x + y, 4, k);
        const uint16_t got = f16_add_stochastic(a, b, k, &f);
        MCHECK(m, got == want.bits && f == want.flags, "add " + hex(a) + "+" + hex(b) + " k " + hex(k));
      }
      if (x - y != 0) MCHECK(m, f16_sub_stochastic(a, b, k) == ref_round(x - y, 4, k).bits, "sub " + hex(a) + "-" + hex(b));
      if (x * y != 0) {
        FpFlags f;
        const RefResult want = ref_round(x * y, 4, k);
        const uint16_t got = f16_mul_stochastic(a, b, k, &f);
        MCHECK(m, got == want.bits && f == want.flags, "mul " + hex(a) + "*" + hex(b) + " k " + hex(k));
      }
    }
  }
  INFO(m.first);
  CHECK(m.checked > 1000u);
  CHECK(m.count == 0);
  // Special cases keep the round-to-nearest results.
  CHECK(f16_add_stochastic(0x3C00, 0xBC00, 0xFFFFFFFFu) == 0x0000);  // 1 - 1 = +0
  CHECK(f16_mul_stochastic(0x7C00, 0x0000, 0) == kF16CanonicalNaN);   // inf * 0
  FpFlags f;
  CHECK(f16_sub_stochastic(0x7C00, 0x7C00, 0, &f) == kF16CanonicalNaN);
  CHECK(f.invalid);
}
