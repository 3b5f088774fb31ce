#include "sim/isa/csr.hpp"

#include <iterator>

namespace ipusim::isa::csr {

namespace {
const Entry kTable[] = {
    {"PC", PC, false},
    {"WSR", WSR, false},
    {"VERTEX_BASE", VERTEX_BASE, false},
    {"WORKER_BASE", WORKER_BASE, false},
    {"REPEAT_COUNT", REPEAT_COUNT, false},
    {"REPEAT_FIRST", REPEAT_FIRST, false},
    {"REPEAT_END", REPEAT_END, false},
    {"COUNT_L", COUNT_L, false},
    {"COUNT_U", COUNT_U, false},
    {"DBG_DATA", DBG_DATA, false},
    {"DBG_BRK_ID", DBG_BRK_ID, false},
    {"SSR", SSR, true},
    {"CR", CR, true},
    {"TILE_ID", TILE_ID, true},
    {"FP_ICTL", FP_ICTL, true},
    {"WORKER0_BASE", WORKER0_BASE + 0, true},
    {"WORKER1_BASE", WORKER0_BASE + 1, true},
    {"WORKER2_BASE", WORKER0_BASE + 2, true},
    {"WORKER3_BASE", WORKER0_BASE + 3, true},
    {"WORKER4_BASE", WORKER0_BASE + 4, true},
    {"WORKER5_BASE", WORKER0_BASE + 5, true},
    {"CCCSLOAD", CCCSLOAD, true},
    {"SCOUNT_L", SCOUNT_L, true},
    {"SCOUNT_U", SCOUNT_U, true},
    {"CTXT_STS", CTXT_STS, true},
    {"INCOMING_MUX", INCOMING_MUX, true},
    {"INCOMING_MUXPAIR", INCOMING_MUXPAIR, true},
    {"INCOMING_DELTA", INCOMING_DELTA, true},
    {"INCOMING_FORMAT", INCOMING_FORMAT, true},
    {"INCOMING_BASE", INCOMING_BASE, true},
    {"INCOMING_SINIT", INCOMING_SINIT, true},
    {"INCOMING_DCOUNT", INCOMING_DCOUNT, true},
    {"OUTGOING_BASE", OUTGOING_BASE, true},
    {"OUTGOING_DELTA", OUTGOING_DELTA, true},
    {"EXCHANGE_CTL", EXCHANGE_CTL, true},
    {"FP_INFMT", FP_INFMT, true},
    {"FP_ISCL", FP_ISCL, true},
    {"FP_STS", FP_STS, false},
    {"FP_CLR", FP_CLR, false},
    {"FP_CTL", FP_CTL, false},
    {"PRNG_0_0", PRNG_0_0, false},
    {"PRNG_0_1", PRNG_0_1, false},
    {"PRNG_1_0", PRNG_1_0, false},
    {"PRNG_1_1", PRNG_1_1, false},
    {"PRNG_SEED", PRNG_SEED, false},
    {"TAS", TAS, false},
    {"FP_NFMT", FP_NFMT, false},
    {"FP_SCL", FP_SCL, false},
};
} // namespace

std::optional<uint32_t> lookup(std::string_view name) {
  if (!name.empty() && name[0] == '$') name.remove_prefix(1);
  for (const Entry &e : kTable)
    if (e.name == name) return e.number;
  return std::nullopt;
}

std::string_view name_of(uint32_t number, bool supervisor) {
  for (const Entry &e : kTable)
    if (e.number == number && (number >= 0x100 || number == PC || e.supervisor == supervisor))
      return e.name;
  return {};
}

const Entry *begin() { return std::begin(kTable); }
const Entry *end() { return std::end(kTable); }

} // namespace ipusim::isa::csr
