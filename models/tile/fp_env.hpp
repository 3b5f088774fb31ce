// The floating-point environment of one executing instruction: the
// context's $FP_CTL (stochastic rounding, NaN on overflow, exception
// enables), the IEEE flags the instruction raises, and the random bits its
// stochastic roundings draw from the context's PRNG.
//
// Use: create one FpEnv per instruction, compute every result through it,
// then commit() (which records the flags in $FP_STS and faults on an enabled
// exception) and only then write the destination registers, so a trapped
// instruction leaves its destinations unchanged.
#pragma once

#include <cstdint>
#include <string>

#include "models/tile/tile_core.hpp"
#include "sim/isa/csr.hpp"
#include "sim/numeric/float32.hpp"
#include "sim/numeric/half.hpp"
#include "sim/numeric/prng.hpp"

namespace ipusim::tile {

// One step of the context's xoroshiro128+ generator ($PRNG_0_0..$PRNG_1_1).
inline uint64_t prng_next(Context &c) {
  Xoroshiro128Plus g = prng_from_words(c.prng);
  const uint64_t r = g.next();
  c.prng = prng_to_words(g);
  return r;
}

class FpEnv {
public:
  FpEnv(TileCore &t, Context &c) : t_(t), c_(c) {}
  FpEnv(const FpEnv &) = delete;
  FpEnv &operator=(const FpEnv &) = delete;

  // The flags raised so far; pass flags() to the sim/numeric functions.
  FpFlags *flags() { return &flags_; }
  bool stochastic() const { return (c_.fp_ctl & isa::csr::FP_CTL_ESR) != 0; }

  // fp16 results: rounded to nearest even, or stochastically when
  // $FP_CTL.ESR is set; an overflow gives NaN when $FP_CTL.NANOO is set and
  // the largest finite half of the right sign otherwise ("clipping").
  uint16_t f16_add(uint16_t a, uint16_t b) {
    FpFlags lane;
    uint16_t r = stochastic() ? ipusim::f16_add_stochastic(a, b, random32(), &lane) : ipusim::f16_add(a, b, &lane);
    return finish_f16(r, lane);
  }
  uint16_t f16_sub(uint16_t a, uint16_t b) {
    FpFlags lane;
    uint16_t r = stochastic() ? ipusim::f16_sub_stochastic(a, b, random32(), &lane) : ipusim::f16_sub(a, b, &lane);
    return finish_f16(r, lane);
  }
  uint16_t f16_mul(uint16_t a, uint16_t b) {
    FpFlags lane;
    uint16_t r = stochastic() ? ipusim::f16_mul_stochastic(a, b, random32(), &lane) : ipusim::f16_mul(a, b, &lane);
    return finish_f16(r, lane);
  }
  // A binary32 value (conversions, accumulator reads) to fp16. Round to
  // nearest inline (the AMP rounds four results per instruction), stochastic
  // rounding out of line.
  uint16_t f16_from_f32(uint32_t bits) {
    if (stochastic()) return f16_from_f32_stochastic(bits);
    FpFlags lane;
    uint16_t r = f32_bits_to_f16(bits, &lane);
    return finish_f16(r, lane);
  }
  // Two binary32 values to the fp16 lanes 0 (low half) and 1 of a word,
  // lane 0 first (its stochastic rounding takes the earlier random bits).
  uint32_t f16x2_from_f32(uint32_t lane0, uint32_t lane1) {
    const uint32_t lo = f16_from_f32(lane0);
    const uint32_t hi = f16_from_f32(lane1);
    return lo | (hi << 16);
  }
  // A value held exactly (or rounded once to 53 bits) in a double to fp16.
  uint16_t f16_from_double(double v) {
    FpFlags lane;
    uint16_t r = stochastic() ? f16_from_double_stochastic(v, random32(), &lane) : ipusim::f16_from_double(v, &lane);
    return finish_f16(r, lane);
  }

  // Records the raised flags in $FP_STS (sticky) and faults if one of them is
  // enabled in $FP_CTL.
  void commit() {
    namespace csr = isa::csr;
    const uint32_t raised = (flags_.invalid ? csr::FP_INV : 0u) | (flags_.div0 ? csr::FP_DIV0 : 0u) |
                            (flags_.overflow ? csr::FP_OFLO : 0u);
    c_.fp_sts |= raised;
    if (const uint32_t trapped = raised & c_.fp_ctl & csr::FP_EXCEPTIONS) t_.fault(FaultKind::fp_exception, describe(trapped));
  }

private:
  [[gnu::noinline]] uint16_t f16_from_f32_stochastic(uint32_t bits) {
    FpFlags lane;
    uint16_t r = f32_to_f16_stochastic(f32_from_bits(bits), random32(), &lane);
    return finish_f16(r, lane);
  }

  // 32 random bits for one stochastic rounding: the low then the high half
  // of one generator output, so an instruction uses one PRNG step per two
  // rounded lanes (an assumption: the hardware's allocation is not public).
  uint32_t random32() {
    if (have_high_) {
      have_high_ = false;
      return static_cast<uint32_t>(pending_ >> 32);
    }
    pending_ = prng_next(c_);
    have_high_ = true;
    return static_cast<uint32_t>(pending_);
  }

  uint16_t finish_f16(uint16_t r, const FpFlags &lane) {
    flags_ |= lane;
    if (!lane.overflow) return r;
    if (c_.fp_ctl & isa::csr::FP_CTL_NANOO) return kF16CanonicalNaN;
    return static_cast<uint16_t>((r & kF16SignMask) | kF16MaxFinite);
  }

  static std::string describe(uint32_t trapped) {
    namespace csr = isa::csr;
    std::string s;
    auto add = [&](uint32_t bit, const char *text) {
      if (!(trapped & bit)) return;
      if (!s.empty()) s += ", ";
      s += text;
    };
    add(csr::FP_INV, "invalid operation ($FP_CTL.INV)");
    add(csr::FP_DIV0, "divide by zero ($FP_CTL.DIV0)");
    add(csr::FP_OFLO, "overflow ($FP_CTL.OFLO)");
    return s + " enabled; flag recorded in $FP_STS";
  }

  TileCore &t_;
  Context &c_;
  FpFlags flags_;
  uint64_t pending_ = 0;
  bool have_high_ = false;
};

} // namespace ipusim::tile
