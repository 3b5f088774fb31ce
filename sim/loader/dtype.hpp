// Element types of tensors in a program, their sizes and .npy spellings, and
// conversion of host values into their bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ipusim::loader {

struct DType {
  std::string name;  // as in the program format: half, float, int, ...
  uint32_t size;     // bytes per element
  std::string npy;   // numpy descr: <f2, <f4, <i4, ...
  bool is_float;
  bool is_signed;
};

std::optional<DType> dtype_named(const std::string &name);

// Why `value` cannot be stored as a `t` ("" if it can): integer types need
// an integral value in their range, float types a value that is finite or
// an infinity/NaN on purpose (accepted), bool 0 or 1.
std::string check_element(const DType &t, double value);

// Store `value` (already checked) as one element of `t` at `out`; float types
// round to nearest even.
void encode_element(const DType &t, double value, uint8_t *out);

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
