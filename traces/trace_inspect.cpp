#include "traces/trace_inspect.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <memory>

#include "sim/common/error.hpp"
#include "traces/json_trace.hpp"
#include "traces/trace_reader.hpp"

namespace ipusim::traces {

namespace {

unsigned parse_uint(const std::string &s, const std::string &what) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError(fmt::format("ipusim trace: '{}' is not a {}", s, what));
  return static_cast<unsigned>(std::stoul(s));
}

std::vector<std::string> split(const std::string &s) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t comma = s.find(',', start);
    parts.push_back(s.substr(start, comma - start));
    if (comma == std::string::npos) return parts;
    start = comma + 1;
  }
}

std::string context_name(unsigned c) { return c == 0 ? "supervisor" : fmt::format("worker {}", c - 1); }

// Passes on the events the options select.
class FilterSink final : public TraceSink {
public:
  FilterSink(const InspectOptions &o, TraceSink &next) : o_(o), next_(next) {}
  void begin(const TraceHeader &h) override { next_.begin(h); }
  void issue(const IssueEvent &e) override {
    if (tile_ok(e.tile) && context_ok(e.context) && e.cycle >= o_.from && e.cycle < o_.to) next_.issue(e);
  }
  void stall(const StallEvent &e) override {
    if (tile_ok(e.tile) && !o_.contexts && e.cycle >= o_.from && e.cycle < o_.to) next_.stall(e);
  }
  void bsp_tracks(bool host_link) override { next_.bsp_tracks(host_link && o_.tiles.empty() && !o_.contexts); }
  void bsp_phase(const BspPhase &p) override {
    if (tile_ok(p.tile) && !o_.contexts && in_range(p.start, p.cycles)) next_.bsp_phase(p);
  }
  void host_transfer(const HostTransfer &t) override {
    if (o_.tiles.empty() && !o_.contexts && in_range(t.start, t.cycles)) next_.host_transfer(t);
  }
  void end(const TraceTotals &totals) override { next_.end(totals); }

private:
  bool tile_ok(unsigned t) const {
    if (o_.tiles.empty()) return true;
    for (const auto &[lo, hi] : o_.tiles)
      if (t >= lo && t <= hi) return true;
    return false;
  }
  bool context_ok(unsigned c) const { return !o_.contexts || (o_.contexts >> c & 1); }
  bool in_range(uint64_t start, uint64_t cycles) const {
    return o_.from < o_.to && TraceWindow{o_.from, o_.to}.overlaps(start, cycles);
  }
  const InspectOptions &o_;
  TraceSink &next_;
};

// Several sinks at once.
class TeeSink final : public TraceSink {
public:
  std::vector<TraceSink *> sinks;
  void begin(const TraceHeader &h) override {
    for (auto *s : sinks) s->begin(h);
  }
  void issue(const IssueEvent &e) override {
    for (auto *s : sinks) s->issue(e);
  }
  void stall(const StallEvent &e) override {
    for (auto *s : sinks) s->stall(e);
  }
  void bsp_tracks(bool h) override {
    for (auto *s : sinks) s->bsp_tracks(h);
  }
  void bsp_phase(const BspPhase &p) override {
    for (auto *s : sinks) s->bsp_phase(p);
  }
  void host_transfer(const HostTransfer &t) override {
    for (auto *s : sinks) s->host_transfer(t);
  }
  void end(const TraceTotals &t) override {
    for (auto *s : sinks) s->end(t);
  }
};

// Buffered text output (the listing can be long).
class Printer {
public:
  explicit Printer(std::ostream &out) : out_(out) {}
  ~Printer() { flush(); }
  template <typename... Args> void line(fmt::format_string<Args...> f, Args &&...args) {
    fmt::format_to(std::back_inserter(buf_), f, std::forward<Args>(args)...);
    buf_.push_back('\n');
    if (buf_.size() > (1u << 16)) flush();
  }
  void flush() {
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    out_.flush();
    buf_.clear();
  }

private:
  std::ostream &out_;
  std::string buf_;
};

std::string header_line(const std::string &file, const TraceHeader &h) {
  return fmt::format("{}: machine {}, {} tile(s), {} workers, clock {} Hz, window [{}, {}), max_events {}", file,
                     h.machine, h.tiles, h.workers, h.clock_hz, h.window.begin, h.window.end, h.max_events);
}

// One line per issue, stall, BSP phase and host transfer.
class ListingSink final : public TraceSink {
public:
  ListingSink(const std::string &file, const format::CodeNamer &namer, std::ostream &out)
      : file_(file), namer_(namer), p_(out) {}
  void begin(const TraceHeader &h) override {
    p_.line("# {}", header_line(file_, h));
    if (!namer_.disassembles())
      p_.line("# the file's instruction set is not this ipusim's: mnemonics and encodings only");
    p_.line("#{:>9} {:>5} {:<10} {:<7} {:>3}  {}", "cycle", "tile", "context", "pc", "tc", "instruction");
  }
  void issue(const IssueEvent &e) override {
    const bool sup = e.context == 0;
    size_t k = size_t(e.code->id) * 2 + (sup ? 1 : 0);
    if (k >= texts_.size()) texts_.resize(std::max(k + 1, texts_.size() * 2));
    if (texts_[k].empty()) texts_[k] = namer_.text(*e.code, sup);
    p_.line("{:>10} {:>5} {:<10} 0x{:05x} {:>3}  {}", e.cycle, e.tile, context_name(e.context), e.code->pc,
            e.thread_cycles, texts_[k]);
  }
  void stall(const StallEvent &e) override {
    p_.line("{:>10} {:>5} {:<10} {:<7} {:>3}  {}: {} cycle(s)", e.cycle, e.tile, "stall", "-", "-",
            namer_.stall_reason(e.reason), e.cycles);
  }
  void bsp_tracks(bool) override {}
  void bsp_phase(const BspPhase &p) override {
    static const char *names[] = {"compute", "sync", "sync with host", "host exchange"};
    std::string what = fmt::format("{}: superstep {}, {} cycles", names[static_cast<unsigned>(p.kind)], p.superstep,
                                   p.cycles);
    if (p.kind == BspKind::sync || p.kind == BspKind::host_sync) what += fmt::format(", released at {}", p.release);
    if (p.kind == BspKind::host_exchange) what += fmt::format(" ({})", p.label);
    p_.line("{:>10} {:>5} {:<10} {:<7} {:>3}  {}", p.start, p.tile, "bsp", "-", "-", what);
  }
  void host_transfer(const HostTransfer &t) override {
    p_.line("{:>10} {:>5} {:<10} {:<7} {:>3}  {}: {} cycles, {} bytes to the device, {} from it", t.start, "-",
            "host link", "-", "-", t.label, t.cycles, t.to_device_bytes, t.from_device_bytes);
  }
  void end(const TraceTotals &t) override {
    p_.line("# end: {} events written, {} dropped (max_events)", t.events_written, t.events_dropped);
  }

private:
  std::string file_;
  const format::CodeNamer &namer_;
  Printer p_;
  std::vector<std::string> texts_;
};

// Issue counts per tile and context, top instructions, stall cycles.
class SummarySink final : public TraceSink {
public:
  SummarySink(const std::string &file, const format::CodeNamer &namer, unsigned top, std::ostream &out)
      : file_(file), namer_(namer), top_(top), out_(out) {}
  void begin(const TraceHeader &h) override {
    h_ = h;
    per_tile_.assign(h.tiles, Tile{});
  }
  void issue(const IssueEvent &e) override {
    Tile &t = per_tile_[e.tile];
    ++t.issues[e.context];
    t.any = true;
    ++issues_;
    first_ = std::min(first_, e.cycle);
    last_ = std::max(last_, e.cycle);
    for (unsigned i = 0; i < e.code->count; ++i) {
      uint16_t op = e.code->op[i];
      if (op >= by_op_.size()) by_op_.resize(op + 1u);
      ++by_op_[op];
    }
  }
  void stall(const StallEvent &e) override {
    Tile &t = per_tile_[e.tile];
    t.stall_cycles += e.cycles;
    t.any = true;
    ++stalls_;
    first_ = std::min(first_, e.cycle);
    last_ = std::max(last_, e.cycle);
  }
  void bsp_tracks(bool) override {}
  void bsp_phase(const BspPhase &) override { ++phases_; }
  void host_transfer(const HostTransfer &) override { ++transfers_; }
  void end(const TraceTotals &totals) override {
    Printer p(out_);
    p.line("{}", header_line(file_, h_));
    p.line("in the file: {} events ({} dropped over max_events)", totals.events_written, totals.events_dropped);
    if (issues_ + stalls_)
      p.line("selected: {} issues, {} stalls, {} BSP phases, {} host transfers; cycles {} to {}", issues_, stalls_,
             phases_, transfers_, first_, last_);
    else
      p.line("selected: {} issues, {} stalls, {} BSP phases, {} host transfers", issues_, stalls_, phases_,
             transfers_);
    p.line("");
    p.line("issues per tile and context:");
    std::string head = fmt::format("{:>6} {:>10}", "tile", "supervisor");
    for (unsigned w = 0; w < h_.workers; ++w) head += fmt::format(" {:>9}", fmt::format("worker {}", w));
    p.line("{} {:>10} {:>12}", head, "issues", "stall cycles");
    Tile all;
    for (unsigned t = 0; t < per_tile_.size(); ++t) {
      const Tile &x = per_tile_[t];
      if (!x.any) continue;
      p.line("{}", row(std::to_string(t), x));
      for (unsigned c = 0; c < kMaxContexts; ++c) all.issues[c] += x.issues[c];
      all.stall_cycles += x.stall_cycles;
    }
    p.line("{}", row("all", all));
    p.line("");
    // By mnemonic (forms that share one, e.g. the register and immediate
    // forms of `or`, count together).
    std::map<std::string, uint64_t> by_name;
    uint64_t instructions = 0;
    for (size_t op = 0; op < by_op_.size(); ++op)
      if (by_op_[op]) {
        by_name[namer_.mnemonic(static_cast<uint16_t>(op))] += by_op_[op];
        instructions += by_op_[op];
      }
    std::vector<std::pair<uint64_t, std::string>> ops;
    for (auto &[name, n] : by_name) ops.emplace_back(n, name);
    std::stable_sort(ops.begin(), ops.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    p.line("top instructions ({} instructions; a bundle is two):", instructions);
    for (size_t k = 0; k < ops.size() && k < top_; ++k)
      p.line("  {:<20} {:>12} {:>6.1f} %", ops[k].second, ops[k].first,
             100.0 * static_cast<double>(ops[k].first) / static_cast<double>(instructions));
  }

private:
  struct Tile {
    uint64_t issues[kMaxContexts] = {};
    uint64_t stall_cycles = 0;
    bool any = false;
  };
  std::string row(const std::string &name, const Tile &x) const {
    std::string r = fmt::format("{:>6} {:>10}", name, x.issues[0]);
    uint64_t total = x.issues[0];
    for (unsigned w = 1; w <= h_.workers; ++w) {
      r += fmt::format(" {:>9}", x.issues[w]);
      total += x.issues[w];
    }
    return r + fmt::format(" {:>10} {:>12}", total, x.stall_cycles);
  }

  std::string file_;
  const format::CodeNamer &namer_;
  unsigned top_;
  std::ostream &out_;
  TraceHeader h_;
  std::vector<Tile> per_tile_;
  std::vector<uint64_t> by_op_;
  uint64_t issues_ = 0, stalls_ = 0, phases_ = 0, transfers_ = 0;
  uint64_t first_ = UINT64_MAX, last_ = 0;
};

} // namespace

std::vector<std::pair<unsigned, unsigned>> parse_tile_list(const std::string &text) {
  std::vector<std::pair<unsigned, unsigned>> out;
  for (const std::string &part : split(text)) {
    size_t dash = part.find('-');
    if (dash == std::string::npos) {
      unsigned t = parse_uint(part, "tile number");
      out.emplace_back(t, t);
    } else {
      unsigned lo = parse_uint(part.substr(0, dash), "tile number");
      unsigned hi = parse_uint(part.substr(dash + 1), "tile number");
      if (hi < lo) throw UsageError(fmt::format("ipusim trace: the tile range '{}' is empty", part));
      out.emplace_back(lo, hi);
    }
  }
  return out;
}

unsigned parse_context_list(const std::string &text) {
  unsigned bits = 0;
  for (const std::string &part : split(text)) {
    if (part == "supervisor" || part == "sup" || part == "s") {
      bits |= 1;
      continue;
    }
    std::string n = part;
    bool worker = false;
    for (const char *prefix : {"worker", "w"})
      if (n.rfind(prefix, 0) == 0 && n.size() > std::string(prefix).size()) {
        n = n.substr(std::string(prefix).size());
        worker = true;
        break;
      }
    unsigned c = parse_uint(n, "context (supervisor, worker0..worker5 or a context number 0..6)");
    if (worker) ++c;
    if (c >= kMaxContexts)
      throw UsageError(fmt::format("ipusim trace: no context '{}' (supervisor, worker0..worker5, or 0..6)", part));
    bits |= 1u << c;
  }
  return bits;
}

int inspect_trace(const InspectOptions &o, std::ostream &out) {
  TraceReader reader(o.file);
  format::CodeNamer namer(reader.header());
  TeeSink tee;
  std::unique_ptr<ListingSink> listing;
  std::unique_ptr<SummarySink> summary;
  std::unique_ptr<JsonTraceSink> json;
  if (!o.json_out.empty()) {
    json = std::make_unique<JsonTraceSink>(o.json_out, namer);
    tee.sinks.push_back(json.get());
  }
  if (o.summary) {
    summary = std::make_unique<SummarySink>(o.file, namer, o.top, out);
    tee.sinks.push_back(summary.get());
  }
  if (!json && !summary) {
    listing = std::make_unique<ListingSink>(o.file, namer, out);
    tee.sinks.push_back(listing.get());
  }
  FilterSink filter(o, tee);
  reader.read(filter);
  if (json) out << "written: " << o.json_out << "\n";
  return 0;
}

} // namespace ipusim::traces
