// Element types of tensors in a program, their sizes and .npy spellings, and
// conversion of host values into their bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/numeric/fp8.hpp"

namespace ipusim::loader {

struct DType {
  std::string name;  // as in the program format: half, float, int, ...
  uint32_t size;     // bytes per element
  std::string npy;   // numpy descr: <f2, <f4, <i4, ...
  bool is_float;
  bool is_signed;
};

std::optional<DType> dtype_named(const std::string &name);

// The FP8 format of fp8_143 / fp8_152 (C600 "quarter"); none for other types.
// Their elements are the 8-bit codes, scaled by a per-tensor power of two
// (`fp8_scale`: code c stands for value(c) * 2^fp8_scale).
std::optional<Fp8Format> fp8_format_of(const DType &t);

// Why `value` cannot be stored as a `t` ("" if it can): integer types need
// an integral value in their range, float types a value that is finite or
// an infinity/NaN on purpose (accepted), bool 0 or 1. FP8 types take NaN and
// values that do not overflow at the tensor's scale (no infinities).
std::string check_element(const DType &t, double value, int fp8_scale = 0);

// Store `value` as one element of `t` at `out`; float types round to nearest
// even. FP8 types encode value * 2^-fp8_scale, saturating (random data
// beyond the range; fill values are checked first).
void encode_element(const DType &t, double value, uint8_t *out, int fp8_scale = 0);

// 64-bit FNV-1a of a string: the same on every host and standard library
// (std::hash is not), used to derive per-tensor seeds.
uint64_t fnv1a(const std::string &text);

// A deterministic uniform generator (splitmix64), so generated inputs are
// identical on every host and standard library.
class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next();
  double uniform(double lo, double hi); // [lo, hi)
private:
  uint64_t state_;
};

} // namespace ipusim::loader
