// One step of the AMP's fp16 forms: the definition and its SIMD form (see
// amp_arith.hpp).
#include "models/tile/amp_arith.hpp"

#include <utility>

#include "sim/numeric/half.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
// The AVX form is compiled for the AVX target and chosen at run time.
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define IPUSIM_AMP_AVX 1
#include <immintrin.h>
#endif

namespace ipusim::tile {

namespace {

inline float fl(uint32_t b) { return f32_from_bits(b); }
inline uint32_t bits(float x) { return f32_bits(f32_canonicalize_nan(x)); }
inline uint16_t half_at(uint64_t v, unsigned k) { return static_cast<uint16_t>(v >> (16 * k)); }

// Moves one set's buffers' chain one step: units 0, 1 hand their buffers
// out, the others move down two units, units 6, 7 take the partial sums in.
inline void shift_chain(uint32_t *acc, const uint32_t in[2], uint32_t out[2]) {
  out[0] = acc[1];
  out[1] = acc[3];
  for (unsigned u = 0; u < 6; ++u) acc[2 * u + 1] = acc[2 * u + 5];
  acc[13] = in[0];
  acc[15] = in[1];
}

inline void swap_all(uint32_t *acc) {
  for (unsigned u = 0; u < 8; ++u) std::swap(acc[2 * u], acc[2 * u + 1]);
}

} // namespace

void AmpF16Weights::set(unsigned slot, uint64_t word) {
  const unsigned set = slot / 32, unit = slot / 4 % 8, n = slot % 4;
  for (unsigned k = 0; k < 4; ++k) w[n][k][8 * set + amp_lane_of_unit(unit)] = f16_to_f32(half_at(word, k));
}

void amp_f16_step_reference(uint32_t *acc, const uint64_t *cwei, unsigned sets, unsigned phase, uint64_t x,
                            const uint32_t *in, uint32_t *out) {
  for (unsigned s = 0; s < sets; ++s) {
    uint32_t *a = acc + 16 * s;
    if (phase == 0) swap_all(a);
    for (unsigned u = 0; u < 8; ++u) {
      const uint64_t wword = cwei[32 * s + 4 * u + phase];
      float p[4];
      for (unsigned k = 0; k < 4; ++k)
        p[k] = f16_to_f32(half_at(x, k)) * f16_to_f32(half_at(wword, k)); // exact
      a[2 * u] = bits(fl(a[2 * u]) + ((p[0] + p[1]) + (p[2] + p[3])));
    }
    shift_chain(a, in + 2 * s, out + 2 * s);
  }
}

void amp_f16_step_lanes(uint32_t *acc, const AmpF16Weights &w, unsigned sets, unsigned phase, uint64_t x,
                        const uint32_t *in, uint32_t *out) {
  const float x0 = f16_to_f32(half_at(x, 0)), x1 = f16_to_f32(half_at(x, 1)), x2 = f16_to_f32(half_at(x, 2)),
              x3 = f16_to_f32(half_at(x, 3));
  const auto &wp = w.w[phase];
  for (unsigned s = 0; s < sets; ++s) {
    uint32_t *a = acc + 16 * s;
    if (phase == 0) swap_all(a);
    for (unsigned u = 0; u < 8; ++u) {
      const unsigned l = 8 * s + amp_lane_of_unit(u);
      const float d = (x0 * wp[0][l] + x1 * wp[1][l]) + (x2 * wp[2][l] + x3 * wp[3][l]);
      a[2 * u] = bits(fl(a[2 * u]) + d);
    }
    shift_chain(a, in + 2 * s, out + 2 * s);
  }
}

namespace {
// The scalar form of round4_to_f16_simple for one value: false if not simple.
inline bool round_simple(uint32_t b, uint16_t &h) {
  const uint32_t abs = b & ~kF32SignMask;
  const uint16_t sign = uint16_t((b >> 16) & kF16SignMask);
  if (abs == 0) {
    h = sign;
    return true;
  }
  if (abs < 0x38800000u || abs >= 0x47800000u) return false; // as detail::f32_bits_to_f16's fast path
  uint32_t t = abs - 0x38000000u;
  t += 0xFFFu + ((t >> 13) & 1u);
  if ((t >> 13) >= kF16PosInf) return false; // overflows
  h = uint16_t(sign | (t >> 13));
  return true;
}
} // namespace

bool round4_to_f16_simple_lanes(const uint32_t *v, uint64_t &halves) {
  uint64_t r = 0;
  for (unsigned k = 0; k < 4; ++k) {
    uint16_t h;
    if (!round_simple(v[k], h)) return false;
    r |= uint64_t(h) << (16 * k);
  }
  halves = r;
  return true;
}

#if defined(__SSE2__)

bool round4_to_f16_simple(const uint32_t *v, uint64_t &halves) {
  // round_simple on four lanes. Magnitudes are below 2^31, so signed
  // compares order them.
  // Two 64-bit loads: the results were just stored in pairs (a 128-bit load
  // of them could not take its data from those stores and would wait).
  const __m128i b = _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(v)),
                                       _mm_loadl_epi64(reinterpret_cast<const __m128i *>(v + 2)));
  const __m128i abs = _mm_and_si128(b, _mm_set1_epi32(0x7FFFFFFF));
  const __m128i zero = _mm_cmpeq_epi32(abs, _mm_setzero_si128());
  const __m128i normal =
      _mm_and_si128(_mm_cmpgt_epi32(abs, _mm_set1_epi32(0x387FFFFF)), _mm_cmplt_epi32(abs, _mm_set1_epi32(0x47800000)));
  __m128i t = _mm_sub_epi32(abs, _mm_set1_epi32(0x38000000));
  t = _mm_add_epi32(t, _mm_add_epi32(_mm_set1_epi32(0xFFF), _mm_and_si128(_mm_srli_epi32(t, 13), _mm_set1_epi32(1))));
  __m128i h = _mm_srli_epi32(t, 13);
  const __m128i ok = _mm_or_si128(zero, _mm_and_si128(normal, _mm_cmplt_epi32(h, _mm_set1_epi32(kF16PosInf))));
  if (_mm_movemask_epi8(ok) != 0xFFFF) return false;
  h = _mm_or_si128(_mm_andnot_si128(zero, h), _mm_and_si128(_mm_srli_epi32(b, 16), _mm_set1_epi32(kF16SignMask)));
  // The low 16 bits of each lane, sign-extended so that the saturating pack keeps them.
  h = _mm_srai_epi32(_mm_slli_epi32(h, 16), 16);
  uint64_t r;
  _mm_storel_epi64(reinterpret_cast<__m128i *>(&r), _mm_packs_epi32(h, h));
  halves = r;
  return true;
}

namespace {

// The four lanes' new running sums r + x . w (not yet canonical).
inline __m128 lane_step(__m128 r, const __m128 x[4], const float (&wp)[4][16], unsigned l) {
  const __m128 p0 = _mm_mul_ps(x[0], _mm_load_ps(&wp[0][l])), p1 = _mm_mul_ps(x[1], _mm_load_ps(&wp[1][l]));
  const __m128 p2 = _mm_mul_ps(x[2], _mm_load_ps(&wp[2][l])), p3 = _mm_mul_ps(x[3], _mm_load_ps(&wp[3][l]));
  return _mm_add_ps(r, _mm_add_ps(_mm_add_ps(p0, p1), _mm_add_ps(p2, p3)));
}

// NaN lanes become the canonical quiet NaN.
inline __m128 canonicalize(__m128 v) {
  const __m128 nan = _mm_cmpunord_ps(v, v);
  return _mm_or_ps(_mm_andnot_ps(nan, v), _mm_and_ps(nan, _mm_castsi128_ps(_mm_set1_epi32(int32_t(kF32CanonicalNaN)))));
}

template <unsigned Sets>
inline void step_sse2(uint32_t *acc, const AmpF16Weights &w, unsigned phase, uint64_t x, const uint32_t *in,
                      uint32_t *out) {
  const __m128 xs[4] = {_mm_set1_ps(f16_to_f32(half_at(x, 0))), _mm_set1_ps(f16_to_f32(half_at(x, 1))),
                        _mm_set1_ps(f16_to_f32(half_at(x, 2))), _mm_set1_ps(f16_to_f32(half_at(x, 3)))};
  const auto &wp = w.w[phase];
  // A set's 16 words are running sum, buffer of units 0..7 in turn, four
  // words (two units) per vector m0..m3: r[2s], b[2s] are the running sums
  // and buffers of units 0 1 4 5 (from m0, m2), r[2s+1], b[2s+1] those of
  // units 2 3 6 7 (m1, m3), the weights' lane order.
  __m128 r[2 * Sets], b[2 * Sets];
  float *a = reinterpret_cast<float *>(acc);
  for (unsigned k = 0; k < 2 * Sets; ++k) {
    float *m = a + 16 * (k / 2) + 4 * (k % 2);
    const __m128 lo = _mm_loadu_ps(m), hi = _mm_loadu_ps(m + 8);
    r[k] = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    b[k] = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
  }
  if (phase == 0)
    for (unsigned k = 0; k < 2 * Sets; ++k) std::swap(r[k], b[k]);
  __m128 nan = _mm_setzero_ps();
  for (unsigned k = 0; k < 2 * Sets; ++k) {
    r[k] = lane_step(r[k], xs, wp, 4 * k);
    nan = _mm_or_ps(nan, _mm_cmpunord_ps(r[k], r[k]));
  }
  if (_mm_movemask_ps(nan))
    for (unsigned k = 0; k < 2 * Sets; ++k) r[k] = canonicalize(r[k]);
  for (unsigned s = 0; s < Sets; ++s) {
    // The chain: units 0, 1 out; 2..7 down to 0..5; the partial sums into 6, 7.
    const __m128 b0145 = b[2 * s], b2367 = b[2 * s + 1];
    _mm_storel_epi64(reinterpret_cast<__m128i *>(out + 2 * s), _mm_castps_si128(b0145));
    const __m128 ins = _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(in + 2 * s)));
    b[2 * s] = b2367;                                               // units 0 1 4 5 <- 2 3 6 7
    b[2 * s + 1] = _mm_shuffle_ps(b0145, ins, _MM_SHUFFLE(1, 0, 3, 2)); // units 2 3 6 7 <- 4 5, in
  }
  for (unsigned k = 0; k < 2 * Sets; ++k) {
    float *m = a + 16 * (k / 2) + 4 * (k % 2);
    _mm_storeu_ps(m, _mm_unpacklo_ps(r[k], b[k]));
    _mm_storeu_ps(m + 8, _mm_unpackhi_ps(r[k], b[k]));
  }
}

void amp_f16_step_sse2(uint32_t *acc, const AmpF16Weights &w, unsigned sets, unsigned phase, uint64_t x,
                       const uint32_t *in, uint32_t *out) {
  if (sets == 2)
    step_sse2<2>(acc, w, phase, x, in, out);
  else
    step_sse2<1>(acc, w, phase, x, in, out);
}

} // namespace

#else

bool round4_to_f16_simple(const uint32_t *v, uint64_t &halves) { return round4_to_f16_simple_lanes(v, halves); }

#endif

#if IPUSIM_AMP_AVX

namespace {

// The SSE2 form with both sets' or one set's 8 units in one 256-bit vector:
// AVX shuffles work within 128-bit halves, which gives the lane order
// 0 1 4 5 | 2 3 6 7 directly.
template <unsigned Sets>
[[gnu::target("avx")]] inline void step_avx(uint32_t *acc, const AmpF16Weights &w, unsigned phase, uint64_t x,
                                             const uint32_t *in, uint32_t *out) {
  constexpr unsigned sets = Sets;
  const __m256 x0 = _mm256_set1_ps(f16_to_f32(half_at(x, 0))), x1 = _mm256_set1_ps(f16_to_f32(half_at(x, 1)));
  const __m256 x2 = _mm256_set1_ps(f16_to_f32(half_at(x, 2))), x3 = _mm256_set1_ps(f16_to_f32(half_at(x, 3)));
  const auto &wp = w.w[phase];
  float *a = reinterpret_cast<float *>(acc);
  __m256 r[2], b[2];
  __m256 nan = _mm256_setzero_ps();
  for (unsigned s = 0; s < sets; ++s) {
    const __m256 lo = _mm256_loadu_ps(a + 16 * s), hi = _mm256_loadu_ps(a + 16 * s + 8);
    r[s] = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    b[s] = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
    if (phase == 0) {
      const __m256 t = r[s];
      r[s] = b[s];
      b[s] = t;
    }
    const __m256 p0 = _mm256_mul_ps(x0, _mm256_load_ps(&wp[0][8 * s]));
    const __m256 p1 = _mm256_mul_ps(x1, _mm256_load_ps(&wp[1][8 * s]));
    const __m256 p2 = _mm256_mul_ps(x2, _mm256_load_ps(&wp[2][8 * s]));
    const __m256 p3 = _mm256_mul_ps(x3, _mm256_load_ps(&wp[3][8 * s]));
    r[s] = _mm256_add_ps(r[s], _mm256_add_ps(_mm256_add_ps(p0, p1), _mm256_add_ps(p2, p3)));
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(r[s], r[s], _CMP_UNORD_Q));
  }
  if (_mm256_movemask_ps(nan)) {
    const __m256 canonical = _mm256_castsi256_ps(_mm256_set1_epi32(int32_t(kF32CanonicalNaN)));
    for (unsigned s = 0; s < sets; ++s) {
      const __m256 is_nan = _mm256_cmp_ps(r[s], r[s], _CMP_UNORD_Q);
      r[s] = _mm256_or_ps(_mm256_andnot_ps(is_nan, r[s]), _mm256_and_ps(is_nan, canonical));
    }
  }
  for (unsigned s = 0; s < sets; ++s) {
    // The chain: units 0, 1 out; 2..7 down to 0..5; the partial sums into 6, 7.
    const __m128 b0145 = _mm256_castps256_ps128(b[s]), b2367 = _mm256_extractf128_ps(b[s], 1);
    _mm_storel_epi64(reinterpret_cast<__m128i *>(out + 2 * s), _mm_castps_si128(b0145));
    const __m128 ins = _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(in + 2 * s)));
    const __m256 nb = _mm256_insertf128_ps(_mm256_castps128_ps256(b2367),
                                           _mm_shuffle_ps(b0145, ins, _MM_SHUFFLE(1, 0, 3, 2)), 1);
    _mm256_storeu_ps(a + 16 * s, _mm256_unpacklo_ps(r[s], nb));
    _mm256_storeu_ps(a + 16 * s + 8, _mm256_unpackhi_ps(r[s], nb));
  }
}

[[gnu::target("avx")]] void amp_f16_step_avx(uint32_t *acc, const AmpF16Weights &w, unsigned sets, unsigned phase,
                                              uint64_t x, const uint32_t *in, uint32_t *out) {
  if (sets == 2)
    step_avx<2>(acc, w, phase, x, in, out);
  else
    step_avx<1>(acc, w, phase, x, in, out);
}

bool host_has_avx() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx");
}

} // namespace

#endif

unsigned amp_f16_step_forms(AmpF16StepForm forms[3]) {
  unsigned n = 0;
  forms[n++] = {"lanes", &amp_f16_step_lanes};
#if defined(__SSE2__)
  forms[n++] = {"SSE2", &amp_f16_step_sse2};
#endif
#if IPUSIM_AMP_AVX
  if (host_has_avx()) forms[n++] = {"AVX", &amp_f16_step_avx};
#endif
  return n;
}

namespace {
AmpF16StepFn chosen_step() {
  AmpF16StepForm forms[3];
  return forms[amp_f16_step_forms(forms) - 1].step;
}
const AmpF16StepFn kStep = chosen_step();
} // namespace

void amp_f16_step(uint32_t *acc, const AmpF16Weights &w, unsigned sets, unsigned phase, uint64_t x,
                  const uint32_t *in, uint32_t *out) {
  kStep(acc, w, sets, phase, x, in, out);
}

} // namespace ipusim::tile
