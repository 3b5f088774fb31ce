// ipusim's version of the Poplar SDK header `arch/gc_tile_defines.h`: the
// tile constants that poplibs' assembly codelets use. The SDK's own header
// is not public. Each value says where it comes from:
//   [names]   docs/poplar-sdk-names.md (public poplibs sources and the public
//             reverse-engineered Mk1 constant list)
//   [ref]     docs/ipu-reference.md
//   [ipusim]  ipusim's own encoding: no public value exists; it only has to
//             agree with ipusim's instruction semantics.
// Selected by __IPU_ARCH_VERSION__ (1 = Mk1, 2 = Mk2/GC200, 21 = Bow).
// Plain #defines only: poplibs also tests some of these in `#if`.
#ifndef IPUSIM_ARCH_GC_TILE_DEFINES_H
#define IPUSIM_ARCH_GC_TILE_DEFINES_H

#ifndef __IPU_ARCH_VERSION__
#error "ipusim: __IPU_ARCH_VERSION__ must be defined (1, 2 or 21)"
#endif

// ---- Contexts ----
#define CTXT_WORKERS (6) // [names] worker contexts per tile

// ---- $WSR (worker status register) ----
#define CSR_W_WSR__CTXTID_M1__SHIFT 0   // [names] worker index field, bits 0..2
#define CSR_W_WSR__CTXTID_M1__MASK 0x7  // [names]

// ---- $FP_CLR ----
#define CSR_W_FP_CLR__ZAACC__SHIFT 3 // [names] writing this bit zeroes the accumulators
#define CSR_W_FP_CLR__ZAACC__MASK 1  // [names]

// ---- Floating-point control ----
#define CSR_W_FP_CTL__INDEX 0x102        // [names] worker $FP_CTL CSR number
#define CSR_S_FP_ICTL__INDEX 0x20        // [names] supervisor $FP_ICTL CSR number
#define CSR_S_FP_ICTL__NANOO__SHIFT 20   // [names]
#define CSR_S_FP_ICTL__NANOO__MASK 1     // [names]
#define CSR_S_FP_ICTL__OFLO__SHIFT 2     // [names]
#define CSR_S_FP_ICTL__OFLO__MASK 1      // [names]
#define CSR_S_FP_ICTL__ESR__SHIFT 19     // [names] stochastic rounding enable
#define CSR_S_FP_ICTL__ESR__MASK 1       // [names]

// ---- Repeat count ($REPEAT_COUNT width) ----
#if __IPU_ARCH_VERSION__ == 1
#define CSR_W_REPEAT_COUNT__VALUE__MASK 0xFFF // [names] 12-bit rpt count on Mk1
#else
#define CSR_W_REPEAT_COUNT__VALUE__MASK 0xFFFF // [ref] 16 bits in the ISA text for later parts
#endif

// ---- Exchange / sync ----
#define TEXCH_SYNCZONE_LOCAL 2 // [names] sync zone of the tile's own contexts

// ---- Tile memory ----
#define TMEM_BYTE_MAX_ADDRESS_WIDTH 21  // [names] both public sources agree
#define TMEM_FULL_ADDRESS_MASK 0x1FFFFF // [names]
// [names] 0x40000 on Mk1. The Mk2/Bow value is not public: ipusim assumes
// the same base ([ipusim]); it must match the memory map in ipusim's
// machine configuration.
#define TMEM_REGION0_BASE_ADDR 0x40000

// ---- AMP / SLIC / accumulator-store phase flags ----
// [ipusim] The encodings of these enumFlags immediates are not public.
// ipusim encodes each TAMP_* as its phase number (fp16 forms 0..3, fp32 forms
// 0..7); the engine count (E4/E2/E1) and data type are implied by the
// instruction that uses it.
#define TAMP_F16V4_E4_P0 0
#define TAMP_F16V4_E4_P1 1
#define TAMP_F16V4_E4_P2 2
#define TAMP_F16V4_E4_P3 3
#define TAMP_F16V4_E2_P0 0
#define TAMP_F16V4_E2_P1 1
#define TAMP_F16V4_E1_P0 0
#define TAMP_F32_E4_P0 0
#define TAMP_F32_E4_P1 1
#define TAMP_F32_E4_P2 2
#define TAMP_F32_E4_P3 3
#define TAMP_F32_E4_P4 4
#define TAMP_F32_E4_P5 5
#define TAMP_F32_E4_P6 6
#define TAMP_F32_E4_P7 7
#define TAMP_F32_E2_P0 0
#define TAMP_F32_E2_P1 1
#define TAMP_F32_E2_P2 2
#define TAMP_F32_E2_P3 3
#define TAMP_F32_E1_P0 0
#define TAMP_F32_E1_P1 1
#define TAMP_F32_E1_P2 2
#define TAMP_F32_E1_P3 3
// SLIC flags (f16v4*slic, f32sisoslic): bits 1:0 the weight word of each conv
// unit, bit 2 three stages (1x3) instead of four (1x4); f32sisoslic bit 3 the
// upper fp32 weights (models/tile/semantics_slic.cpp).
#define TSLIC_F16V4_1x4_W0 0 // [ipusim] 4 stages, weight word 0
#define TSLIC_F16V4_1x4_W1 1 // [ipusim] 4 stages, weight word 1
// f16v4istacc / f16v4stacc: which half of the shuffle (semantics_slic.cpp).
// TSTACC_P0 is also the literal 0 poplibs' ReductionSpecial01Acc passes.
#define TISTACC_P0 0 // [ipusim] rows into the even words 4j
#define TISTACC_P1 1 // [ipusim] rows into the even words 4j + 2
#define TSTACC_P0 0  // [ipusim] $AACC[0], [2] out, even chain copied to the odd
#define TSTACC_P1 1  // [ipusim] $AACC[1], [3] out, odd chain shifted

#endif // IPUSIM_ARCH_GC_TILE_DEFINES_H
