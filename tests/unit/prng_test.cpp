// The PRNG and the value mappings built on it (sim/numeric/prng.hpp).
// Expected generator outputs were computed with an independent Python
// implementation of xoroshiro128+ (a=55, b=14, c=36, output s0 + s1).
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "sim/numeric/half.hpp"
#include "sim/numeric/prng.hpp"

using namespace ipusim;

TEST_CASE("xoroshiro128+ from an explicit state") {
  Xoroshiro128Plus g{1, 2};
  CHECK(g.next() == 0x3u);
  CHECK(g.next() == 0x8000300000c003ull);
  CHECK(g.next() == 0x118406038000363ull);
}

TEST_CASE("$PRNG_SEED assignments of the ISA text") {
  // value = 1: ~1 = 0xFFFFFFFE; (1 << 13) | (0xFFFFFFFE >> 19) = 0x2000 | 0x1FFF;
  // (0xFFFFFFFE << 13) | (1 >> 19) = 0xFFFFC000.
  auto w = prng_words_from_seed(1);
  CHECK(w[0] == 0x1u);
  CHECK(w[1] == 0xFFFFFFFEu);
  CHECK(w[2] == 0x3FFFu);
  CHECK(w[3] == 0xFFFFC000u);
  Xoroshiro128Plus g = prng_from_words(w);
  CHECK(g.s0 == 0xFFFFFFFE00000001ull);
  CHECK(g.s1 == 0xFFFFC00000003FFFull);
  CHECK(g.next() == 0xffffbffe00004000ull);
  CHECK(g.next() == 0x0f043fe1f103bfdeull);
  CHECK(g.next() == 0x2fc045dfd03fbde0ull);
  CHECK(prng_to_words(g) == prng_to_words(prng_from_words(prng_to_words(g))));

  Xoroshiro128Plus h = prng_from_words(prng_words_from_seed(0x12345678));
  CHECK(h.next() == 0x62fc8bcd9d037431ull);
  CHECK(h.next() == 0x063284451936ce03ull);
}

TEST_CASE("initial seeds differ between contexts and tiles") {
  std::set<uint32_t> seen;
  for (uint32_t tile = 0; tile < 1472; ++tile)
    for (uint32_t ctx = 0; ctx < 7; ++ctx) seen.insert(initial_prng_seed(tile, ctx));
  CHECK(seen.size() == 1472u * 7u);
  CHECK(initial_prng_seed(3, 2) == initial_prng_seed(3, 2));
}

TEST_CASE("gaussian samples: range, exactness and moments") {
  CHECK(gaussian_from_bits(0) == -5.8125);                  // (0 - 186) / 32
  CHECK(gaussian_from_bits(0x0FFFFFFFFFFFFFFFull) == 5.8125); // twelve fields of 31: (372 - 186) / 32
  CHECK(gaussian_from_bits(0xF000000000000000ull) == -5.8125); // bits 63..60 are unused
  // Fields 0 and 1 = 31 and 7, the rest 0: (38 - 186) / 32 = -4.625.
  CHECK(gaussian_from_bits((7u << 5) | 31u) == -4.625);

  Xoroshiro128Plus g = prng_from_words(prng_words_from_seed(42));
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int k = 0; k < n; ++k) {
    const double x = gaussian_from_bits(g.next());
    CHECK_UNARY(double(f16_to_f32(f16_from_double(x))) == x); // exact in fp16
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  // Standard error of the mean is 1/sqrt(n) ~ 0.0022; of the variance ~ 0.003.
  CHECK(std::fabs(mean) < 0.01);
  CHECK(std::fabs(var - 1023.0 / 1024.0) < 0.015);
}

TEST_CASE("sufromui: slice midpoints, never zero") {
  // 32-bit: (2u + 1 - 2^32) / 2^33.
  CHECK(sufromui_exact(0, 32) == (1.0 - 4294967296.0) / 8589934592.0);
  CHECK(sufromui_exact(0x7FFFFFFFu, 32) == -std::ldexp(1.0, -33));
  CHECK(sufromui_exact(0x80000000u, 32) == std::ldexp(1.0, -33));
  CHECK(sufromui_exact(0xFFFFFFFFu, 32) == 0.5 - std::ldexp(1.0, -33));
  // 16-bit: (2u + 1 - 2^16) / 2^17.
  CHECK(sufromui_exact(0x7FFF, 16) == -std::ldexp(1.0, -17));
  CHECK(sufromui_exact(0x8000, 16) == std::ldexp(1.0, -17));
  CHECK(sufromui_exact(0, 16) == -0.5 + std::ldexp(1.0, -17));
  for (uint32_t u = 0; u < 65536; ++u) {
    const double v = sufromui_exact(u, 16);
    CHECK_UNARY(v != 0.0);
    CHECK_UNARY(v == -sufromui_exact(65535 - u, 16)); // symmetric
  }
}
