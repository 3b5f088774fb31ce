#include "traces/trace_output.hpp"

#include <cerrno>
#include <cstring>

#include "sim/common/error.hpp"
#include "sim/isa/encoding.hpp"
#include "traces/compact_trace.hpp"

namespace ipusim::traces {

RecordSpill::~RecordSpill() {
  if (file_) std::fclose(file_);
}

uint64_t RecordSpill::write(const uint8_t *p, size_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!file_) {
    file_ = std::tmpfile();
    if (!file_) throw InputError(std::string("cannot create a temporary file for trace records: ") + std::strerror(errno));
  }
  uint64_t at = size_;
  if (std::fseek(file_, static_cast<long>(at), SEEK_SET) != 0 || std::fwrite(p, 1, n, file_) != n)
    throw InputError(std::string("cannot write trace records to a temporary file: ") + std::strerror(errno));
  size_ += n;
  return at;
}

void RecordSpill::read(uint64_t offset, uint8_t *p, size_t n) {
  if (!file_ || std::fflush(file_) != 0 || std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0 ||
      std::fread(p, 1, n, file_) != n)
    throw InputError("cannot read trace records back from their temporary file");
}

void RecordSpill::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  size_ = 0; // later writes overwrite from the start
}

const TileRecorder::CacheEntry TileRecorder::kNoCache[TileRecorder::kCacheEntries] = {};

TileRecorder::~TileRecorder() { spill_.held.fetch_sub(full_.size() * kChunkBytes, std::memory_order_relaxed); }

void TileRecorder::slow_issue(uint64_t cycle, unsigned context, uint32_t pc, const tile::DecodedWord &first,
                              const tile::DecodedWord *second, uint64_t thread_cycles) {
  if (pos_ >= limit_) next_chunk();
  CacheEntry &e = own_cache_[(pc >> 2) & (kCacheEntries - 1)];
  if (e.first != &first || e.second != second || e.pc != pc) define(e, pc, first, second);
  pos_ = enc_.issue(pos_, cycle, context, pc, second ? 2 : 1, thread_cycles);
  ++events_;
}

void TileRecorder::define(CacheEntry &e, uint32_t pc, const tile::DecodedWord &first, const tile::DecodedWord *second) {
  e = {&first, second, pc};
  uint16_t op[2] = {static_cast<uint16_t>(first.insn.op), 0};
  uint32_t word[2] = {isa::encode(first.insn, first.bundle_first), 0};
  if (second) {
    op[1] = static_cast<uint16_t>(second->insn.op);
    word[1] = isa::encode(second->insn, second->bundle_first);
  }
  pos_ = format::TileEncoder::code(pos_, pc, second ? 2 : 1, op, word);
}

void TileRecorder::next_chunk() {
  if (!current_) {
    current_ = std::make_unique<uint8_t[]>(kChunkBytes);
    if (!own_cache_) {
      own_cache_ = std::make_unique<CacheEntry[]>(kCacheEntries);
      cache_ = own_cache_.get();
    }
  } else if (direct_) {
    direct_->flush_tile(tile_); // clears: pos_ is back at the chunk's start
    return;
  } else {
    const size_t used = static_cast<size_t>(pos_ - current_.get());
    full_.push_back({std::move(current_), used});
    if (spill_.held.fetch_add(kChunkBytes, std::memory_order_relaxed) + kChunkBytes > spill_.budget) {
      for (Chunk &c : full_) {
        spilled_.emplace_back(spill_.write(c.data.get(), c.size), c.size);
        spill_.held.fetch_sub(kChunkBytes, std::memory_order_relaxed);
      }
      current_ = std::move(full_.back().data); // reuse the last buffer
      full_.clear();
    } else {
      current_ = std::make_unique<uint8_t[]>(kChunkBytes);
    }
  }
  pos_ = current_.get();
  limit_ = pos_ + (kChunkBytes - format::kMaxTileRecords);
}

void TileRecorder::clear() {
  spill_.held.fetch_sub(full_.size() * kChunkBytes, std::memory_order_relaxed);
  full_.clear();
  spilled_.clear();
  if (current_) pos_ = current_.get();
  events_ = 0;
  base_cycle_ = enc_.last_cycle;
}

namespace {
format::FileHeader this_build(const TraceHeader &h) {
  format::FileHeader f;
  f.trace = h;
  f.version = format::kVersion;
  f.isa_fingerprint = format::isa_fingerprint();
  for (const isa::Form &form : isa::forms()) f.mnemonics.emplace_back(form.mnemonic);
  for (std::string_view r : kStallReasons) f.stall_reasons.emplace_back(r);
  return f;
}
} // namespace

TraceOutput::TraceOutput(std::unique_ptr<TraceSink> sink, const TraceHeader &header, bool buffered)
    : header_(this_build(header)), sink_(std::move(sink)), budget_(header.window, header.max_events) {
  compact_ = dynamic_cast<CompactTraceWriter *>(sink_.get());
  if (!compact_) decoder_ = std::make_unique<format::RecordDecoder>(header_);
  for (unsigned t = 0; t < header.tiles; ++t)
    recorders_.push_back(std::make_unique<TileRecorder>(t, header.window, spill_, buffered ? nullptr : this));
  sink_->begin(header_.trace);
}

TraceOutput::~TraceOutput() {
  try {
    finish();
  } catch (...) {
    // A destructor must not throw; callers that care call finish() themselves.
  }
}

void TraceOutput::emit(unsigned t, const uint8_t *p, size_t n) {
  if (compact_) {
    compact_->tile_records(t, p, n);
    return;
  }
  decoder_->set_tile(t);
  for (size_t off = 0; off < n;) off += decoder_->record(p + off, n - off, *sink_);
}

void TraceOutput::flush_tile(unsigned t, uint64_t before) {
  TileRecorder &r = *recorders_[t];
  const uint64_t n = r.pending_events();
  if (n == 0 || finished_) {
    r.clear();
    return;
  }
  if (before == UINT64_MAX && budget_.room() >= n) {
    budget_.take(n);
    r.for_each_piece(scratch_, [&](const uint8_t *p, size_t len) { emit(t, p, len); });
    r.clear();
    return;
  }
  // Keep the events before `before` that max_events leaves room for: the
  // records up to the first that is not kept (a tile's cycles never decrease).
  uint64_t cycle = r.base_cycle();
  bool stopped = false, full = false;
  r.for_each_piece(scratch_, [&](const uint8_t *p, size_t len) {
    size_t keep = 0;
    for (size_t off = 0; off < len && !stopped;) {
      bool event;
      uint64_t delta = 0;
      off += format::skim_tile_record(p + off, len - off, event, delta);
      if (event) {
        cycle += delta;
        if (cycle >= before) {
          stopped = true;
          break;
        }
        if (full) budget_.drop(1);
        else if (!budget_.take(1)) full = true;
      }
      if (!full) keep = off;
    }
    if (keep) emit(t, p, keep);
  });
  r.clear();
}

void TraceOutput::bsp_tracks(bool host_link) {
  if (!finished_) sink_->bsp_tracks(host_link);
}

void TraceOutput::bsp_phase(const BspPhase &p) {
  if (!finished_ && budget_.admit_span(p.start, p.cycles)) sink_->bsp_phase(p);
}

void TraceOutput::host_transfer(const HostTransfer &t) {
  if (!finished_ && budget_.admit_span(t.start, t.cycles)) sink_->host_transfer(t);
}

void TraceOutput::finish() {
  if (finished_) return;
  for (unsigned t = 0; t < recorders_.size(); ++t) flush_tile(t);
  spill_.clear();
  finished_ = true;
  sink_->end(budget_.totals());
}

} // namespace ipusim::traces
