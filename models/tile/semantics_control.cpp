// Branches, rpt, worker control, sync and CSR access.
#include "models/tile/semantics.hpp"

namespace ipusim::tile {

namespace {
inline uint32_t target(const isa::Instruction &i, unsigned k) { return static_cast<uint32_t>(i.v[k]); }
} // namespace

IPUSIM_EXEC(BR) { t.branch_to(mval(c, i, 0)); }
IPUSIM_EXEC(BRI) { t.branch_to(target(i, 0)); }
IPUSIM_EXEC(BRZ) {
  if (mval(c, i, 0) == 0) t.branch_to(target(i, 1));
}
IPUSIM_EXEC(BRNZ) {
  if (mval(c, i, 0) != 0) t.branch_to(target(i, 1));
}
IPUSIM_EXEC(BRPOS) {
  if (static_cast<int32_t>(mval(c, i, 0)) >= 0) t.branch_to(target(i, 1));
}
IPUSIM_EXEC(BRNEG) {
  if (static_cast<int32_t>(mval(c, i, 0)) < 0) t.branch_to(target(i, 1));
}
IPUSIM_EXEC(BRNZDEC) {
  uint32_t v = mval(c, i, 0);
  if (v != 0) {
    TileCore::write_m(c, reg(i, 0), v - 1);
    t.branch_to(target(i, 1));
  }
}
IPUSIM_EXEC(CALL) {
  TileCore::write_m(c, reg(i, 0), t.next_pc());
  t.branch_to(target(i, 1));
}
IPUSIM_EXEC(RPT_R) { t.start_repeat(c, mval(c, i, 0), static_cast<uint32_t>(i.v[1])); }
IPUSIM_EXEC(RPT_I) { t.start_repeat(c, static_cast<uint32_t>(i.v[0]), static_cast<uint32_t>(i.v[1])); }

IPUSIM_EXEC(EXITZ) { t.exit_worker(c, mval(c, i, 0) == 0); }
IPUSIM_EXEC(EXITNZ) { t.exit_worker(c, mval(c, i, 0) != 0); }
IPUSIM_EXEC(EXITPOS) { t.exit_worker(c, static_cast<int32_t>(mval(c, i, 0)) >= 0); }
IPUSIM_EXEC(EXITNEG) { t.exit_worker(c, static_cast<int32_t>(mval(c, i, 0)) < 0); }

// run: the vertex address is $mVBase + zimm16 * 4. runall: worker n gets
// $mVBase + n * zimm16 * 4 (the ISA text). The ISA text calls these relative
// to TMEM_REGION0_BASE_ADDR, but poplibs passes absolute addresses (`runall
// $entry, $sp, 0`), so ipusim treats them as absolute.
IPUSIM_EXEC(RUN) { t.run_worker(c, mval(c, i, 0), mval(c, i, 1) + 4u * static_cast<uint32_t>(i.v[2]), 0, false); }
IPUSIM_EXEC(RUNALL) { t.run_worker(c, mval(c, i, 0), mval(c, i, 1), 4u * static_cast<uint32_t>(i.v[2]), true); }
IPUSIM_EXEC(SYNC) { t.sync(c, static_cast<unsigned>(i.v[0])); }
IPUSIM_EXEC(SEND) { t.send(c, mval(c, i, 0), static_cast<uint32_t>(i.v[1])); }
IPUSIM_EXEC(TRAP) { t.fault(FaultKind::trap, "trap " + std::to_string(i.v[0])); }

IPUSIM_EXEC(GET) { TileCore::write_m(c, reg(i, 0), t.read_csr(c, static_cast<uint32_t>(i.v[1]))); }
IPUSIM_EXEC(PUT) { t.write_csr(c, static_cast<uint32_t>(i.v[0]), mval(c, i, 1)); }
IPUSIM_EXEC(UGET) { t.write_a(c, reg(i, 0), t.read_csr(c, static_cast<uint32_t>(i.v[1]))); }
IPUSIM_EXEC(UPUT) { t.write_csr(c, static_cast<uint32_t>(i.v[0]), aval(c, i, 1)); }

} // namespace ipusim::tile
