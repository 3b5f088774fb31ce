// The AMP's fp16 step (models/tile/amp_arith.hpp): the SIMD form and the
// lane-by-lane form on widened weights against the definition, bit for bit,
// on random operands that include NaNs (quiet and signalling, both signs),
// infinities, subnormals, zeros of both signs and sums that overflow fp32;
// the shortcut for rounding the results to fp16; and f16v4hihov4amp on a
// tile against a host model built from the definition and the general fp16
// rounding, in every rounding mode.
#include "models/tile/amp_arith.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "amp_harness.hpp"
#include "sim/isa/csr.hpp"
#include "sim/numeric/half.hpp"
#include "sim/numeric/prng.hpp"

using namespace ipusim;
using tile::AmpF16Weights;

namespace {

// A half: mostly ordinary values of moderate size (so sums cancel and round),
// now and then a special one.
uint16_t random_half(std::mt19937_64 &g) {
  const uint64_t r = g();
  const uint16_t sign = (r >> 8) & 1 ? 0x8000 : 0;
  switch (r % 64) {
  case 0: return sign;                                             // +-0
  case 1: return uint16_t(sign | 0x7C00);                          // +-inf
  case 2: return uint16_t(sign | 0x7C00 | 1 | ((r >> 16) & 0x3FF)); // NaN, quiet or signalling
  case 3: return uint16_t(sign | ((r >> 16) & 0x3FF));            // subnormal (or zero)
  case 4: return uint16_t(sign | 0x7BFF);                          // 65504
  case 5: return uint16_t(sign | 0x0400 | ((r >> 16) & 0x3FF));    // smallest binade
  case 6:
  case 7: return uint16_t(r >> 16);                                // any code
  default:                                                         // |x| in [2^-4, 2^4)
    return uint16_t(sign | ((11 + (r >> 16) % 8) << 10) | ((r >> 24) & 0x3FF));
  }
}

uint64_t random_word(std::mt19937_64 &g) {
  uint64_t w = 0;
  if (g() % 8 == 0) { // zeros of random signs: products +-0, sums +-0
    for (unsigned k = 0; k < 4; ++k) w |= uint64_t(g() % 2 ? 0x8000 : 0) << (16 * k);
    return w;
  }
  for (unsigned k = 0; k < 4; ++k) w |= uint64_t(random_half(g)) << (16 * k);
  return w;
}

// Four halves with |h| in [2^-4, 2^4) or zero.
uint64_t ordinary_word(std::mt19937_64 &g) {
  uint64_t w = 0;
  for (unsigned k = 0; k < 4; ++k) {
    const uint64_t r = g();
    const uint16_t h = r % 16 ? uint16_t(((r >> 8) & 1) << 15 | ((11 + (r >> 16) % 8) << 10) | ((r >> 24) & 0x3FF)) : 0;
    w |= uint64_t(h) << (16 * k);
  }
  return w;
}

// An fp32 accumulator or partial sum: ordinary, near overflow, subnormal or special.
uint32_t random_f32(std::mt19937_64 &g) {
  const uint64_t r = g();
  const uint32_t sign = (r >> 8) & 1 ? 0x80000000u : 0u;
  const uint32_t frac = uint32_t(r >> 32) & 0x7FFFFF;
  switch (r % 24) {
  case 0: return sign;                                // +-0
  case 1: return sign | 0x7F800000u;                  // +-inf
  case 2: return sign | 0x7F800000u | frac | 1;       // NaN, quiet or signalling
  case 3: return sign | frac;                         // subnormal
  case 4: return sign | (254u << 23) | frac;          // near FLT_MAX: sums overflow
  case 5: return f16_to_f32_bits(random_half(g));      // a widened half partial
  case 6: return uint32_t(r >> 32);                   // any pattern
  default: return sign | ((120u + (r >> 20) % 16) << 23) | frac; // |x| in [2^-7, 2^9)
  }
}

struct State {
  std::array<uint32_t, 32> acc{};
  std::array<uint32_t, 4> out{};
};

void check_same(const State &want, const State &got, const char *what, unsigned step) {
  for (unsigned k = 0; k < 32; ++k)
    if (want.acc[k] != got.acc[k]) {
      FAIL_CHECK(fmt::format("{}: step {}: $AACC[{}] is 0x{:08x}, the definition gives 0x{:08x}", what, step, k,
                             got.acc[k], want.acc[k]));
      return;
    }
  for (unsigned k = 0; k < 4; ++k)
    if (want.out[k] != got.out[k]) {
      FAIL_CHECK(fmt::format("{}: step {}: result {} is 0x{:08x}, the definition gives 0x{:08x}", what, step, k,
                             got.out[k], want.out[k]));
      return;
    }
}

} // namespace

TEST_CASE("amp_f16_step: every form matches the definition bit for bit") {
  tile::AmpF16StepForm forms[3];
  const unsigned nforms = tile::amp_f16_step_forms(forms);
  MESSAGE("forms of amp_f16_step on this host: ", nforms);
  for (unsigned f = 0; f < nforms; ++f) {
    CAPTURE(forms[f].name);
    std::mt19937_64 g(20240521);
    unsigned results = 0, nan_results = 0, inf_results = 0, subnormal_results = 0, negative_zeros = 0;
    for (unsigned trial = 0; trial < 200; ++trial) {
      const unsigned sets = 1 + trial % 2;
      std::array<uint64_t, 64> cwei{};
      AmpF16Weights w;
      auto load = [&](unsigned slot, uint64_t v) {
        cwei[slot] = v;
        w.set(slot, v);
      };
      for (unsigned slot = 0; slot < 64; ++slot) load(slot, random_word(g));
      State ref, got;
      for (uint32_t &a : ref.acc) a = random_f32(g);
      got.acc = ref.acc;
      for (unsigned step = 0; step < 64; ++step) {
        // Now and then a weight slot is reloaded, as ld64putcs does between groups.
        if (g() % 8 == 0) load(unsigned(g() % 64), random_word(g));
        // And some accumulators are given new values, so that not every sum ends
        // up a NaN or an infinity.
        for (unsigned k = 0; k < 12; ++k) {
          const unsigned a = unsigned(g() % 32);
          ref.acc[a] = got.acc[a] = random_f32(g);
        }
        const unsigned phase = step < 16 ? step % 4 : unsigned(g() % 4);
        const uint64_t x = random_word(g);
        uint32_t in[4];
        for (uint32_t &v : in) v = random_f32(g);
        tile::amp_f16_step_reference(ref.acc.data(), cwei.data(), sets, phase, x, in, ref.out.data());
        forms[f].step(got.acc.data(), w, sets, phase, x, in, got.out.data());
        check_same(ref, got, forms[f].name, step);
        for (unsigned s = 0; s < sets; ++s)
          for (unsigned u = 0; u < 8; ++u) {
            const uint32_t b = ref.acc[16 * s + 2 * u];
            ++results;
            nan_results += b == kF32CanonicalNaN;
            inf_results += (b & 0x7FFFFFFFu) == 0x7F800000u;
            subnormal_results += (b & 0x7F800000u) == 0 && (b & 0x7FFFFFu) != 0;
            negative_zeros += b == 0x80000000u;
          }
        // The other set's accumulators are untouched with one set.
        if (sets == 1)
          for (unsigned k = 16; k < 32; ++k) CHECK(got.acc[k] == ref.acc[k]);
      }
    }
    // The operands reach the special cases they are meant to.
    CHECK(nan_results > 100);
    CHECK(nan_results + inf_results < results / 2); // most sums are finite
    CHECK(inf_results > 100);
    CHECK(subnormal_results > 0);
    CHECK(negative_zeros > 0);
  }
  // The SIMD forms exist where the project is mostly built (x86-64).
#if defined(__SSE2__)
  CHECK(nforms >= 2);
#endif
}

TEST_CASE("amp_f16_step uses the last form") {
  tile::AmpF16StepForm forms[3];
  const unsigned nforms = tile::amp_f16_step_forms(forms);
  std::mt19937_64 g(5);
  AmpF16Weights w;
  for (unsigned slot = 0; slot < 64; ++slot) w.set(slot, random_word(g));
  State a, b;
  for (uint32_t &v : a.acc) v = random_f32(g);
  b.acc = a.acc;
  const uint32_t in[4] = {1, 2, 3, 4};
  for (unsigned step = 0; step < 8; ++step) {
    const uint64_t x = random_word(g);
    tile::amp_f16_step(a.acc.data(), w, 2, step % 4, x, in, a.out.data());
    forms[nforms - 1].step(b.acc.data(), w, 2, step % 4, x, in, b.out.data());
    check_same(a, b, "amp_f16_step", step);
  }
}

TEST_CASE("amp_f16_step: the operands tell a different order of additions apart") {
  // The comparison above would catch an implementation that adds in another
  // order: on the same kind of operands, (((p0 + p1) + p2) + p3) + r gives
  // other bits than the definition's ((p0 + p1) + (p2 + p3)) + r.
  std::mt19937_64 g(7);
  unsigned differ = 0;
  for (unsigned trial = 0; trial < 2000; ++trial) {
    std::array<uint64_t, 64> cwei{};
    for (uint64_t &v : cwei) v = random_word(g);
    std::array<uint32_t, 32> acc{};
    for (uint32_t &a : acc) a = random_f32(g);
    const uint64_t x = random_word(g);
    const unsigned phase = 1 + trial % 3; // no swap: the running sums stay in the even words
    const std::array<uint32_t, 32> before = acc;
    uint32_t in[4] = {}, out[4];
    tile::amp_f16_step_reference(acc.data(), cwei.data(), 1, phase, x, in, out);
    for (unsigned u = 0; u < 8; ++u) {
      float p[4];
      for (unsigned k = 0; k < 4; ++k)
        p[k] = f16_to_f32(uint16_t(x >> (16 * k))) * f16_to_f32(uint16_t(cwei[4 * u + phase] >> (16 * k)));
      const float other = f32_canonicalize_nan(f32_from_bits(before[2 * u]) + (((p[0] + p[1]) + p[2]) + p[3]));
      differ += f32_bits(other) != acc[2 * u];
    }
  }
  CHECK(differ > 100);
}

TEST_CASE("AmpF16Weights: slot 32 * set + 4 * unit + n is lane 8 * set + amp_lane_of_unit(unit) of word n") {
  const unsigned order[8] = {0, 1, 4, 5, 2, 3, 6, 7}; // the units in lane order
  for (unsigned l = 0; l < 8; ++l) CHECK(tile::amp_lane_of_unit(order[l]) == l);
  AmpF16Weights w;
  // Halves 1, 2, 3, 4 of slot 32 + 4 * 5 + 2 (set 1, unit 5, word 2): lane 8 + 3.
  w.set(54, 0x3C00 | (uint64_t(0x4000) << 16) | (uint64_t(0x4200) << 32) | (uint64_t(0x4400) << 48));
  for (unsigned k = 0; k < 4; ++k) CHECK(w.w[2][k][11] == float(k + 1));
  // Rewriting the slot replaces the widened values.
  w.set(54, uint64_t(0xBC00) << 48);
  CHECK(w.w[2][3][11] == -1.0f);
  CHECK(f32_bits(w.w[2][0][11]) == 0u);
  float sum = 0;
  for (const auto &n : w.w)
    for (const auto &k : n)
      for (float v : k) sum += v;
  CHECK(sum == -1.0f);
}

TEST_CASE("round4_to_f16_simple: round to nearest of zeros and normal-range values, nothing else") {
  // Around the edges of what is simple, and random patterns of every kind.
  const uint32_t edges[] = {0x00000000u, 0x00000001u, 0x387FFFFFu, 0x38800000u, 0x38800001u, 0x387FF000u,
                            0x3F800000u, 0x3F801000u, 0x3F803000u, 0x477FE000u, 0x477FEFFFu, 0x477FF000u,
                            0x477FFFFFu, 0x47800000u, 0x7F7FFFFFu, 0x7F800000u, 0x7FC00000u, 0x7F800001u};
  std::vector<uint32_t> values;
  for (uint32_t e : edges) {
    values.push_back(e);
    values.push_back(e | 0x80000000u);
  }
  std::mt19937_64 g(99);
  for (unsigned k = 0; k < 20000; ++k) values.push_back(random_f32(g));
  unsigned simple_quads = 0, other_quads = 0;
  for (unsigned trial = 0; trial < 40000; ++trial) {
    uint32_t v[4];
    for (uint32_t &b : v) {
      // Mostly values that round simply, so that all-simple quadruples are common.
      const uint64_t r = g();
      b = r % 4 ? uint32_t(((r >> 8) & 1) << 31) | ((113u + (r >> 16) % 30) << 23) | (uint32_t(r >> 32) & 0x7FFFFF)
                : values[(r >> 8) % values.size()];
    }
    bool want = true;
    uint64_t want_halves = 0;
    for (unsigned k = 0; k < 4; ++k) {
      FpFlags f;
      const uint16_t h = f32_bits_to_f16(v[k], &f);
      const uint32_t abs = v[k] & 0x7FFFFFFFu;
      // Simple: zero, or at least 2^-14 and finite after rounding (no NaN, no overflow).
      const bool simple = abs == 0 || (abs >= 0x38800000u && abs < 0x7F800000u && !f.overflow);
      if (simple) CHECK_FALSE((f.invalid || f.overflow || f.underflow));
      want = want && simple;
      want_halves |= uint64_t(h) << (16 * k);
    }
    uint64_t got = 0, got_lanes = 0;
    const bool ok = tile::round4_to_f16_simple(v, got), ok_lanes = tile::round4_to_f16_simple_lanes(v, got_lanes);
    CHECK(ok == want);
    CHECK(ok_lanes == want);
    if (want) {
      CHECK(got == want_halves);
      CHECK(got_lanes == want_halves);
      ++simple_quads;
    } else {
      ++other_quads;
    }
  }
  CHECK(simple_quads > 1000);
  CHECK(other_quads > 1000);
}

namespace {
// f16v4hihov4amp on the host: the definition's step, then the four results
// rounded as FpEnv does (stochastically with ESR, from one PRNG output per
// two lanes; an overflow clips, or gives NaN with NANOO), the flags into sts.
struct HostAmp {
  std::array<uint32_t, 32> acc{};
  std::array<uint64_t, 64> cwei{};
  Xoroshiro128Plus prng;
  uint32_t fp_ctl = 0, sts = 0;
  unsigned overflows = 0, nans = 0, subnormals = 0, stochastic_changes = 0;

  uint64_t step(unsigned phase, uint64_t x, uint64_t partials) {
    uint32_t in[4], out[4];
    for (unsigned k = 0; k < 4; ++k) in[k] = f16_to_f32_bits(uint16_t(partials >> (16 * k)));
    tile::amp_f16_step_reference(acc.data(), cwei.data(), 2, phase, x, in, out);
    const bool esr = fp_ctl & isa::csr::FP_CTL_ESR;
    uint64_t pending = 0, r = 0;
    for (unsigned k = 0; k < 4; ++k) {
      FpFlags f;
      uint16_t h;
      if (esr) {
        if (k % 2 == 0) pending = prng.next();
        h = f32_to_f16_stochastic(f32_from_bits(out[k]), uint32_t(pending >> (32 * (k % 2))), &f);
        stochastic_changes += h != f32_bits_to_f16(out[k]);
      } else {
        h = f32_bits_to_f16(out[k], &f);
      }
      if (f.overflow) {
        ++overflows;
        h = (fp_ctl & isa::csr::FP_CTL_NANOO) ? kF16CanonicalNaN : uint16_t((h & kF16SignMask) | kF16MaxFinite);
      }
      nans += f16_is_nan(h);
      subnormals += f16_is_subnormal(h);
      sts |= (f.invalid ? isa::csr::FP_INV : 0u) | (f.overflow ? isa::csr::FP_OFLO : 0u);
      r |= uint64_t(h) << (16 * k);
    }
    return r;
  }
};
} // namespace

TEST_CASE("f16v4hihov4amp on a tile matches the definition and the fp16 rounding, in every rounding mode") {
  std::mt19937_64 g(4242);
  const unsigned steps = 64;
  HostAmp totals;
  for (unsigned trial = 0; trial < 16; ++trial) {
    const bool esr = trial & 1, nanoo = trial & 2;
    const uint32_t seed = 1 + trial;
    // Weights stay for the whole run: a few special ones, or every sum is a NaN.
    test::amp::Weights w;
    for (uint64_t &v : w.slot) v = g() % 16 ? ordinary_word(g) : random_word(g);
    std::vector<uint64_t> xs(steps), ps(steps);
    // Every fourth group has zero inputs: the partial sums fed in the group
    // before come out as they went in (subnormal halves among them).
    for (unsigned k = 0; k < steps; ++k) xs[k] = (k / 4) % 4 == 3 ? 0 : random_word(g);
    for (uint64_t &v : ps) v = random_word(g);
    std::string body;
    if (esr) body += "  setzi $a0, 0x80000\n";
    else body += "  mov $a0, $azero\n";
    if (nanoo) body += "  or $a0, $a0, 0x00100000\n";
    body += fmt::format("  uput $FP_CTL, $a0\n  setzi $a1, {}\n  uput $PRNG_SEED, $a1\n", seed);
    for (unsigned k = 0; k < steps; ++k)
      body += fmt::format("  ld64 $a0:1, $m8, $mzero, {0}\n  ld64 $a2:3, $m7, $mzero, {0}\n"
                          "  f16v4hihov4amp $a4:5, $a0:1, $a2:3, {1}\n  st64 $a4:5, $m9, $mzero, {0}\n",
                          k, k % 4);
    body += fmt::format("  uget $a6, $FP_STS\n  st32 $a6, $mzero, $m9, {}\n", 2 * steps);
    auto r = test::run(test::amp::program(w, 2, body, xs, ps), test::amp::two_sets());
    REQUIRE(r->core.finished());

    HostAmp host;
    host.cwei = w.slot;
    host.prng = prng_from_words(prng_words_from_seed(seed));
    host.fp_ctl = (esr ? isa::csr::FP_CTL_ESR : 0u) | (nanoo ? isa::csr::FP_CTL_NANOO : 0u);
    for (unsigned k = 0; k < steps; ++k) {
      const uint64_t want = host.step(k % 4, xs[k], ps[k]), got = test::amp::out64(*r, k);
      if (got != want) {
        FAIL_CHECK(fmt::format("trial {} (ESR {}, NANOO {}), step {}: results 0x{:016x}, the host model gives 0x{:016x}",
                               trial, esr, nanoo, k, got, want));
        break;
      }
    }
    CHECK(r->word("out", 2 * steps) == host.sts);
    totals.overflows += host.overflows;
    totals.nans += host.nans;
    totals.subnormals += host.subnormals;
    totals.stochastic_changes += host.stochastic_changes;
  }
  // The operands reach the general rounding's cases.
  CHECK(totals.overflows > 10);
  CHECK(totals.nans > 10);
  CHECK(totals.subnormals > 0);
  CHECK(totals.stochastic_changes > 100);
}
