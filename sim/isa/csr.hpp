// Control/status register numbers. Mk1 values from the public reverse-engineered
// constant list (Saghetti0/graphcore-ipu-research, research/ipu1/ipu1_consts.c);
// the Mk2 numbers are not public and are assumed equal. Worker and supervisor
// CSRs share the lower space (0..255, get/put); the upper space (256..511,
// uget/uput) holds the worker floating-point and PRNG registers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ipusim::isa::csr {

// Common
constexpr uint32_t PC = 0x00;
// Worker, lower space
constexpr uint32_t WSR = 0x01;          // CTXTID_M1 in bits 2:0
constexpr uint32_t VERTEX_BASE = 0x02;
constexpr uint32_t WORKER_BASE = 0x03;
constexpr uint32_t REPEAT_COUNT = 0x04;
constexpr uint32_t REPEAT_FIRST = 0x05;
constexpr uint32_t REPEAT_END = 0x06;
constexpr uint32_t COUNT_L = 0x60;
constexpr uint32_t COUNT_U = 0x61;
constexpr uint32_t DBG_DATA = 0x70;
constexpr uint32_t DBG_BRK_ID = 0x71;
// Supervisor, lower space
constexpr uint32_t SSR = 0x01;
constexpr uint32_t CR = 0x02;
constexpr uint32_t TILE_ID = 0x03;
constexpr uint32_t FP_ICTL = 0x20;
constexpr uint32_t WORKER0_BASE = 0x21; // ..WORKER5_BASE = 0x26
constexpr uint32_t CCCSLOAD = 0x50;
constexpr uint32_t SCOUNT_L = 0x60;
constexpr uint32_t SCOUNT_U = 0x61;
constexpr uint32_t CTXT_STS = 0x72;
constexpr uint32_t INCOMING_MUX = 0xa0;
constexpr uint32_t INCOMING_MUXPAIR = 0xa1;
constexpr uint32_t INCOMING_DELTA = 0xa2;
constexpr uint32_t INCOMING_FORMAT = 0xa3;
constexpr uint32_t INCOMING_BASE = 0xa4;
constexpr uint32_t INCOMING_SINIT = 0xa5;
constexpr uint32_t INCOMING_DCOUNT = 0xa6;
constexpr uint32_t OUTGOING_BASE = 0xa7;
constexpr uint32_t OUTGOING_DELTA = 0xa8;
constexpr uint32_t EXCHANGE_CTL = 0xa9;
// FP8 (C600, arch_version >= 21): the initial $FP_NFMT / $FP_SCL of launched
// workers, as $FP_ICTL is of $FP_CTL. Names and fields from the reverse-engineered
// register list (Saghetti0/graphcore-ipu-research, ghidra/register_list.json);
// the numbers are not public: assumed to follow that index-ordered list (after
// EXCHANGE_ADJ 0xab and SNOTIFY).
constexpr uint32_t FP_INFMT = 0xad;
constexpr uint32_t FP_ISCL = 0xae;
// Worker, upper space
constexpr uint32_t FP_STS = 0x100;
constexpr uint32_t FP_CLR = 0x101; // bit 3 (ZAACC) zeroes the accumulators
constexpr uint32_t FP_CTL = 0x102; // INV/DIV0/OFLO enables bits 0-2, RND 18:16, ESR 19, NANOO 20
constexpr uint32_t PRNG_0_0 = 0x103;
constexpr uint32_t PRNG_0_1 = 0x104;
constexpr uint32_t PRNG_1_0 = 0x105;
constexpr uint32_t PRNG_1_1 = 0x106;
constexpr uint32_t PRNG_SEED = 0x107;
constexpr uint32_t TAS = 0x108;
// FP8 (C600): format (bit 0 CWEI_FMT, bit 1 ARF_FMT; 1 = 1.4.3, 0 = 1.5.2) and
// scale (6-bit two's complement exponent). Numbers assumed: the next after
// $TAS in the same list.
constexpr uint32_t FP_NFMT = 0x109;
constexpr uint32_t FP_SCL = 0x10a;

// Fields of $FP_CTL / $FP_ICTL (enables and modes), $FP_STS (sticky flags)
// and $FP_CLR (write 1 to clear), from the public Mk1 constant list:
// INV/DIV0/OFLO are bits 0-2 of all of them, ZAACC bit 3 of $FP_CLR, RND
// bits 18:16, ESR bit 19 and NANOO bit 20 of $FP_CTL/$FP_ICTL.
constexpr uint32_t FP_INV = 1u << 0;  // invalid operation
constexpr uint32_t FP_DIV0 = 1u << 1; // divide by zero
constexpr uint32_t FP_OFLO = 1u << 2; // overflow
constexpr uint32_t FP_EXCEPTIONS = FP_INV | FP_DIV0 | FP_OFLO;
constexpr uint32_t FP_CLR_ZAACC = 1u << 3;
constexpr uint32_t FP_CTL_RND = 7u << 16;
constexpr uint32_t FP_CTL_ESR = 1u << 19;   // enable stochastic rounding
constexpr uint32_t FP_CTL_NANOO = 1u << 20; // NaN on fp16 overflow (else clip to the largest finite)

struct Entry {
  std::string_view name; // without '$'
  uint32_t number;
  bool supervisor; // a supervisor CSR (else worker or common)
};

// Look up "$NAME" or "NAME". Names shared by both kinds resolve to one number.
std::optional<uint32_t> lookup(std::string_view name);
// The name of a CSR number as the given context kind sees it ("" if unnamed).
std::string_view name_of(uint32_t number, bool supervisor);
// All named CSRs, for describe.
const Entry *begin();
const Entry *end();

} // namespace ipusim::isa::csr
