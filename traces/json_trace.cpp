#include "traces/json_trace.hpp"

#include <fmt/format.h>

namespace ipusim::traces {

JsonTraceSink::JsonTraceSink(std::string path, format::CodeNamer namer)
    : path_(std::move(path)), namer_(std::move(namer)) {}

void JsonTraceSink::begin(const TraceHeader &h) {
  writer_ = std::make_unique<PerfettoJsonWriter>(path_, h.window, h.max_events);
  tiles_ = h.tiles;
  slots_ = h.workers;
  for (unsigned t = 0; t < h.tiles; ++t) {
    const int pid = static_cast<int>(t);
    writer_->process_name(pid, fmt::format("tile {}", t));
    writer_->thread_name(pid, 0, "supervisor");
    writer_->thread_sort_index(pid, 0, 0);
    for (unsigned w = 1; w <= h.workers; ++w) {
      writer_->thread_name(pid, static_cast<int>(w), fmt::format("worker {}", w - 1));
      writer_->thread_sort_index(pid, static_cast<int>(w), static_cast<int>(w));
    }
    writer_->thread_name(pid, kStallTrack, "pipeline stalls");
    writer_->thread_sort_index(pid, kStallTrack, kStallTrack);
  }
}

const JsonTraceSink::Text &JsonTraceSink::text_of(const Code &c, bool supervisor) {
  size_t k = size_t(c.id) * 2 + (supervisor ? 1 : 0);
  if (k >= texts_.size()) texts_.resize(std::max(k + 1, texts_.size() * 2));
  Text &t = texts_[k];
  if (!t.ready) {
    t.name = PerfettoJsonWriter::json_string(namer_.name(c));
    t.text = PerfettoJsonWriter::json_string(namer_.text(c, supervisor));
    t.pc = PerfettoJsonWriter::pc_text(c.pc);
    t.ready = true;
  }
  return t;
}

void JsonTraceSink::issue(const IssueEvent &e) {
  const Text &t = text_of(*e.code, e.context == 0);
  writer_->complete_preformatted(static_cast<int>(e.tile), static_cast<int>(e.context), t.name, e.cycle,
                                 e.thread_cycles * slots_, t.pc, t.text);
}

void JsonTraceSink::stall(const StallEvent &e) {
  writer_->complete(static_cast<int>(e.tile), kStallTrack, namer_.stall_reason(e.reason), e.cycle, e.cycles, 0,
                    fmt::format("{} cycle(s)", e.cycles));
}

void JsonTraceSink::bsp_tracks(bool host_link) {
  for (unsigned t = 0; t < tiles_; ++t) {
    writer_->thread_name(static_cast<int>(t), kBspTrack, "BSP phases");
    writer_->thread_sort_index(static_cast<int>(t), kBspTrack, kBspTrack);
  }
  if (host_link) {
    writer_->process_name(static_cast<int>(tiles_), "host link");
    writer_->thread_name(static_cast<int>(tiles_), 0, "transfers");
  }
}

void JsonTraceSink::bsp_phase(const BspPhase &p) {
  const int pid = static_cast<int>(p.tile);
  switch (p.kind) {
  case BspKind::compute:
    writer_->complete(pid, kBspTrack, "compute", p.start, p.cycles, 0, fmt::format("superstep {}", p.superstep));
    break;
  case BspKind::sync:
  case BspKind::host_sync:
    writer_->complete(pid, kBspTrack, p.kind == BspKind::host_sync ? "sync with host" : "sync", p.start, p.cycles, 0,
                      fmt::format("superstep {}: released at {}", p.superstep, p.release));
    break;
  case BspKind::host_exchange:
    writer_->complete(pid, kBspTrack, "host exchange", p.start, p.cycles, 0, p.label);
    break;
  }
}

void JsonTraceSink::host_transfer(const HostTransfer &t) {
  writer_->complete(static_cast<int>(tiles_), 0, t.label, t.start, t.cycles, 0,
                    fmt::format("{} bytes to the device, {} from it", t.to_device_bytes, t.from_device_bytes));
}

void JsonTraceSink::end(const TraceTotals &totals) {
  if (!writer_) return;
  writer_->note_dropped(totals.events_dropped);
  writer_->finish();
}

} // namespace ipusim::traces
