// The table behind f16_to_f32_bits: every half's binary32 bits, computed at
// compile time from the definition (f16_to_f32_bits_computed), so it is
// constant data with no start-up cost and no order-of-initialisation issue.
#include "sim/numeric/half.hpp"

namespace ipusim::detail {

constexpr F16ToF32Table kF16ToF32{};

} // namespace ipusim::detail
