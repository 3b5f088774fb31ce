// Writes the compact instruction trace (traces/trace_format.hpp): records
// staged in a fixed buffer and compressed with zstd as it fills, so memory
// does not grow with the trace. The file is written as "<path>.tmp" and
// renamed to `path` by end(), so a complete name is always a complete trace
// (the destructor ends a trace that was not ended, errors swallowed).
//
// The output is a function of the calls alone: the compressor always gets
// the same pieces of the same bytes, so equal traces are equal files.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "traces/trace_format.hpp"

struct ZSTD_CCtx_s;

namespace ipusim::traces {

class CompactTraceWriter final : public TraceSink {
public:
  static constexpr int kDefaultLevel = 3;
  // Creates "<path>.tmp"; throws InputError when it cannot.
  explicit CompactTraceWriter(std::string path, int level = kDefaultLevel, size_t stage_bytes = size_t(1) << 20);
  ~CompactTraceWriter() override;
  CompactTraceWriter(const CompactTraceWriter &) = delete;
  CompactTraceWriter &operator=(const CompactTraceWriter &) = delete;

  void begin(const TraceHeader &h) override;
  // Events one at a time (conversions and tests; the simulator's tiles write
  // their records themselves and pass them to tile_records).
  void issue(const IssueEvent &e) override;
  void stall(const StallEvent &e) override;
  void bsp_tracks(bool host_link) override;
  void bsp_phase(const BspPhase &p) override;
  void host_transfer(const HostTransfer &t) override;
  // Writes the END record, finishes the compressed stream, closes the file
  // and renames it. Throws InputError when writing failed. Later calls do nothing.
  void end(const TraceTotals &totals) override;

  // A tile's ISSUE, STALL and CODE records, written by a format::TileEncoder
  // that has seen all of the tile's earlier records.
  void tile_records(unsigned tile, const uint8_t *p, size_t n);

  // Bytes of records so far (before compression).
  uint64_t raw_bytes() const { return raw_bytes_; }

private:
  void to_tile(unsigned tile);
  void append(const void *p, size_t n);
  void compress(const uint8_t *p, size_t n, bool last);

  std::string path_, tmp_;
  std::FILE *file_ = nullptr;
  ZSTD_CCtx_s *cctx_ = nullptr;
  bool failed_ = false;
  bool ended_ = false;
  std::unique_ptr<uint8_t[]> stage_;
  size_t stage_cap_, stage_used_ = 0;
  std::vector<uint8_t> out_;
  uint64_t raw_bytes_ = 0;
  long current_tile_ = -1;
  // For issue() and stall(): each tile's encoder and the code it holds at each pc.
  struct TileState {
    format::TileEncoder enc;
    std::unordered_map<uint32_t, uint32_t> code_at; // pc -> code id + 1
  };
  std::vector<TileState> tiles_;
};

} // namespace ipusim::traces
