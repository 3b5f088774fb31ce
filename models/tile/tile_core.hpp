// The tile's hot path: plain C++, advanced cycle by cycle by one SystemC
// process (models/tile/tile_module.hpp) or directly by tests. One barrel
// scheduler, one supervisor and up to six worker contexts, the SRAM, and a
// pre-decoded copy of the code so the issue loop never decodes or allocates.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "models/tile/amp_arith.hpp"
#include "models/tile/context.hpp"
#include "models/tile/exchange_port.hpp"
#include "models/tile/fault.hpp"
#include "models/tile/sram.hpp"
#include "models/tile/tile_params.hpp"
#include "sim/isa/encoding.hpp"

namespace ipusim::tile {

class TileCore;
using ExecFn = void (*)(TileCore &, Context &, const isa::Instruction &);

// The ARF writes of a bundle's main instruction, held back until the aux
// instruction has read the ARF: runs of 1, 2 or 4 registers, in the order
// written (a load writes one run, ld2x64pace and ld2xst64pace two).
struct HeldArf {
  struct Run {
    uint8_t reg, count;
    uint32_t value[4];
  };
  unsigned runs = 0;
  Run run[2];
  void add(unsigned r, unsigned count, const uint32_t *v) {
    Run &u = run[runs++];
    u.reg = static_cast<uint8_t>(r);
    u.count = static_cast<uint8_t>(count);
    for (unsigned k = 0; k < count; ++k) u.value[k] = v[k];
  }
};
// The main-pipe instructions that write the ARF only through a HeldArf
// (loads) have such an exec form, for bundles.
using HeldExecFn = void (*)(TileCore &, Context &, const isa::Instruction &, HeldArf &);

// One pre-decoded code word.
struct DecodedWord {
  isa::Instruction insn;
  ExecFn exec = nullptr; // null: not code
  HeldExecFn exec_held = nullptr; // the HeldArf form, if the instruction has one
  uint8_t flags = 0;
  isa::Pipe pipe = isa::Pipe::MAIN;
  isa::TimingClass timing = isa::TimingClass::alu;
  bool bundle_first = false;
  bool needs_arf = false; // aux pipeline or ARF operands: the supervisor has no ARF
  bool pair_follows = false; // bundle_first, and the next word of the segment is code
  // What the issue loop must check before executing (kCheck* bits): one test
  // against the issuing context's mask, with the faults in execute_checked.
  uint8_t checks = 0;
};
constexpr uint8_t kCheckNoRpt = 1;      // not allowed in a rpt body
constexpr uint8_t kCheckSupervisor = 2; // supervisor only: a worker may not
constexpr uint8_t kCheckWorker = 4;     // worker only or needs the ARF: the supervisor may not

// The decoded words of one range of code (a linked code section): built once
// and never changed, so every tile that loads the same code shares one copy.
// Words that do not decode (data in a code section) have a null exec.
class CodeSegment {
public:
  // is_code (optional, one entry per word): 0 leaves a word undecoded.
  CodeSegment(uint32_t addr, std::vector<uint32_t> words, const std::vector<uint8_t> &is_code = {});
  uint32_t base() const { return base_; }
  uint32_t end() const { return base_ + static_cast<uint32_t>(4 * raw_.size()); }
  const std::vector<uint32_t> &words() const { return raw_; }
  const std::vector<DecodedWord> &decoded() const { return decoded_; }
  // The decoded word at addr (4-aligned, inside the segment), exec null if not code.
  const DecodedWord &at(uint32_t addr) const { return decoded_[(addr - base_) / 4]; }
  bool contains(uint32_t addr) const { return addr - base_ < 4 * raw_.size(); }

private:
  uint32_t base_;
  std::vector<uint32_t> raw_;
  std::vector<DecodedWord> decoded_;
};

// Thrown by instruction semantics; the issue loop adds where it happened.
struct FaultException {
  Fault fault;
};

// Receives one call per issued instruction bundle while tracing is on.
// `context` is 0 for the supervisor, 1..6 for the workers.
class IssueObserver {
public:
  virtual ~IssueObserver() = default;
  virtual void on_issue(uint64_t cycle, unsigned context, uint32_t pc, const DecodedWord &first,
                        const DecodedWord *second, uint64_t thread_cycles) = 0;
  virtual void on_stall(uint64_t cycle, uint64_t cycles, const char *reason) = 0;
};

struct TileStats {
  uint64_t cycles = 0;
  uint64_t idle_slots = 0;            // slots where no context could issue
  uint64_t conflict_stall_cycles = 0; // pipeline stalled on memory-element conflicts
  uint64_t conflicts = 0;             // conflicting accesses
  uint64_t branch_penalty_cycles = 0; // thread cycles added by taken branches
  uint64_t multicycle_extra_cycles = 0; // thread cycles beyond 1 for multi-cycle classes
  uint64_t load_latency_stall_cycles = 0; // cycles contexts waited for loads slower than the barrel
};

class TileCore {
public:
  explicit TileCore(const TileParams &params);

  const TileParams &params() const { return p_; }
  Sram &sram() { return sram_; }
  const Sram &sram() const { return sram_; }
  unsigned workers() const { return p_.workers; }
  Context &context(unsigned i) { return ctx_[i]; }
  const Context &context(unsigned i) const { return ctx_[i]; }
  uint64_t cycle() const { return now_; }
  const TileStats &stats() const { return stats_; }

  // Loading: write code words (already encoded) into the SRAM and
  // pre-decode them; or load code decoded once for several tiles.
  void load_code(uint32_t addr, const std::vector<uint32_t> &words);
  void load_code(std::shared_ptr<const CodeSegment> segment);
  const DecodedWord *decoded(uint32_t addr) const;
  // Whether the word holding `addr` is loaded code (data between code
  // sections is not).
  bool is_code(uint32_t addr) const {
    uint32_t off = (addr - code_lo_) / 4;
    return off < code_words_ && ((code_bits_[off / 64] >> (off % 64)) & 1);
  }
  // Whether any word of [addr, addr + bytes) holds code.
  bool code_overlaps(uint32_t addr, uint32_t bytes) const {
    const uint64_t end = uint64_t(addr) + bytes, code_end = uint64_t(code_lo_) + 4 * uint64_t(code_words_);
    if (end <= code_lo_ || addr >= code_end) return false;
    for (uint64_t a = std::max<uint64_t>(addr & ~3u, code_lo_); a < end && a < code_end; a += 4)
      if (is_code(static_cast<uint32_t>(a))) return true;
    return false;
  }

  // Start the supervisor at pc; it stops when it branches to exit_address.
  void start_supervisor(uint32_t pc, uint32_t exit_address);
  // Set a supervisor CSR before the run (e.g. $WORKERn_BASE).
  void set_worker_base(unsigned worker, uint32_t addr) { worker_base_[worker] = addr; }

  // Advance until `until` cycles or until the program ends. Returns true when
  // the program has ended (supervisor returned and all workers exited).
  // Throws SimulationError on a fault, a deadlock or max_cycles.
  bool run(uint64_t until);
  bool finished() const { return ctx_[0].state == ContextState::halted && running_ == 0; }

  // Chip mode (TileParams::chip_internal_sync): run() also returns, without
  // using cycles, once the tile waits on a chip-wide sync with no worker
  // running: the internal zone (3) or the external group with the host
  // (5, GS1H, where host streams move); the chip then releases it at the
  // cycle the sync completes.
  bool at_internal_barrier() const { return supervisor_waits_alone(3); } // zone 3
  bool at_host_barrier() const { return supervisor_waits_alone(5); }     // zone 5
  bool at_chip_barrier() const { return at_internal_barrier() || at_host_barrier(); }
  void release_internal_sync(uint64_t cycle);
  // Waiting in `sync 0` for incoming words (chip mode), with no worker running.
  bool waiting_for_receive() const { return supervisor_waits_alone(0); }
  void release_receive_wait(uint64_t cycle);
  // Chip mode: whether run() would advance the tile (it has not ended and
  // waits neither on a chip-wide sync nor in `sync 0`).
  bool can_run_in_chip() const { return !finished() && !at_chip_barrier() && !waiting_for_receive(); }
  ExchangePort &exchange() { return xport_; }
  const ExchangePort &exchange() const { return xport_; }
  void send(Context &c, uint32_t addr, uint32_t words);

  // Issues and stalls at cycles in [from, to) go to `o` (null: none). The
  // cycle test is made before the call, so tracing a window costs a call per
  // event in it only.
  void set_observer(IssueObserver *o, uint64_t from = 0, uint64_t to = UINT64_MAX) {
    observer_ = o;
    observe_from_ = from;
    observe_span_ = to - from;
  }
  bool all_workers_exit_status() const { return exit_status_and_; }

  // ---- used by instruction semantics ------------------------------------------
  [[noreturn]] void fault(FaultKind k, std::string detail);
  void set_next_pc(uint32_t pc) { next_pc_ = pc; }
  void branch_to(uint32_t pc) {
    next_pc_ = pc;
    branch_taken_ = true;
  }
  uint32_t next_pc() const { return next_pc_; }
  uint32_t current_pc() const { return pc_; }

  static void write_m(Context &c, unsigned r, uint32_t v) {
    if (r != 15) c.m[r] = v;
  }
  void write_a(Context &c, unsigned r, uint32_t v) {
    if (r >= 14) return;
    if (defer_arf_) {
      pending_arf_[r] = v;
      pending_mask_ |= 1u << r;
      return;
    }
    c.a[r] = v;
  }

  // Checked memory access: alignment to the access size, range, and (for
  // 128-bit) the interleaved region.
  uint32_t check_address(uint32_t addr, uint32_t size, bool is_store) {
    if ((addr & (size - 1)) == 0 && sram_.contains(addr, size) && (size != 16 || sram_.in_interleaved(addr)))
      return addr;
    address_fault(addr, size, is_store);
  }
  template <typename T> T load(Context &c, uint32_t addr) {
    check_address(addr, sizeof(T), false);
    ++c.stats.loads;
    return sram_.read<T>(addr);
  }
  template <typename T> void store(Context &c, uint32_t addr, T v) {
    check_address(addr, sizeof(T), true);
    if (is_code(addr) || (sizeof(T) > 4 && is_code(addr + 4))) store_into_code(addr);
    ++c.stats.stores;
    sram_.write<T>(addr, v);
  }
  // Multi-access instructions report their addresses so element conflicts
  // can be counted; each extra access to an already busy element stalls the
  // pipeline by the configured penalty.
  void note_accesses(const uint32_t *addrs, const uint32_t *sizes, unsigned n);
  // The same for three 64-bit accesses (ld2xst64pace).
  void note_accesses_3x64(uint32_t a0, uint32_t a1, uint32_t a2) {
    if (sram_.one_element_bytes() < 8) {
      const uint32_t addrs[3] = {a0, a1, a2}, sizes[3] = {8, 8, 8};
      note_accesses(addrs, sizes, 3);
      return;
    }
    // Each access touches one element: a conflict for every one that an
    // earlier access touched.
    const unsigned e0 = sram_.element_of(a0), e1 = sram_.element_of(a1), e2 = sram_.element_of(a2);
    const unsigned conflicts = unsigned(e1 == e0) + unsigned(e2 == e0 || e2 == e1);
    if (conflicts) {
      stats_.conflicts += conflicts;
      pending_stall_ += uint64_t(conflicts) * p_.sram.conflict_penalty_cycles;
    }
  }
  // Whether two 64-bit loads from l0, l1 and a 64-bit store to s can go
  // without any check failing: aligned, in the SRAM, the store not into code.
  bool plain_2x64_st64(uint32_t l0, uint32_t l1, uint32_t s) const {
    return ((l0 | l1 | s) & 7) == 0 && sram_.contains8(l0) && sram_.contains8(l1) && sram_.contains8(s) &&
           !is_code(s) && !is_code(s + 4);
  }

  // Control.
  void start_repeat(Context &c, uint32_t count, uint32_t body_bundles);
  void enter_repeat(Context &c, uint32_t count, uint32_t body_start, uint32_t body_end);
  // run: one worker with vertex `vertex`; runall: worker n gets vertex + n * stride.
  void run_worker(Context &sup, uint32_t entry, uint32_t vertex, uint32_t stride, bool all);
  void exit_worker(Context &c, bool status);
  void sync(Context &c, unsigned zone);
  uint32_t read_csr(Context &c, uint32_t number);
  // The AMP's common weight state: 32 slots of 64 bits per AMP set (slot =
  // set * 32 + unit * 4 + n), written by ld64putcs / ld128putcs through
  // set_cwei, which also keeps the fp16 forms' widened copy (amp_weights).
  const std::array<uint64_t, 64> &cwei() const { return cwei_; }
  const AmpF16Weights &amp_weights() const { return amp_weights_; }
  void set_cwei(unsigned slot, uint64_t v) {
    cwei_[slot] = v;
    amp_weights_.set(slot, v);
  }
  uint32_t &cccsload() { return cccsload_; }
  void write_csr(Context &c, uint32_t number, uint32_t value);

private:
  void issue(Context &c);
  [[noreturn]] void address_fault(uint32_t addr, uint32_t size, bool is_store);
  bool supervisor_waits_alone(unsigned zone) const {
    const Context &sup = ctx_[0];
    return sup.state == ContextState::waiting_sync && sup.sync_zone == zone && running_ == 0;
  }
  // Checks the word may run in this context (faults otherwise), then runs it.
  void execute(Context &c, const DecodedWord &w) {
    if (w.checks & forbidden_checks(c)) execute_fault(c, w);
    w.exec(*this, c, w.insn);
  }
  // The kCheck* bits of the words the context may not run now.
  static uint8_t forbidden_checks(const Context &c) {
    return static_cast<uint8_t>((c.supervisor ? kCheckWorker : kCheckSupervisor) | (c.rpt.active() ? kCheckNoRpt : 0));
  }
  // Writes a bundle's held ARF results.
  static void write_held(Context &c, const HeldArf &h) {
    for (unsigned k = 0; k < h.runs; ++k) {
      const HeldArf::Run &u = h.run[k];
      if (u.reg + u.count <= 14) {
        if (u.count == 2)
          std::memcpy(&c.a[u.reg], u.value, 8);
        else if (u.count == 4)
          std::memcpy(&c.a[u.reg], u.value, 16);
        else
          c.a[u.reg] = u.value[0];
      } else
        for (unsigned j = 0; j < u.count; ++j)
          if (u.reg + j < 14) c.a[u.reg + j] = u.value[j];
    }
  }
  [[noreturn]] void execute_fault(const Context &c, const DecodedWord &w);
  // The first cycle after now_ in which a context could issue or a lone sync completes.
  uint64_t next_event_cycle() const;
  [[noreturn]] void store_into_code(uint32_t addr);
  void check_rounding_mode(uint32_t fp_ctl, const char *csr_name);
  void check_fp8_csr(const Context &c, uint32_t number);
  [[noreturn]] void raise(const Context &c, uint32_t pc, const FaultException &f);
  std::string describe_waits() const;
  unsigned running_workers() const { return running_; }

  // The code segment holding addr, or null.
  const CodeSegment *segment_of(uint32_t addr) const;
  void rebuild_code_map();

  TileParams p_;
  Sram sram_;
  // Loaded code: disjoint segments (shared with other tiles where the code is
  // the same), and one bit per word of [code_lo_, code_lo_ + 4 * code_words_)
  // saying which words hold code (for is_code, checked on every store).
  std::vector<std::shared_ptr<const CodeSegment>> segments_;
  uint32_t code_lo_ = 0, code_words_ = 0;
  std::vector<uint64_t> code_bits_;
  // Per context: the segment it last fetched from, so the issue loop finds a
  // word with one compare.
  struct Fetch {
    const DecodedWord *words = nullptr;
    uint32_t base = 0, bytes = 0;
  };
  std::array<Fetch, 7> fetch_{};
  const DecodedWord *fetch(unsigned ctx, uint32_t pc) {
    const Fetch &f = fetch_[ctx];
    uint32_t off = pc - f.base;
    if (off < f.bytes && !(pc & 3)) {
      const DecodedWord &d = f.words[off / 4];
      return d.exec ? &d : nullptr;
    }
    return fetch_slow(ctx, pc);
  }
  const DecodedWord *fetch_slow(unsigned ctx, uint32_t pc);
  std::array<Context, 7> ctx_;
  std::array<uint32_t, 6> worker_base_{};
  ExchangePort xport_;
  // Supervisor CSRs.
  uint32_t fp_ictl_ = 0, cccsload_ = 0, cr_ = 0;
  std::array<uint64_t, 64> cwei_{};
  AmpF16Weights amp_weights_; // cwei_ widened for the fp16 forms
  uint32_t fp_infmt_ = 0, fp_iscl_ = 0; // FP8 (C600): workers' initial $FP_NFMT / $FP_SCL
  uint64_t now_ = 0;
  unsigned running_ = 0; // workers running
  // Loads slower than the barrel delay the issuing context (an exploration parameter).
  bool slow_loads_ = false;
  unsigned slot_ = 0; // barrel slot of the current cycle (stall cycles do not turn it)
  uint64_t last_progress_ = 0;
  uint64_t pending_stall_ = 0;
  uint64_t lone_sync_release_ = 0; // lone tile in sync 3: the cycle it completes
  uint32_t exit_address_ = 0;
  bool exit_status_and_ = true;
  TileStats stats_;
  IssueObserver *observer_ = nullptr;
  uint64_t observe_from_ = 0, observe_span_ = UINT64_MAX; // cycles observed: [from, from + span)
  bool observed(uint64_t cycle) const { return cycle - observe_from_ < observe_span_; }

  // Per-issue scratch.
  uint32_t pc_ = 0, next_pc_ = 0;
  bool branch_taken_ = false;
  // The main instruction of a bundle writes the ARF here (pending_mask_: the
  // registers it wrote), so that the aux instruction reads the old values.
  bool defer_arf_ = false;
  std::array<uint32_t, 14> pending_arf_{};
  uint32_t pending_mask_ = 0;
};

// The executor half of the ISA table: exec function of every Op, and the
// HeldArf form where there is one (null otherwise).
ExecFn exec_function(isa::Op op);
HeldExecFn held_exec_function(isa::Op op);

} // namespace ipusim::tile
