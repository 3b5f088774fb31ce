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

// Store `value` as one element of `t` at `out` (float types round to nearest
// even; integer types round to nearest and wrap to the type's width; bool is
// value != 0).
void encode_element(const DType &t, double value, uint8_t *out);

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
