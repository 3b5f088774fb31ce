#include "traces/trace_reader.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <zstd.h>

#include "sim/common/error.hpp"

namespace ipusim::traces {

namespace {
constexpr size_t kBuffer = size_t(1) << 20;
// More than any record (strings are at most kMaxString bytes).
constexpr size_t kLookahead = 2 * format::kMaxString + 256;
} // namespace

void TraceReader::fail_at(uint64_t offset, const std::string &what, bool in_stream) const {
  throw InputError(fmt::format("{}: byte {}{}: error: {}", path_, offset,
                               in_stream && compressed_ ? " of the decompressed stream" : "", what));
}

void TraceReader::CloseFile::operator()(std::FILE *f) const { std::fclose(f); }
void TraceReader::FreeDctx::operator()(ZSTD_DCtx_s *d) const { ZSTD_freeDCtx(d); }

TraceReader::TraceReader(std::string path) : path_(std::move(path)) {
  file_.reset(std::fopen(path_.c_str(), "rb"));
  if (!file_) throw InputError("cannot open trace file '" + path_ + "': " + std::strerror(errno));
  in_.resize(ZSTD_DStreamInSize());
  in_size_ = std::fread(in_.data(), 1, in_.size(), file_.get());
  file_read_ = in_size_;
  if (in_size_ == 0) fail_at(0, "the file is empty, not an ipusim trace", false);
  static const uint8_t zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
  compressed_ = in_size_ >= 4 && std::memcmp(in_.data(), zstd_magic, 4) == 0;
  if (compressed_) {
    dctx_.reset(ZSTD_createDCtx());
    if (!dctx_) throw InputError("cannot set up zstd decompression for '" + path_ + "'");
  }
  buf_.resize(kBuffer);
  fill(kBuffer);
  size_t used = 0;
  try {
    header_ = format::decode_header(buf_.data() + pos_, size_ - pos_, used);
  } catch (const format::FormatError &e) {
    fail_at(base_ + pos_ + e.offset, e.what(), true);
  }
  pos_ += used;
}

void TraceReader::fill(size_t want) {
  if (size_ - pos_ >= want || data_end_) return;
  // Keep the unread tail at the front.
  std::memmove(buf_.data(), buf_.data() + pos_, size_ - pos_);
  base_ += pos_;
  size_ -= pos_;
  pos_ = 0;
  while (size_ < want && !data_end_) {
    if (in_pos_ == in_size_ && !file_eof_) {
      in_size_ = std::fread(in_.data(), 1, in_.size(), file_.get());
      in_pos_ = 0;
      file_read_ += in_size_;
      if (in_size_ == 0) {
        if (std::ferror(file_.get())) throw InputError("cannot read trace file '" + path_ + "': " + std::strerror(errno));
        file_eof_ = true;
      }
    }
    if (!compressed_) {
      size_t k = std::min(in_size_ - in_pos_, buf_.size() - size_);
      std::memcpy(buf_.data() + size_, in_.data() + in_pos_, k);
      in_pos_ += k;
      size_ += k;
      if (file_eof_ && in_pos_ == in_size_) data_end_ = true;
      continue;
    }
    ZSTD_inBuffer in{in_.data(), in_size_, in_pos_};
    ZSTD_outBuffer out{buf_.data() + size_, buf_.size() - size_, 0};
    size_t r = ZSTD_decompressStream(dctx_.get(), &out, &in);
    if (ZSTD_isError(r))
      fail_at(file_read_ - (in_size_ - in.pos), fmt::format("corrupt compressed data (zstd: {})", ZSTD_getErrorName(r)),
              false);
    // r is 0 once a frame is complete; called again without input, zstd
    // returns the size of the next frame's header instead: keep the 0.
    if (in.pos != in_pos_ || out.pos) frame_left_ = r;
    in_pos_ = in.pos;
    size_ += out.pos;
    if (out.pos == 0 && in_pos_ == in_size_ && file_eof_) {
      if (frame_left_ != 0)
        fail_at(file_read_, "the compressed data ends inside a zstd frame (the file is truncated)", false);
      data_end_ = true;
    }
  }
}

void TraceReader::read(TraceSink &sink) {
  format::RecordDecoder decoder(header_);
  sink.begin(header_.trace);
  for (;;) {
    fill(kLookahead);
    if (pos_ == size_) break;
    try {
      pos_ += decoder.record(buf_.data() + pos_, size_ - pos_, sink);
    } catch (const format::FormatError &e) {
      fail_at(base_ + pos_ + e.offset, e.what(), true);
    }
  }
  if (!decoder.ended()) fail_at(base_ + pos_, "the trace ends before its end record (truncated?)", true);
  sink.end(decoder.totals());
}

} // namespace ipusim::traces
