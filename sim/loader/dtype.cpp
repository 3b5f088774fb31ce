#include "sim/loader/dtype.hpp"

#include <cmath>
#include <cstring>
#include <fmt/format.h>

#include "sim/numeric/half.hpp"

namespace ipusim::loader {

std::optional<DType> dtype_named(const std::string &n) {
  static const DType table[] = {
      {"half", 2, "<f2", true, true},       {"float", 4, "<f4", true, true},
      {"int", 4, "<i4", false, true},       {"uint", 4, "<u4", false, false},
      {"short", 2, "<i2", false, true},     {"ushort", 2, "<u2", false, false},
      {"char", 1, "|i1", false, true},      {"uchar", 1, "|u1", false, false},
      {"bool", 1, "|b1", false, false},     {"longlong", 8, "<i8", false, true},
      {"ulonglong", 8, "<u8", false, false},
      // FP8 codes, written to .npy as raw bytes (docs/program-format.md).
      {"fp8_143", 1, "|u1", true, true},    {"fp8_152", 1, "|u1", true, true},
  };
  for (const DType &t : table)
    if (t.name == n) return t;
  return std::nullopt;
}

std::optional<Fp8Format> fp8_format_of(const DType &t) {
  if (t.name == "fp8_143") return Fp8Format::f143;
  if (t.name == "fp8_152") return Fp8Format::f152;
  return std::nullopt;
}

std::string check_element(const DType &t, double v, int fp8_scale) {
  if (auto f = fp8_format_of(t)) {
    if (std::isinf(v)) return fmt::format("is infinite, and FP8 ({}) has no infinities", fp8_format_name(*f));
    FpFlags flags;
    fp8_from_double(v, *f, fp8_scale, Fp8Overflow::nan, &flags);
    if (flags.overflow)
      return fmt::format("is out of range for {} with scale {} (largest magnitude {} * 2^{})", t.name, fp8_scale,
                         fp8_max_value(*f), fp8_scale);
    return "";
  }
  if (t.is_float) return "";
  if (!std::isfinite(v) || v != std::floor(v)) return "must be a whole number";
  if (t.name == "bool") return (v == 0 || v == 1) ? "" : "must be 0 or 1";
  int bits = static_cast<int>(8 * t.size);
  // Bounds as doubles are exact powers of two; the printed range is exact too.
  double lo = t.is_signed ? -std::ldexp(1.0, bits - 1) : 0.0;
  double hi = std::ldexp(1.0, t.is_signed ? bits - 1 : bits); // exclusive
  if (v >= lo && v < hi) return "";
  if (t.is_signed)
    return fmt::format("is out of range for {} [{}, {}]", t.name, -(int64_t(1) << (bits - 2)) * 2,
                       static_cast<uint64_t>((uint64_t(1) << (bits - 1)) - 1));
  return fmt::format("is out of range for {} [0, {}]", t.name,
                     bits == 64 ? UINT64_MAX : (uint64_t(1) << bits) - 1);
}

uint64_t fnv1a(const std::string &text) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

void encode_element(const DType &t, double v, uint8_t *out, int fp8_scale) {
  if (auto f = fp8_format_of(t)) {
    out[0] = fp8_from_double(v, *f, fp8_scale, Fp8Overflow::saturate);
    return;
  }
  if (t.name == "half") {
    uint16_t h = f16_from_double(v);
    std::memcpy(out, &h, 2);
    return;
  }
  if (t.name == "float") {
    float f = static_cast<float>(v);
    std::memcpy(out, &f, 4);
    return;
  }
  if (t.name == "bool") {
    out[0] = v != 0.0;
    return;
  }
  // Checked by check_element: v is integral and in range.
  uint64_t bits = v >= 9.2e18 ? static_cast<uint64_t>(v) : static_cast<uint64_t>(static_cast<int64_t>(v));
  for (uint32_t b = 0; b < t.size; ++b) out[b] = static_cast<uint8_t>(bits >> (8 * b));
}

uint64_t SplitMix64::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double SplitMix64::uniform(double lo, double hi) {
  double u = static_cast<double>(next() >> 11) * 0x1.0p-53;
  return lo + u * (hi - lo);
}

} // namespace ipusim::loader
