// Reads a compact instruction trace (trace.ipt.zst, or trace.ipt as `zstd -d`
// leaves it) and passes its events to a TraceSink. Any problem (not a trace,
// another format version, corrupt or cut data) is an InputError of one line
// naming the file and the byte offset: in the file for the compressed data,
// in the decompressed stream for the records.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "traces/trace_format.hpp"

struct ZSTD_DCtx_s;

namespace ipusim::traces {

class TraceReader {
public:
  // Opens the file and reads its header.
  explicit TraceReader(std::string path);
  TraceReader(const TraceReader &) = delete;
  TraceReader &operator=(const TraceReader &) = delete;

  const format::FileHeader &header() const { return header_; }
  bool compressed() const { return compressed_; }

  // Passes every event to `sink`: begin(), the events in file order, end()
  // with the file's totals. On a problem, throws after the events before it.
  void read(TraceSink &sink);

private:
  // Makes at least `want` bytes available after pos_, unless the data ends.
  void fill(size_t want);
  [[noreturn]] void fail_at(uint64_t offset, const std::string &what, bool in_stream) const;

  // Freed even when the constructor throws.
  struct CloseFile {
    void operator()(std::FILE *f) const;
  };
  struct FreeDctx {
    void operator()(ZSTD_DCtx_s *d) const;
  };

  std::string path_;
  std::unique_ptr<std::FILE, CloseFile> file_;
  bool compressed_ = false;
  std::unique_ptr<ZSTD_DCtx_s, FreeDctx> dctx_;
  std::vector<uint8_t> in_;
  size_t in_pos_ = 0, in_size_ = 0;
  uint64_t file_read_ = 0; // bytes read from the file
  bool file_eof_ = false;
  size_t frame_left_ = 0;  // zstd's hint: 0 when the last frame is complete
  bool data_end_ = false;  // no more decompressed bytes
  std::vector<uint8_t> buf_;
  size_t pos_ = 0, size_ = 0;
  uint64_t base_ = 0; // stream offset of buf_[0]
  format::FileHeader header_;
};

} // namespace ipusim::traces
