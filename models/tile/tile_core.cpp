#include "models/tile/tile_core.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

#include "sim/common/error.hpp"
#include "sim/isa/csr.hpp"
#include "sim/isa/registers.hpp"
#include "sim/numeric/prng.hpp"

namespace ipusim::tile {

const char *fault_kind_name(FaultKind k) {
  switch (k) {
  case FaultKind::misaligned: return "misaligned access";
  case FaultKind::out_of_range: return "address out of range";
  case FaultKind::illegal_instruction: return "illegal instruction";
  case FaultKind::illegal_in_rpt: return "illegal instruction in rpt body";
  case FaultKind::not_executable: return "not executable";
  case FaultKind::worker_busy: return "worker busy";
  case FaultKind::bad_csr: return "bad CSR access";
  case FaultKind::trap: return "trap";
  case FaultKind::bad_operand: return "bad operand";
  case FaultKind::fp_exception: return "floating-point exception";
  }
  return "fault";
}

TileCore::TileCore(const TileParams &params)
    : p_(params), sram_(params.sram), slow_loads_(params.sram.latency_cycles > params.workers) {
  for (unsigned i = 0; i < ctx_.size(); ++i) {
    ctx_[i].index = i;
    ctx_[i].supervisor = i == 0;
    // Every context's PRNG starts from its own reproducible state, as if
    // $PRNG_SEED had been written with a value derived from tile and context.
    ctx_[i].prng = prng_words_from_seed(initial_prng_seed(params.tile_id, i));
  }
}

CodeSegment::CodeSegment(uint32_t addr, std::vector<uint32_t> words, const std::vector<uint8_t> &is_code)
    : base_(addr), raw_(std::move(words)), decoded_(raw_.size()) {
  for (size_t i = 0; i < raw_.size(); ++i) {
    if (!is_code.empty() && !is_code[i]) continue;
    DecodedWord &d = decoded_[i];
    auto insn = isa::decode(raw_[i]);
    if (!insn) continue;
    const isa::Form &f = isa::form(insn->op);
    d.insn = *insn;
    d.exec = exec_function(insn->op);
    d.exec_held = held_exec_function(insn->op);
    d.flags = f.flags;
    d.pipe = f.pipe;
    d.timing = f.timing;
    d.bundle_first = (raw_[i] & isa::kBundleBit) != 0;
    d.needs_arf = f.pipe == isa::Pipe::AUX;
    for (const auto &o : f.operands)
      if (o.kind == isa::OperandKind::AReg || o.kind == isa::OperandKind::APair || o.kind == isa::OperandKind::AQuad)
        d.needs_arf = true;
    d.checks = static_cast<uint8_t>(((f.flags & isa::F_NORPT) ? kCheckNoRpt : 0) |
                                    ((f.flags & isa::F_SUPERVISOR) ? kCheckSupervisor : 0) |
                                    (((f.flags & isa::F_WORKER) || d.needs_arf) ? kCheckWorker : 0));
  }
  for (size_t i = 0; i + 1 < raw_.size(); ++i)
    decoded_[i].pair_follows = decoded_[i].exec && decoded_[i].bundle_first && decoded_[i + 1].exec;
}

void TileCore::load_code(uint32_t addr, const std::vector<uint32_t> &words) {
  if (words.empty()) return;
  load_code(std::make_shared<const CodeSegment>(addr, words));
}

void TileCore::load_code(std::shared_ptr<const CodeSegment> seg) {
  if (seg->words().empty()) return;
  const uint32_t addr = seg->base(), end = seg->end();
  if ((addr & 3) || !sram_.contains(addr, end - addr))
    throw InputError(fmt::format("code at 0x{:x}..0x{:x} is outside the tile's SRAM [0x{:x}, 0x{:x})", addr, end,
                                 sram_.base(), sram_.end()));
  std::memcpy(sram_.ptr(addr), seg->words().data(), 4 * seg->words().size());
  // Segments stay disjoint: code loaded over earlier code replaces it, so
  // the overlapping segments are merged into a private one (never the case
  // for linked programs, whose sections do not overlap).
  uint32_t lo = addr, hi = end;
  std::vector<std::shared_ptr<const CodeSegment>> kept, overlapping;
  for (auto &s : segments_) (s->base() < hi && addr < s->end() ? overlapping : kept).push_back(std::move(s));
  if (!overlapping.empty()) {
    for (const auto &s : overlapping) {
      lo = std::min(lo, s->base());
      hi = std::max(hi, s->end());
    }
    std::vector<uint32_t> merged((hi - lo) / 4, 0);
    std::vector<uint8_t> held((hi - lo) / 4, 0); // gaps between the segments stay data
    overlapping.push_back(seg);                  // last: the new code wins
    for (const auto &o : overlapping)
      for (size_t i = 0; i < o->words().size(); ++i) {
        merged[(o->base() - lo) / 4 + i] = o->words()[i];
        held[(o->base() - lo) / 4 + i] = o->decoded()[i].exec != nullptr;
      }
    seg = std::make_shared<const CodeSegment>(lo, std::move(merged), held);
  }
  kept.push_back(std::move(seg));
  std::sort(kept.begin(), kept.end(), [](const auto &a, const auto &b) { return a->base() < b->base(); });
  segments_ = std::move(kept);
  rebuild_code_map();
}

void TileCore::rebuild_code_map() {
  code_lo_ = segments_.empty() ? 0 : segments_.front()->base();
  uint32_t hi = segments_.empty() ? 0 : segments_.back()->end();
  code_words_ = (hi - code_lo_) / 4;
  code_bits_.assign((code_words_ + 63) / 64, 0);
  for (const auto &s : segments_)
    for (size_t i = 0; i < s->decoded().size(); ++i)
      if (s->decoded()[i].exec) {
        uint32_t off = (s->base() - code_lo_) / 4 + static_cast<uint32_t>(i);
        code_bits_[off / 64] |= uint64_t(1) << (off % 64);
      }
  for (auto &f : fetch_) f = Fetch{};
}

const CodeSegment *TileCore::segment_of(uint32_t addr) const {
  for (const auto &s : segments_)
    if (s->contains(addr)) return s.get();
  return nullptr;
}

const DecodedWord *TileCore::fetch_slow(unsigned ctx, uint32_t pc) {
  if (pc & 3) return nullptr;
  const CodeSegment *s = segment_of(pc);
  if (!s) return nullptr;
  fetch_[ctx] = Fetch{s->decoded().data(), s->base(), s->end() - s->base()};
  const DecodedWord &d = s->at(pc);
  return d.exec ? &d : nullptr;
}

const DecodedWord *TileCore::decoded(uint32_t addr) const {
  if (addr & 3) return nullptr;
  const CodeSegment *s = segment_of(addr);
  if (!s) return nullptr;
  const DecodedWord &d = s->at(addr);
  return d.exec ? &d : nullptr;
}

void TileCore::start_supervisor(uint32_t pc, uint32_t exit_address) {
  Context &s = ctx_[0];
  s.pc = pc;
  s.state = ContextState::running;
  s.ready_cycle = now_;
  exit_address_ = exit_address;
  last_progress_ = now_;
}

[[noreturn]] void TileCore::fault(FaultKind k, std::string detail) {
  throw FaultException{Fault{k, std::move(detail)}};
}

void TileCore::address_fault(uint32_t addr, uint32_t size, bool is_store) {
  if (addr & (size - 1))
    fault(FaultKind::misaligned,
          fmt::format("{}-bit {} at 0x{:x} is not {}-byte aligned", size * 8,
                      is_store ? "store" : "load", addr, size));
  if (!sram_.contains(addr, size))
    fault(FaultKind::out_of_range,
          fmt::format("{}-bit {} at 0x{:x} is outside the tile's SRAM [0x{:x}, 0x{:x})", size * 8,
                      is_store ? "store" : "load", addr, sram_.base(), sram_.end()));
  fault(FaultKind::misaligned,
        fmt::format("128-bit load at 0x{:x} is outside the interleaved region (from 0x{:x})", addr,
                    sram_.params().interleaved_base));
}

void TileCore::note_accesses(const uint32_t *addrs, const uint32_t *sizes, unsigned n) {
  // At most 3 accesses per instruction (ld2xst64pace), each touching one or
  // two elements: every element an access touches that an earlier access of
  // the instruction touched is one conflict (however many touched it).
  unsigned seen[6];
  unsigned count = 0, conflicts = 0;
  auto clashes = [&](unsigned e, unsigned before) {
    bool clash = false;
    for (unsigned k = 0; k < before; ++k) clash |= seen[k] == e;
    return clash ? 1u : 0u;
  };
  for (unsigned i = 0; i < n; ++i) {
    const unsigned before = count;
    const unsigned e0 = sram_.element_of(addrs[i]);
    // Accesses are aligned to their size (checked when they were made).
    const unsigned e1 = sizes[i] <= sram_.one_element_bytes() ? e0 : sram_.element_of(addrs[i] + sizes[i] - 1);
    conflicts += clashes(e0, before);
    seen[count++] = e0;
    if (e1 != e0) {
      conflicts += clashes(e1, before);
      seen[count++] = e1;
    }
  }
  if (conflicts) {
    stats_.conflicts += conflicts;
    pending_stall_ += uint64_t(conflicts) * p_.sram.conflict_penalty_cycles;
  }
}

void TileCore::start_repeat(Context &c, uint32_t count, uint32_t body_bundles) {
  uint32_t max = p_.repeat_count_bits >= 32 ? 0xFFFFFFFFu : ((1u << p_.repeat_count_bits) - 1);
  if (count > max)
    fault(FaultKind::bad_operand, fmt::format("rpt count {} exceeds the {}-bit $REPEAT_COUNT", count,
                                              p_.repeat_count_bits));
  // The body is the n+1 execution bundles from the first 8-byte boundary
  // after the rpt. A rpt at 8n+4 (or bundled at 8n) is followed directly by its
  // body; an unbundled rpt at 8n is followed by one word (typically the
  // assembler's alignment nop) that runs once, outside the loop, whatever
  // the count.
  uint32_t body_start = (next_pc_ + 7u) & ~7u;
  uint32_t body_end = body_start + 8 * (body_bundles + 1);
  if (body_start != next_pc_) {
    c.armed_rpt = ArmedRepeat{true, count, body_start, body_end};
    return;
  }
  enter_repeat(c, count, body_start, body_end);
}

void TileCore::enter_repeat(Context &c, uint32_t count, uint32_t body_start, uint32_t body_end) {
  if (count == 0) {
    next_pc_ = body_end;
    return;
  }
  c.rpt.remaining = count - 1;
  c.rpt.body_start = body_start;
  c.rpt.body_end = body_end;
}

[[noreturn]] void TileCore::store_into_code(uint32_t addr) {
  fault(FaultKind::bad_operand,
        fmt::format("store to 0x{:x}, which holds code (self-modifying code is not modelled)", addr));
}

void TileCore::run_worker(Context &sup, uint32_t entry, uint32_t vertex, uint32_t stride, bool all) {
  if (entry & 3) fault(FaultKind::misaligned, fmt::format("worker entry 0x{:x} is not 4-byte aligned", entry));
  if (vertex & 3) fault(FaultKind::misaligned, fmt::format("vertex base 0x{:x} is not 4-byte aligned", vertex));
  auto launch = [&](unsigned w, uint32_t v) {
    Context &c = ctx_[w];
    c.state = ContextState::running;
    ++running_;
    c.pc = entry;
    c.vertex_base = v;
    c.worker_base = worker_base_[w - 1];
    c.m[isa::kMVertexBase] = v;
    c.m[isa::kMWorkerBase] = c.worker_base;
    c.fp_ctl = fp_ictl_;
    c.fp_sts = 0;
    c.fp_nfmt = fp_infmt_;
    c.fp_scl = fp_iscl_;
    c.rpt = RepeatState{};
    c.armed_rpt = ArmedRepeat{};
    c.ready_cycle = now_ + 1;
    c.launch_cycle = now_;
    ++c.stats.runs;
  };
  if (all) {
    for (unsigned w = 1; w <= p_.workers; ++w)
      if (ctx_[w].state == ContextState::running)
        fault(FaultKind::worker_busy, fmt::format("runall while worker {} is still running", w - 1));
    for (unsigned w = 1; w <= p_.workers; ++w) launch(w, vertex + (w - 1) * stride);
    return;
  }
  for (unsigned w = 1; w <= p_.workers; ++w)
    if (ctx_[w].state != ContextState::running) {
      launch(w, vertex);
      return;
    }
  fault(FaultKind::worker_busy, "run with no free worker context");
}

void TileCore::exit_worker(Context &c, bool status) {
  if (c.rpt.active()) fault(FaultKind::illegal_in_rpt, "exit inside a rpt body");
  c.state = ContextState::idle;
  --running_;
  c.stats.active_cycles += now_ + 1 - c.launch_cycle;
  c.exit_status = status;
  exit_status_and_ = exit_status_and_ && status;
  Context &sup = ctx_[0];
  if (sup.state == ContextState::waiting_sync && sup.sync_zone == 2 && running_workers() == 0) {
    sup.state = ContextState::running;
    sup.stats.sync_wait_cycles += now_ - sup.sync_since;
    sup.ready_cycle = std::max(sup.ready_cycle, now_ + 1);
  }
}

void TileCore::sync(Context &c, unsigned zone) {
  // Zone 2 (TEXCH_SYNCZONE_LOCAL): wait for all of this tile's workers.
  // Zone 3 (internal): every tile of the chip; in a chip, the chip's sync
  // controller releases it (release_internal_sync); alone, run() releases it
  // after the same latency.
  // Other zones need other tiles, chips or the host: the supervisor waits, and
  // the watchdog reports it if nothing else can happen.
  if (zone == 2 && running_workers() == 0) return;

  // Zone 0 (receive): on a chip the fabric decides when the expected words
  // have arrived; a lone tile has no exchange, so there is nothing to wait for.
  if (zone == 0 && !p_.chip_internal_sync) return;
  c.state = ContextState::waiting_sync;
  c.sync_zone = zone;
  c.sync_since = now_;
}

// The FP8 CSRs exist from the C600 (arch_version 21) on.
void TileCore::check_fp8_csr(const Context &c, uint32_t n) {
  namespace csr = isa::csr;
  bool fp8 = c.supervisor ? (n == csr::FP_INFMT || n == csr::FP_ISCL) : (n == csr::FP_NFMT || n == csr::FP_SCL);
  if (fp8 && p_.arch_version < 21)
    fault(FaultKind::bad_csr, fmt::format("${} is an FP8 CSR of the C600 (arch_version 21); machine '{}' has "
                                          "arch_version {}",
                                          isa::csr::name_of(n, c.supervisor), p_.machine_name, p_.arch_version));
}

uint32_t TileCore::read_csr(Context &c, uint32_t n) {
  namespace csr = isa::csr;
  check_fp8_csr(c, n);
  if (n == csr::PC) return pc_;
  if (n == csr::COUNT_L) return static_cast<uint32_t>(now_);
  if (n == csr::COUNT_U) return static_cast<uint32_t>(now_ >> 32);
  if (c.supervisor) {
    if (n == csr::TILE_ID) return p_.tile_id;
    if (n >= csr::WORKER0_BASE && n < csr::WORKER0_BASE + 6) return worker_base_[n - csr::WORKER0_BASE];
    if (n == csr::FP_ICTL) return fp_ictl_;
    if (n == csr::CCCSLOAD) return cccsload_;
    if (n == csr::CR) return cr_;
    if (n == csr::FP_INFMT) return fp_infmt_;
    if (n == csr::FP_ISCL) return fp_iscl_;
    if (n == csr::INCOMING_MUX) return xport_.mux;
    if (n == csr::INCOMING_BASE || n == csr::INCOMING_DCOUNT)
      fault(FaultKind::bad_csr, "reading $INCOMING_BASE/$INCOMING_DCOUNT is not modelled: ipusim delivers exchanged "
                                "words at sync points, so wait for them with sync 0");
  } else {
    if (n == csr::WSR) return (c.index - 1) & 7u;
    if (n == csr::VERTEX_BASE) return c.vertex_base;
    if (n == csr::WORKER_BASE) return c.worker_base;
    if (n == csr::REPEAT_COUNT) return c.rpt.remaining;
    if (n == csr::FP_CTL) return c.fp_ctl;
    if (n == csr::FP_STS) return c.fp_sts;
    if (n == csr::FP_NFMT) return c.fp_nfmt;
    if (n == csr::FP_SCL) return c.fp_scl;
    if (n == csr::TAS) return c.tas;
    if (n >= csr::PRNG_0_0 && n <= csr::PRNG_1_1) return c.prng[n - csr::PRNG_0_0];
    if (n == csr::PRNG_SEED || n == csr::FP_CLR) return 0; // write-only: reads return 0 (ISA text)
  }
  fault(FaultKind::bad_csr, fmt::format("read of CSR 0x{:x}, which the {} cannot read in this model", n,
                                        c.supervisor ? "supervisor" : "worker"));
}

void TileCore::write_csr(Context &c, uint32_t n, uint32_t v) {
  namespace csr = isa::csr;
  check_fp8_csr(c, n);
  // FP8 format and scale CSRs keep only their fields (2 format bits, a 6-bit
  // scale); poplibs writes whole words into them ("OK to write to reserved
  // bits"). Reserved bits read back as zero (assumption).
  constexpr uint32_t kNfmtBits = 0x3, kSclBits = 0x3F;
  if (c.supervisor) {
    if (n >= csr::WORKER0_BASE && n < csr::WORKER0_BASE + 6) {
      worker_base_[n - csr::WORKER0_BASE] = v;
      return;
    }
    if (n == csr::FP_ICTL) {
      check_rounding_mode(v, "$FP_ICTL");
      fp_ictl_ = v;
      return;
    }
    if (n == csr::CCCSLOAD) { cccsload_ = v; return; }
    if (n == csr::CR) { cr_ = v; return; }
    if (n == csr::FP_INFMT) { fp_infmt_ = v & kNfmtBits; return; }
    if (n == csr::FP_ISCL) { fp_iscl_ = v & kSclBits; return; }
    if (n == csr::INCOMING_MUX || n == csr::INCOMING_BASE || n == csr::INCOMING_DCOUNT) {
      if (n == csr::INCOMING_BASE && (v & 3))
        fault(FaultKind::misaligned, fmt::format("$INCOMING_BASE 0x{:x} is not 4-byte aligned", v));
      xport_.writes.push_back({now_, n, v});
      if (n == csr::INCOMING_MUX) xport_.mux = v;
      return;
    }
  } else {
    if (n == csr::FP_CTL) {
      check_rounding_mode(v, "$FP_CTL");
      c.fp_ctl = v;
      return;
    }
    if (n == csr::FP_NFMT) { c.fp_nfmt = v & kNfmtBits; return; }
    if (n == csr::FP_SCL) { c.fp_scl = v & kSclBits; return; }
    if (n == csr::FP_CLR) {
      c.fp_sts &= ~(v & csr::FP_EXCEPTIONS);
      if (v & csr::FP_CLR_ZAACC) c.aacc.fill(0);
      return;
    }
    if (n == csr::TAS) { c.tas = v; return; }
    if (n >= csr::PRNG_0_0 && n <= csr::PRNG_1_1) { c.prng[n - csr::PRNG_0_0] = v; return; }
    if (n == csr::PRNG_SEED) { c.prng = prng_words_from_seed(v); return; }
  }
  fault(FaultKind::bad_csr, fmt::format("write of CSR 0x{:x}, which the {} cannot write in this model", n,
                                        c.supervisor ? "supervisor" : "worker"));
}

void TileCore::check_rounding_mode(uint32_t v, const char *csr_name) {
  // The encodings of the RND field are not public, so only its reset value
  // (0, taken to be round to nearest even) is modelled; anything else would
  // silently round the wrong way.
  if (v & isa::csr::FP_CTL_RND)
    fault(FaultKind::bad_csr, fmt::format("{} = 0x{:x} selects rounding mode {} (RND, bits 18:16), which is not "
                                          "modelled: only 0, round to nearest even",
                                          csr_name, v, (v & isa::csr::FP_CTL_RND) >> 16));
}

void TileCore::execute_fault(const Context &c, const DecodedWord &w) {
  if ((w.flags & isa::F_NORPT) && c.rpt.active())
    fault(FaultKind::illegal_in_rpt, std::string(isa::form(w.insn.op).mnemonic) + " is not allowed in a rpt body");
  if ((w.flags & isa::F_SUPERVISOR) && !c.supervisor)
    fault(FaultKind::illegal_instruction, std::string(isa::form(w.insn.op).mnemonic) + " is supervisor-only");
  fault(FaultKind::illegal_instruction,
        std::string(isa::form(w.insn.op).mnemonic) +
            (w.needs_arf ? " needs the ARF, which only workers have" : " is worker-only"));
}

void TileCore::issue(Context &c) {
  pc_ = c.pc;
  const DecodedWord *first = fetch(c.index, pc_);
  if (!first)
    raise(c, pc_,
          FaultException{{FaultKind::not_executable,
                          c.stats.issues ? fmt::format("no instruction at 0x{:x} (reached from the instruction at 0x{:x})",
                                                       pc_, c.last_pc)
                                         : fmt::format("no instruction at 0x{:x}", pc_)}});
  const DecodedWord *second = nullptr;
  if (first->pair_follows) {
    second = first + 1;
  } else if (first->bundle_first) {
    second = fetch(c.index, pc_ + 4);
    if (!second)
      raise(c, pc_, FaultException{{FaultKind::illegal_instruction, "bundle without a second instruction"}});
  }
  next_pc_ = pc_ + (second ? 8 : 4);
  branch_taken_ = false;
  try {
    if (second && first->exec_held) {
      // Both halves of a bundle read their operands before either writes: the
      // main instruction's ARF results (loads) are held back until the aux
      // instruction has read the ARF.
      // The main instruction is a load, which cannot change what the
      // context may run: the same checks apply to the aux instruction.
      const uint8_t forbidden = forbidden_checks(c);
      if (first->checks & forbidden) execute_fault(c, *first);
      HeldArf held;
      first->exec_held(*this, c, first->insn, held);
      if (second->checks & forbidden) execute_fault(c, *second);
      second->exec(*this, c, second->insn);
      write_held(c, held);
    } else if (second) {
      // The same for any main instruction: write_a holds its ARF writes.
      defer_arf_ = true;
      pending_mask_ = 0;
      execute(c, *first);
      defer_arf_ = false;
      execute(c, *second);
      for (uint32_t m = pending_mask_; m; m &= m - 1) {
        const unsigned r = static_cast<unsigned>(__builtin_ctz(m));
        c.a[r] = pending_arf_[r];
      }
    } else {
      execute(c, *first);
    }
  } catch (const FaultException &f) {
    defer_arf_ = false;
    raise(c, pc_, f);
  }

  ++c.stats.issues;
  c.stats.instructions += second ? 2 : 1;
  uint64_t thread_cycles = p_.issue_cycles[static_cast<size_t>(first->timing)];
  if (second) thread_cycles = std::max<uint64_t>(thread_cycles, p_.issue_cycles[static_cast<size_t>(second->timing)]);
  stats_.multicycle_extra_cycles += thread_cycles - 1;
  if (branch_taken_) {
    ++c.stats.branches_taken;
    thread_cycles += p_.branch_taken_extra_cycles;
    stats_.branch_penalty_cycles += p_.branch_taken_extra_cycles;
  }
  if (observer_ && observed(now_)) observer_->on_issue(now_, c.index, pc_, *first, second, thread_cycles);

  // Zero-overhead loop: falling off the end of the body goes back to its start.
  uint32_t next = next_pc_;
  if (c.armed_rpt.armed && !c.rpt.active() && next == c.armed_rpt.body_start) {
    ArmedRepeat a = c.armed_rpt;
    c.armed_rpt = ArmedRepeat{};
    next_pc_ = next;
    enter_repeat(c, a.count, a.body_start, a.body_end);
    next = next_pc_;
  } else if (c.armed_rpt.armed && (branch_taken_ || next != c.armed_rpt.body_start - 4)) {
    c.armed_rpt = ArmedRepeat{}; // left before reaching the body
  }
  if (c.rpt.body_end != 0 && !branch_taken_ && next == c.rpt.body_end) {
    if (c.rpt.remaining > 0) {
      --c.rpt.remaining;
      next = c.rpt.body_start;
    } else {
      c.rpt = RepeatState{};
    }
  }
  c.last_pc = pc_;
  c.pc = next;
  c.last_issue_cycle = now_;
  c.ready_cycle = now_ + thread_cycles * p_.workers;
  // A load's result must be written before the context's next issue; the
  // barrel hides latency_cycles up to the number of slots, longer latencies
  // (an architecture-exploration parameter) delay the context.
  if (slow_loads_ &&
      (first->timing == isa::TimingClass::load || (second && second->timing == isa::TimingClass::load))) {
    uint64_t available = now_ + p_.sram.latency_cycles;
    if (available > c.ready_cycle) {
      stats_.load_latency_stall_cycles += available - c.ready_cycle;
      c.ready_cycle = available;
    }
  }
  last_progress_ = now_;
  if (c.supervisor && c.pc == exit_address_ && c.state == ContextState::running)
    c.state = ContextState::halted;
}

std::string TileCore::describe_waits() const {
  std::string s;
  const Context &sup = ctx_[0];
  if (sup.state == ContextState::waiting_sync)
    s += fmt::format("supervisor waits on sync zone {} since cycle {}", sup.sync_zone, sup.sync_since);
  else
    s += fmt::format("supervisor {} at pc 0x{:x}", sup.state == ContextState::halted ? "halted" : "running",
                     sup.pc);
  for (unsigned w = 1; w <= p_.workers; ++w)
    if (ctx_[w].state == ContextState::running)
      s += fmt::format("; worker {} at pc 0x{:x}", w - 1, ctx_[w].pc);
  return s;
}

[[noreturn]] void TileCore::raise(const Context &c, uint32_t pc, const FaultException &f) {
  std::string who = c.supervisor ? "supervisor" : fmt::format("worker {}", c.index - 1);
  std::string text;
  if (const DecodedWord *d = decoded(pc)) {
    text = isa::disassemble(d->insn, c.supervisor);
    if (d->bundle_first)
      if (const DecodedWord *d2 = decoded(pc + 4))
        text = "{ " + text + " ; " + isa::disassemble(d2->insn, c.supervisor) + " }";
  } else {
    text = "<no instruction>";
  }
  throw SimulationError(fmt::format("tile {}, {}, pc 0x{:x} ({}), cycle {}: {}: {}", p_.tile_id, who, pc,
                                    text, now_, fault_kind_name(f.fault.kind), f.fault.detail));
}

void TileCore::send(Context &c, uint32_t addr, uint32_t words) {
  if (!p_.chip_internal_sync)
    fault(FaultKind::illegal_instruction, "send needs the chip's exchange: run the program on more than one tile "
                                          "(program.tiles)");
  if (words == 0) return;
  check_address(addr, 4, false);
  if (!sram_.contains(addr, 4 * words))
    fault(FaultKind::out_of_range, fmt::format("send of {} words from 0x{:x} runs past the tile's SRAM", words, addr));
  SendRecord r;
  r.pc = pc_;
  r.issue_cycle = now_;
  r.first_departure = std::max(now_, xport_.bus_free); // the bus carries one send after another
  r.words.resize(words);
  std::memcpy(r.words.data(), sram_.ptr(addr), 4 * words);
  r.accepted.assign(words, 0);
  uint64_t bpc = p_.exchange_bytes_per_cycle;
  xport_.bus_free = r.first_departure + (4 * uint64_t(words) + bpc - 1) / bpc;
  xport_.words_sent += words;
  xport_.sends.push_back(std::move(r));
  (void)c;
}

void TileCore::release_receive_wait(uint64_t cycle) {
  uint64_t before = ctx_[0].stats.sync_wait_cycles;
  release_internal_sync(cycle);
  ctx_[0].stats.receive_wait_cycles += ctx_[0].stats.sync_wait_cycles - before;
}

void TileCore::release_internal_sync(uint64_t cycle) {
  Context &sup = ctx_[0];
  if (cycle > now_) {
    // The barrel keeps turning while the tile waits.
    slot_ = static_cast<unsigned>((slot_ + (cycle - now_)) % p_.workers);
    now_ = cycle;
  }
  sup.stats.sync_wait_cycles += now_ - sup.sync_since;
  sup.state = ContextState::running;
  // The supervisor's own pipeline: never sooner than a thread cycle after the sync issued.
  sup.ready_cycle = std::max(now_, sup.last_issue_cycle + p_.workers);
  last_progress_ = now_;
  stats_.cycles = now_;
}

uint64_t TileCore::next_event_cycle() const {
  const unsigned slots = p_.workers;
  if (running_ == 0) {
    // The supervisor alone: every slot is its own.
    uint64_t next = ctx_[0].state == ContextState::running ? std::max(now_ + 1, ctx_[0].ready_cycle) : UINT64_MAX;
    if (lone_sync_release_ != 0) next = std::min(next, std::max(now_ + 1, lone_sync_release_));
    return next;
  }
  // The barrel slot of cycle c (> now_): the rotation continues from slot_.
  auto slot_at = [&](uint64_t c) { return static_cast<unsigned>((slot_ + (c - now_)) % slots); };
  uint64_t next = UINT64_MAX;
  bool owned[7] = {};
  for (unsigned w = 1; w <= slots; ++w) {
    const Context &c = ctx_[w];
    if (c.state != ContextState::running) continue;
    owned[w - 1] = true;
    uint64_t r = std::max(now_ + 1, c.ready_cycle);
    unsigned delta = (w - 1 + slots - slot_at(r)) % slots;
    next = std::min(next, r + delta);
  }
  const Context &sup = ctx_[0];
  if (sup.state == ContextState::running) {
    uint64_t r = std::max(now_ + 1, sup.ready_cycle);
    for (unsigned k = 0; k < slots; ++k)
      if (!owned[slot_at(r + k)]) {
        next = std::min(next, r + k);
        break;
      }
  }
  if (lone_sync_release_ != 0) next = std::min(next, std::max(now_ + 1, lone_sync_release_));
  return next;
}

bool TileCore::run(uint64_t until) {
  const unsigned slots = p_.workers;
  Context &sup = ctx_[0];
  while (now_ < until) {
    if (running_ == 0 && sup.state != ContextState::running) {
      // Only the supervisor could go on, and it does not run: the program
      // has ended, or it waits on a sync.
      if (sup.state == ContextState::halted) return true;
      if (p_.chip_internal_sync && (at_chip_barrier() || waiting_for_receive())) return false;
      if (!p_.chip_internal_sync && at_internal_barrier()) {
        if (lone_sync_release_ == 0) lone_sync_release_ = now_ - 1 + p_.internal_sync_latency_cycles;
        if (now_ >= lone_sync_release_) {
          lone_sync_release_ = 0;
          release_internal_sync(now_);
        }
      }
    }
    Context &w = ctx_[slot_ + 1];
    Context *issuer = nullptr;
    if (w.state == ContextState::running) {
      if (w.ready_cycle <= now_) issuer = &w;
    } else if (sup.state == ContextState::running && sup.ready_cycle <= now_) {
      issuer = &sup;
    }
    if (issuer) {
      issue(*issuer);
    } else {
      // Nothing can issue now: jump over the idle cycles to the next one in
      // which something can (a context ready in a slot it may use, a sync
      // releasing), never past `until`, the watchdog or max_cycles, so every
      // count and error lands on the cycle it would have cycle by cycle.
      uint64_t limit = std::min({until, last_progress_ + p_.watchdog_cycles + 1, p_.max_cycles});
      uint64_t target = std::min(next_event_cycle(), limit);
      if (target > now_ + 1) {
        uint64_t skip = target - now_ - 1;
        stats_.idle_slots += skip;
        now_ += skip;
        slot_ = static_cast<unsigned>((slot_ + skip) % slots);
      }
      ++stats_.idle_slots;
    }
    ++now_;
    if (++slot_ == slots) slot_ = 0; // a wrapping index: no divide per cycle
    if (pending_stall_) {
      if (observer_ && observed(now_)) observer_->on_stall(now_, pending_stall_, "memory conflict");
      stats_.conflict_stall_cycles += pending_stall_;
      now_ += pending_stall_;
      pending_stall_ = 0;
    }
    stats_.cycles = now_;
    if (now_ - last_progress_ > p_.watchdog_cycles)
      throw SimulationError(fmt::format("tile {}, cycle {}: deadlock: no instruction issued for {} cycles ({})",
                                        p_.tile_id, now_, p_.watchdog_cycles, describe_waits()));
    if (now_ >= p_.max_cycles)
      throw SimulationError(fmt::format("tile {}, cycle {}: the run reached max_cycles ({}) without finishing ({})",
                                        p_.tile_id, now_, p_.max_cycles, describe_waits()));
  }
  return finished();
}

} // namespace ipusim::tile
