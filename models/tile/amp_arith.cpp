// One step of the AMP's fp16 forms: the definition and its SIMD form (see
// amp_arith.hpp).
#include "models/tile/amp_arith.hpp"

#include <utility>

#include "sim/numeric/half.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
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
  const unsigned lane = slot / 4, n = slot % 4; // lane = 8 * set + unit
  for (unsigned k = 0; k < 4; ++k) w[n][k][lane] = f16_to_f32(half_at(word, k));
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
      const unsigned l = 8 * s + u;
      const float d = (x0 * wp[0][l] + x1 * wp[1][l]) + (x2 * wp[2][l] + x3 * wp[3][l]);
      a[2 * u] = bits(fl(a[2 * u]) + d);
    }
    shift_chain(a, in + 2 * s, out + 2 * s);
  }
}

#if defined(__SSE2__)

namespace {

// NaN lanes become the canonical quiet NaN.
inline __m128 canonicalize(__m128 v) {
  const __m128 nan = _mm_cmpunord_ps(v, v);
  return _mm_or_ps(_mm_andnot_ps(nan, v), _mm_and_ps(nan, _mm_castsi128_ps(_mm_set1_epi32(int32_t(kF32CanonicalNaN)))));
}

// The four lanes' sums x . w and the new running sums r + x . w.
inline __m128 lane_step(__m128 r, const __m128 x[4], const float *w0, const float *w1, const float *w2,
                        const float *w3) {
  const __m128 p0 = _mm_mul_ps(x[0], _mm_load_ps(w0)), p1 = _mm_mul_ps(x[1], _mm_load_ps(w1));
  const __m128 p2 = _mm_mul_ps(x[2], _mm_load_ps(w2)), p3 = _mm_mul_ps(x[3], _mm_load_ps(w3));
  return canonicalize(_mm_add_ps(r, _mm_add_ps(_mm_add_ps(p0, p1), _mm_add_ps(p2, p3))));
}

} // namespace

void amp_f16_step(uint32_t *acc, const AmpF16Weights &w, unsigned sets, unsigned phase, uint64_t x,
                  const uint32_t *in, uint32_t *out) {
  const __m128 xs[4] = {_mm_set1_ps(f16_to_f32(half_at(x, 0))), _mm_set1_ps(f16_to_f32(half_at(x, 1))),
                        _mm_set1_ps(f16_to_f32(half_at(x, 2))), _mm_set1_ps(f16_to_f32(half_at(x, 3)))};
  const auto &wp = w.w[phase];
  for (unsigned s = 0; s < sets; ++s) {
    // The set's 16 words are running sum, buffer of units 0..7 in turn:
    // split them into running sums and buffers of units 0..3 (lo), 4..7 (hi).
    float *a = reinterpret_cast<float *>(acc + 16 * s);
    const __m128 m0 = _mm_loadu_ps(a), m1 = _mm_loadu_ps(a + 4), m2 = _mm_loadu_ps(a + 8), m3 = _mm_loadu_ps(a + 12);
    __m128 r_lo = _mm_shuffle_ps(m0, m1, _MM_SHUFFLE(2, 0, 2, 0)), b_lo = _mm_shuffle_ps(m0, m1, _MM_SHUFFLE(3, 1, 3, 1));
    __m128 r_hi = _mm_shuffle_ps(m2, m3, _MM_SHUFFLE(2, 0, 2, 0)), b_hi = _mm_shuffle_ps(m2, m3, _MM_SHUFFLE(3, 1, 3, 1));
    if (phase == 0) {
      std::swap(r_lo, b_lo);
      std::swap(r_hi, b_hi);
    }
    const unsigned l = 8 * s;
    r_lo = lane_step(r_lo, xs, &wp[0][l], &wp[1][l], &wp[2][l], &wp[3][l]);
    r_hi = lane_step(r_hi, xs, &wp[0][l + 4], &wp[1][l + 4], &wp[2][l + 4], &wp[3][l + 4]);
    // The chain: units 0, 1 out; 2..7 down to 0..5; the partial sums into 6, 7.
    const __m128i bi = _mm_castps_si128(b_lo);
    out[2 * s] = static_cast<uint32_t>(_mm_cvtsi128_si32(bi));
    out[2 * s + 1] = static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_srli_si128(bi, 4)));
    const __m128 ins = _mm_castsi128_ps(_mm_set_epi32(0, 0, int32_t(in[2 * s + 1]), int32_t(in[2 * s])));
    b_lo = _mm_shuffle_ps(b_lo, b_hi, _MM_SHUFFLE(1, 0, 3, 2));
    b_hi = _mm_shuffle_ps(b_hi, ins, _MM_SHUFFLE(1, 0, 3, 2));
    _mm_storeu_ps(a, _mm_unpacklo_ps(r_lo, b_lo));
    _mm_storeu_ps(a + 4, _mm_unpackhi_ps(r_lo, b_lo));
    _mm_storeu_ps(a + 8, _mm_unpacklo_ps(r_hi, b_hi));
    _mm_storeu_ps(a + 12, _mm_unpackhi_ps(r_hi, b_hi));
  }
}

#else

void amp_f16_step(uint32_t *acc, const AmpF16Weights &w, unsigned sets, unsigned phase, uint64_t x,
                  const uint32_t *in, uint32_t *out) {
  amp_f16_step_lanes(acc, w, sets, phase, x, in, out);
}

#endif

} // namespace ipusim::tile
