#include "traces/tile_event_buffer.hpp"

#include <cerrno>
#include <cstring>

#include "sim/common/error.hpp"

namespace ipusim::traces {

EventSpill::~EventSpill() {
  if (file_) std::fclose(file_);
}

uint64_t EventSpill::write(const BufferedEvent *events, size_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!file_) {
    file_ = std::tmpfile();
    if (!file_) throw InputError(std::string("cannot create a temporary file for trace events: ") + std::strerror(errno));
  }
  uint64_t at = size_;
  if (std::fseek(file_, static_cast<long>(at), SEEK_SET) != 0 ||
      std::fwrite(events, sizeof(BufferedEvent), n, file_) != n)
    throw InputError(std::string("cannot write trace events to a temporary file: ") + std::strerror(errno));
  size_ += n * sizeof(BufferedEvent);
  return at;
}

void EventSpill::read(uint64_t offset, BufferedEvent *events, size_t n) {
  if (std::fflush(file_) != 0 || std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0 ||
      std::fread(events, sizeof(BufferedEvent), n, file_) != n)
    throw InputError("cannot read trace events back from their temporary file");
}

void EventSpill::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  size_ = 0; // later writes overwrite from the start
}

void TileEventBuffer::new_chunk() {
  if (!chunks_.empty()) spill_.buffered.fetch_add(chunks_.back().size(), std::memory_order_relaxed);
  if (spill_.buffered.load(std::memory_order_relaxed) >= spill_.budget) spill();
  chunks_.emplace_back();
  chunks_.back().reserve(kChunkEvents);
}

void TileEventBuffer::spill() {
  for (auto &c : chunks_) {
    spilled_.emplace_back(spill_.write(c.data(), c.size()), c.size());
    spill_.buffered.fetch_sub(c.size(), std::memory_order_relaxed);
  }
  chunks_.clear();
}

void TileEventBuffer::replay(const BufferedEvent *events, size_t n, uint64_t before) {
  for (size_t i = 0; i < n; ++i) {
    const BufferedEvent &e = events[i];
    if (e.cycle >= before) continue;
    if (e.first) target_.on_issue(e.cycle, e.context, e.pc, *e.first, e.second, e.length);
    else target_.on_stall(e.cycle, e.length, e.reason);
  }
}

void TileEventBuffer::flush(uint64_t before) {
  if (!spilled_.empty()) {
    std::vector<BufferedEvent> chunk;
    for (const auto &[offset, n] : spilled_) {
      chunk.resize(n);
      spill_.read(offset, chunk.data(), n);
      replay(chunk.data(), n, before);
    }
    spilled_.clear();
  }
  for (size_t k = 0; k < chunks_.size(); ++k) {
    replay(chunks_[k].data(), chunks_[k].size(), before);
    if (k + 1 < chunks_.size()) spill_.buffered.fetch_sub(chunks_[k].size(), std::memory_order_relaxed);
  }
  chunks_.clear(); // the last chunk was never counted in `buffered`
}

} // namespace ipusim::traces
