#include "traces/compact_trace.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <zstd.h>

#include "sim/common/error.hpp"

namespace ipusim::traces {

CompactTraceWriter::CompactTraceWriter(std::string path, int level, size_t stage_bytes)
    : path_(std::move(path)), tmp_(path_ + ".tmp"), stage_cap_(std::max<size_t>(stage_bytes, 4096)) {
  file_ = std::fopen(tmp_.c_str(), "wb");
  if (!file_) throw InputError("cannot write trace file '" + path_ + "': " + std::strerror(errno));
  cctx_ = ZSTD_createCCtx();
  if (!cctx_ || ZSTD_isError(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1))) {
    std::fclose(file_);
    ZSTD_freeCCtx(cctx_);
    throw InputError("cannot set up zstd compression for trace file '" + path_ + "'");
  }
  stage_ = std::make_unique<uint8_t[]>(stage_cap_);
  out_.resize(ZSTD_CStreamOutSize());
}

CompactTraceWriter::~CompactTraceWriter() {
  try {
    end(TraceTotals{});
  } catch (...) {
    // A destructor must not throw; callers that care call end() themselves.
  }
  ZSTD_freeCCtx(cctx_);
}

void CompactTraceWriter::compress(const uint8_t *p, size_t n, bool last) {
  ZSTD_inBuffer in{p, n, 0};
  for (;;) {
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    size_t r = ZSTD_compressStream2(cctx_, &out, &in, last ? ZSTD_e_end : ZSTD_e_continue);
    if (ZSTD_isError(r)) {
      failed_ = true;
      return;
    }
    if (out.pos && std::fwrite(out_.data(), 1, out.pos, file_) != out.pos) failed_ = true;
    if (last ? r == 0 : in.pos == in.size) return;
  }
}

void CompactTraceWriter::append(const void *data, size_t n) {
  if (ended_) return;
  raw_bytes_ += n;
  const uint8_t *p = static_cast<const uint8_t *>(data);
  while (n) {
    size_t k = std::min(n, stage_cap_ - stage_used_);
    std::memcpy(stage_.get() + stage_used_, p, k);
    stage_used_ += k;
    p += k;
    n -= k;
    if (stage_used_ == stage_cap_) {
      compress(stage_.get(), stage_used_, false);
      stage_used_ = 0;
    }
  }
}

void CompactTraceWriter::begin(const TraceHeader &h) {
  std::string header = format::encode_header(h);
  append(header.data(), header.size());
  tiles_.assign(h.tiles, TileState{});
}

void CompactTraceWriter::to_tile(unsigned tile) {
  if (current_tile_ == static_cast<long>(tile)) return;
  current_tile_ = tile;
  uint8_t b[1 + format::kMaxVarint];
  b[0] = format::tag_of(format::TILE);
  append(b, static_cast<size_t>(format::put_varint(b + 1, tile) - b));
}

void CompactTraceWriter::tile_records(unsigned tile, const uint8_t *p, size_t n) {
  if (!n) return;
  to_tile(tile);
  append(p, n);
}

void CompactTraceWriter::issue(const IssueEvent &e) {
  TileState &t = tiles_.at(e.tile);
  uint8_t b[2 * format::kMaxTileRecords];
  uint8_t *p = b;
  uint32_t &at = t.code_at[e.code->pc];
  if (at != e.code->id + 1) {
    p = format::TileEncoder::code(p, e.code->pc, e.code->count, e.code->op, e.code->word);
    at = e.code->id + 1;
  }
  p = t.enc.issue(p, e.cycle, e.context, e.code->pc, e.code->count, e.thread_cycles);
  tile_records(e.tile, b, static_cast<size_t>(p - b));
}

void CompactTraceWriter::stall(const StallEvent &e) {
  uint8_t b[format::kMaxTileRecords];
  uint8_t *p = tiles_.at(e.tile).enc.stall(b, e.cycle, e.cycles, e.reason);
  tile_records(e.tile, b, static_cast<size_t>(p - b));
}

void CompactTraceWriter::bsp_tracks(bool host_link) {
  uint8_t b[2] = {format::tag_of(format::BSP), static_cast<uint8_t>(host_link ? 1 : 0)};
  append(b, 2);
}

void CompactTraceWriter::bsp_phase(const BspPhase &p) {
  format::ByteWriter w;
  w.u8(format::tag_of(format::PHASE));
  w.varint(p.tile);
  w.varint(static_cast<uint8_t>(p.kind));
  w.varint(p.start);
  w.varint(p.cycles);
  w.varint(p.superstep);
  w.varint(p.release);
  w.string(p.label);
  append(w.out.data(), w.out.size());
}

void CompactTraceWriter::host_transfer(const HostTransfer &t) {
  format::ByteWriter w;
  w.u8(format::tag_of(format::HOST));
  w.varint(t.start);
  w.varint(t.cycles);
  w.string(t.label);
  w.varint(t.to_device_bytes);
  w.varint(t.from_device_bytes);
  append(w.out.data(), w.out.size());
}

void CompactTraceWriter::end(const TraceTotals &totals) {
  if (ended_) return;
  format::ByteWriter w;
  w.u8(format::tag_of(format::END));
  w.varint(totals.events_written);
  w.varint(totals.events_dropped);
  append(w.out.data(), w.out.size());
  compress(stage_.get(), stage_used_, true);
  stage_used_ = 0;
  ended_ = true;
  bool failed = failed_ || std::ferror(file_) != 0;
  int saved_errno = errno;
  if (std::fclose(file_) != 0) {
    failed = true;
    saved_errno = errno;
  }
  file_ = nullptr;
  stage_.reset();
  if (failed) throw InputError("cannot write trace file '" + path_ + "': " + std::strerror(saved_errno));
  std::error_code ec;
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) throw InputError("cannot rename '" + tmp_ + "' to '" + path_ + "': " + ec.message());
}

} // namespace ipusim::traces
