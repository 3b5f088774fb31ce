// The per-context pseudo-random number generator of the IPU and the value
// conversions built on it (urand32/64, f32v2grand/f16v2grand, the rmask and
// sufromui instructions, stochastic rounding).
//
// Generator: xoroshiro128+ (Blackman and Vigna, 2016 parameters a=55, b=14,
// c=36). Graphcore documents xoroshiro128+ for the IPU, and poplibs' host
// model of the hardware generator (lib/poprand/codelets/RandomUtils.hpp,
// `next`) is exactly this update with the output s0 + s1; poplibs notes that
// the hardware's output function may differ, which is not public.
//
// State: the 128 bits of $PRNG_0_0..$PRNG_1_1 as two 64-bit words,
//     s0 = $PRNG_0_1:$PRNG_0_0,   s1 = $PRNG_1_1:$PRNG_1_0,
// as poplibs' SetSeed codelet (lib/poprand/codelets/asm/Seeds.S) writes them:
// a 64-bit seed into $PRNG_0 (low word in _0), the modifiers into $PRNG_1.
//
// Everything here is pure integer arithmetic, so results are identical on
// every host.
#pragma once

#include <array>
#include <cstdint>

namespace ipusim {

struct Xoroshiro128Plus {
  uint64_t s0 = 0, s1 = 0;

  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  // One step: returns s0 + s1 of the current state, then advances it.
  uint64_t next() {
    const uint64_t a = s0;
    uint64_t b = s1;
    const uint64_t result = a + b;
    b ^= a;
    s0 = rotl(a, 55) ^ b ^ (b << 14);
    s1 = rotl(b, 36);
    return result;
  }
};

// The four 32-bit CSR words <-> the generator state.
inline Xoroshiro128Plus prng_from_words(const std::array<uint32_t, 4> &w) {
  return {uint64_t(w[0]) | (uint64_t(w[1]) << 32), uint64_t(w[2]) | (uint64_t(w[3]) << 32)};
}
inline std::array<uint32_t, 4> prng_to_words(const Xoroshiro128Plus &g) {
  return {uint32_t(g.s0), uint32_t(g.s0 >> 32), uint32_t(g.s1), uint32_t(g.s1 >> 32)};
}

// What a write of `value` to $PRNG_SEED puts into $PRNG_0_0..$PRNG_1_1 (the
// assignments of the ISA text for $PRNG_SEED). The state is never all zero,
// whatever the value, because $PRNG_0_1 is the complement of $PRNG_0_0.
inline std::array<uint32_t, 4> prng_words_from_seed(uint32_t value) {
  const uint32_t v = value, nv = ~value;
  return {v, nv, (v << 13) | (nv >> 19), (nv << 13) | (v >> 19)};
}

// ipusim's initial $PRNG_SEED value of context `context` (0 = supervisor,
// 1..6 = workers) of tile `tile`, applied when the tile is created so that
// every context starts from its own reproducible state (the hardware's reset
// state is not public). A 32-bit finaliser (MurmurHash3's fmix32) of the
// pair spreads consecutive ids over the whole word.
inline uint32_t initial_prng_seed(uint32_t tile, uint32_t context) {
  uint32_t h = tile * 8u + context + 0x9E3779B9u;
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h;
}

// An approximately standard-normal sample from one 64-bit generator output:
// the sum of twelve 5-bit fields (bits 59..0) minus their mean 12 * 15.5,
// divided by 32 (Irwin-Hall / central-limit method). This is poplibs' host
// model of f32v2grand/f16v2grand (RandomUtils.hpp, `grand`); the hardware's
// method is not public. Mean 0, standard deviation sqrt(12 * 1023 / 12) / 32
// = 0.9995, range [-5.8125, 5.8125] in steps of 1/32, so every sample is exact
// in binary16 and binary32.
inline double gaussian_from_bits(uint64_t r) {
  int sum = 0;
  for (int k = 0; k < 12; ++k, r >>= 5) sum += int(r & 0x1F);
  return double(sum - 186) / 32.0;
}

// The value of the symmetric, unbiased unsigned-to-float conversions
// (f32sufromui: 32-bit, f16v2sufromui: 16-bit): the midpoint of the u-th of
// 2^bits equal slices of [-1/2, 1/2], i.e. (u + 1/2) / 2^bits - 1/2
// = (2u + 1 - 2^bits) / 2^(bits+1). Odd numerator: never 0, smallest
// magnitude 2^-(bits+1), as the ISA text says. Exact in a double.
inline double sufromui_exact(uint32_t u, unsigned bits) {
  const double num = 2.0 * double(u) + 1.0 - double(uint64_t(1) << bits);
  return num / double(uint64_t(1) << (bits + 1));
}

} // namespace ipusim
