// FP8 instructions of the C600 (arch_version >= 21): conversions between FP8
// and fp16, and ldb8 (which poplibs uses to load an FP8 tensor's metadata
// byte). The number formats are sim/numeric/fp8.hpp.
//
// Where the format and scale come from (poplibs inlineAssemblerCast.hpp,
// setFp8Config / setFp8ConfigNegScale, and the cast codelets in
// elemwiseMiscCodelets.cpp): the codelet writes the metadata byte, broadcast,
// to $FP_SCL, and all-ones (1.4.3) or zero (1.5.2) to $FP_NFMT. For FP8 ->
// fp16 it writes the tensor's scale, for fp16 -> FP8 the negated scale: the
// instructions multiply by 2^$FP_SCL in both directions.
//
// ASSUMPTIONS (not public): the conversions read the ARF_FMT field of
// $FP_NFMT (bit 1; the field order is the reverse-engineered register list's,
// and poplibs' $FP_INFMT packing puts the input format in bit 1); only the
// low 6 bits of $FP_SCL count (poplibs writes whole words, and negates the
// scale modulo 64); stochastic rounding ($FP_CTL.ESR) is not modelled here,
// as for the other conversions (sim/numeric/fp8.hpp has the stochastic
// conversion for when it is); f16v2tof8 clears the upper 16 bits of its
// destination.
#include <fmt/format.h>

#include "models/tile/semantics.hpp"
#include "sim/numeric/fp8.hpp"

namespace ipusim::tile {

namespace {
constexpr unsigned kFp8ArchVersion = 21;
} // namespace

void require_fp8(TileCore &t, const isa::Instruction &i) {
  if (t.params().arch_version >= kFp8ArchVersion) return;
  t.fault(FaultKind::illegal_instruction,
          fmt::format("{} is an FP8 instruction of the C600 (arch_version {}); machine '{}' has arch_version {}",
                      isa::form(i.op).mnemonic, kFp8ArchVersion, t.params().machine_name,
                      t.params().arch_version));
}

namespace {

constexpr uint32_t kNfmtArfFmt = 1u << 1;  // $FP_NFMT.ARF_FMT
constexpr uint32_t kFpCtlNanoo = 1u << 20; // $FP_CTL.NANOO (CSR_S_FP_ICTL__NANOO__SHIFT)

// The conversion settings of a context.
struct Fp8Mode {
  Fp8Format format;
  int scl; // $FP_SCL: the exponent both directions multiply by
  Fp8Overflow overflow;
};

Fp8Mode mode(const Context &c) {
  return {(c.fp_nfmt & kNfmtArfFmt) ? Fp8Format::f143 : Fp8Format::f152, fp8_scale_from_bits(c.fp_scl),
          (c.fp_ctl & kFpCtlNanoo) ? Fp8Overflow::nan : Fp8Overflow::saturate};
}

// Byte k of `packed` to fp16: x * 2^scl. The tensor scale is scl itself.
uint16_t to_half(uint32_t packed, unsigned k, const Fp8Mode &m) {
  return fp8_to_f16(uint8_t(packed >> (8 * k)), m.format, m.scl);
}
// round(h * 2^scl) to FP8: the code of h under the tensor scale -scl.
uint32_t to_fp8(uint16_t h, const Fp8Mode &m) { return f16_to_fp8(h, m.format, -m.scl, m.overflow); }

uint32_t halves(uint16_t lo, uint16_t hi) { return lo | (uint32_t(hi) << 16); }

// Four halves (two ARF words) to four FP8 codes, byte k from half k.
uint32_t four_to_fp8(uint32_t w0, uint32_t w1, const Fp8Mode &m) {
  return to_fp8(uint16_t(w0), m) | to_fp8(uint16_t(w0 >> 16), m) << 8 | to_fp8(uint16_t(w1), m) << 16 |
         to_fp8(uint16_t(w1 >> 16), m) << 24;
}

void load_b8(TileCore &t, Context &c, const isa::Instruction &i, uint32_t ea) {
  require_fp8(t, i);
  const uint32_t b = t.load<uint8_t>(c, ea);
  t.write_a(c, reg(i, 0), b * 0x01010101u);
}

} // namespace

IPUSIM_EXEC(F8V2TOF16) {
  require_fp8(t, i);
  const Fp8Mode m = mode(c);
  const uint32_t s = aval(c, i, 1);
  t.write_a(c, reg(i, 0), halves(to_half(s, 0, m), to_half(s, 1, m)));
}

IPUSIM_EXEC(F8V4TOF16) {
  require_fp8(t, i);
  const Fp8Mode m = mode(c);
  const uint32_t s = aval(c, i, 1);
  const uint32_t r0 = halves(to_half(s, 0, m), to_half(s, 1, m)), r1 = halves(to_half(s, 2, m), to_half(s, 3, m));
  t.write_a(c, reg(i, 0), r0);
  t.write_a(c, reg(i, 0) + 1, r1);
}

IPUSIM_EXEC(F16V2TOF8) {
  require_fp8(t, i);
  const Fp8Mode m = mode(c);
  const uint32_t s = aval(c, i, 1);
  t.write_a(c, reg(i, 0), to_fp8(uint16_t(s), m) | to_fp8(uint16_t(s >> 16), m) << 8);
}

IPUSIM_EXEC(F16V8TOF8) {
  require_fp8(t, i);
  const Fp8Mode m = mode(c);
  const unsigned s = reg(i, 1); // read the quad before writing: the operands may overlap
  const uint32_t r0 = four_to_fp8(c.a[s], c.a[s + 1], m), r1 = four_to_fp8(c.a[s + 2], c.a[s + 3], m);
  t.write_a(c, reg(i, 0), r0);
  t.write_a(c, reg(i, 0) + 1, r1);
}

// Address: base + delta + offset (bytes, so the offset is not scaled).
IPUSIM_EXEC(LDB8_R) { load_b8(t, c, i, mval(c, i, 1) + mval(c, i, 2) + mval(c, i, 3)); }
IPUSIM_EXEC(LDB8_I) { load_b8(t, c, i, mval(c, i, 1) + mval(c, i, 2) + static_cast<uint32_t>(i.v[3])); }

} // namespace ipusim::tile
