// The two 8-bit floating-point formats of the C600 IPU ("quarter" in Poplar;
// ipu21 in poplibs) and their conversions to and from binary16, binary32 and
// double, for the host-side reference model. Bit-exact and independent of the
// host FPU, like sim/numeric/half.hpp: rounding is integer arithmetic on the
// exact value; host floating point is only used where it is exact.
//
// Formats (ipu-reference.md section 2, "FP8"):
//   1.4.3: sign 1 bit | exponent 4 bits (bias 8)  | fraction 3 bits; max 240
//   1.5.2: sign 1 bit | exponent 5 bits (bias 16) | fraction 2 bits; max 57344
// Exponent field 0 holds the subnormals (and zero); every other exponent
// field, including all ones, holds normal numbers: there are no infinities.
// The only NaN is 0x80, the code that would be "negative zero", so FP8 has a
// single zero, 0x00.
//
// Scale: every FP8 tensor carries a power-of-two scale s, a signed 6-bit
// integer in [-32, 31]: code c stands for decode(c) * 2^s. The functions here
// take s and apply it exactly (no intermediate rounding). The hardware's
// $FP_SCL register holds the exponent the conversion instructions multiply by,
// which is s for FP8 -> fp16 and -s for fp16 -> FP8 (poplibs negates the scale
// before converting to FP8); see models/tile/semantics_fp8.cpp.
//
// Metadata byte (poplibs lib/popops/codelets/inlineAssemblerCast.hpp,
// getScaleFloat / extractMetadata): bit 7 = format (1 = 1.4.3, 0 = 1.5.2),
// bits 5..0 = the scale, two's complement; bit 6 is unused.
//
// Conversions to FP8:
//   * round to nearest, ties to even, rounded once from the exact (scaled)
//     value; or stochastic rounding given random bits (defined as for
//     f32_to_f16_stochastic in half.hpp, with the FP8 ulp).
//   * NaN and +-infinity give the NaN 0x80, whatever the overflow mode
//     (poplibs tests/popops/QuarterTypeArithmeticTests.cpp expects NaN for
//     +-inf both with and without $FP_CTL.NANOO).
//   * A finite value whose rounded magnitude exceeds the largest finite FP8
//     value overflows: Fp8Overflow::nan gives 0x80 ($FP_CTL.NANOO set),
//     Fp8Overflow::saturate gives +-max (NANOO clear), as those poplibs tests
//     expect (240 / 57344 when saturating).
//   * A result that rounds to zero is 0x00 whatever the sign (0x80 is NaN).
// Conversions from FP8 are exact for binary32 and double; to binary16 they
// round to nearest even once the scale is applied (the scaled value can leave
// the binary16 range: overflow gives +-infinity, as binary16 rounding does).
// Flags: overflow (+ inexact) on overflow, inexact when rounding changed the
// value, underflow when the result is inexact and below the smallest normal,
// invalid when a NaN or an infinity is converted to FP8.
//
// ASSUMPTIONS (not public):
//   * The FP8 NaN converts to the canonical quiet NaN of the wider format
//     (0x7E00 for binary16, 0x7FC00000 for binary32), the project's NaN
//     convention (half.hpp). poplibs' Mk2 software emulation of the cast
//     happens to produce 0xFFFF; it only checks isnan().
//   * Rounding to FP8 is IEEE-style: subnormals are produced (not flushed) and
//     overflow is decided after rounding, so values in (max, max + ulp/2)
//     round down to max without overflowing.
//   * Stochastic rounding uses 32 random bits, like half.hpp.
#pragma once

#include <cstdint>

#include "sim/numeric/half.hpp"

namespace ipusim {

enum class Fp8Format : uint8_t { f143, f152 };
// What a finite overflow gives when converting to FP8.
enum class Fp8Overflow : uint8_t { saturate, nan };

constexpr uint8_t kF8NaN = 0x80;
constexpr uint8_t kF8MaxFinite = 0x7F; // 240 (1.4.3) or 57344 (1.5.2)
constexpr int kF8ScaleMin = -32;
constexpr int kF8ScaleMax = 31;

inline bool fp8_is_nan(uint8_t c) { return c == kF8NaN; }
inline const char *fp8_format_name(Fp8Format f) { return f == Fp8Format::f143 ? "1.4.3" : "1.5.2"; }
inline int fp8_mantissa_bits(Fp8Format f) { return f == Fp8Format::f143 ? 3 : 2; }
inline int fp8_exponent_bias(Fp8Format f) { return f == Fp8Format::f143 ? 8 : 16; }
// Largest finite magnitude, unscaled: 240 or 57344.
double fp8_max_value(Fp8Format f);

// The metadata byte of a tensor (format bit 7, scale in bits 5..0).
struct Fp8Metadata {
  Fp8Format format = Fp8Format::f143;
  int scale = 0; // [kF8ScaleMin, kF8ScaleMax]
};
inline uint8_t fp8_pack_metadata(Fp8Metadata m) {
  return uint8_t((m.format == Fp8Format::f143 ? 0x80u : 0u) | (uint32_t(m.scale) & 0x3Fu));
}
// Sign-extends a 6-bit two's-complement scale (higher bits are ignored).
inline int fp8_scale_from_bits(uint32_t bits) { return int((bits & 0x3Fu) ^ 0x20u) - 0x20; }
inline Fp8Metadata fp8_unpack_metadata(uint8_t byte) {
  return {(byte & 0x80u) ? Fp8Format::f143 : Fp8Format::f152, fp8_scale_from_bits(byte)};
}

// ---- FP8 -> wider formats ----------------------------------------------------
// decode(c) * 2^scale, exactly; NaN for 0x80.
double fp8_to_double(uint8_t c, Fp8Format f, int scale = 0);
// Exact for every code and scale in [-32, 31] (the scaled values lie within
// binary32's normal range).
uint32_t fp8_to_f32_bits(uint8_t c, Fp8Format f, int scale = 0);
float fp8_to_f32(uint8_t c, Fp8Format f, int scale = 0);
// Rounded to nearest even when the scaled value is not a binary16 value.
uint16_t fp8_to_f16(uint8_t c, Fp8Format f, int scale = 0);

// ---- wider formats -> FP8 ----------------------------------------------------
// Each returns the code of round(x * 2^-scale), so that the code stands for x
// under the tensor scale `scale`.
uint8_t f16_to_fp8(uint16_t h, Fp8Format f, int scale, Fp8Overflow ov, FpFlags *flags = nullptr);
uint8_t f16_to_fp8_stochastic(uint16_t h, Fp8Format f, int scale, Fp8Overflow ov, uint32_t random_bits,
                              FpFlags *flags = nullptr);
uint8_t f32_to_fp8(float x, Fp8Format f, int scale, Fp8Overflow ov, FpFlags *flags = nullptr);
uint8_t f32_to_fp8_stochastic(float x, Fp8Format f, int scale, Fp8Overflow ov, uint32_t random_bits,
                              FpFlags *flags = nullptr);
// For the loader (fill and random initial data): rounded once from the double.
uint8_t fp8_from_double(double x, Fp8Format f, int scale, Fp8Overflow ov, FpFlags *flags = nullptr);

} // namespace ipusim
