// Per-tile trace buffers: events come out in the order they went in, through
// the spill file when the buffers hold too much, and a flush with a limit
// keeps only the earlier events.
#include <doctest/doctest.h>

#include <vector>

#include "traces/tile_event_buffer.hpp"

using namespace ipusim;

namespace {
struct Recorder : tile::IssueObserver {
  std::vector<std::pair<uint64_t, uint64_t>> seen; // (cycle, length); stalls have length + 1000000
  void on_issue(uint64_t cycle, unsigned, uint32_t, const tile::DecodedWord &, const tile::DecodedWord *,
                uint64_t thread_cycles) override {
    seen.emplace_back(cycle, thread_cycles);
  }
  void on_stall(uint64_t cycle, uint64_t cycles, const char *) override { seen.emplace_back(cycle, 1000000 + cycles); }
};
} // namespace

TEST_CASE("trace buffers: events in order, through the spill file when over budget") {
  tile::DecodedWord w;
  for (size_t budget : {size_t(1) << 20, size_t(0), size_t(3000)}) {
    traces::EventSpill spill;
    spill.budget = budget;
    Recorder ra, rb;
    traces::TileEventBuffer a(ra, TraceWindow{10, 9000}, spill), b(rb, TraceWindow{10, 9000}, spill);
    for (uint64_t c = 0; c < 10000; ++c) {
      a.on_issue(c, 1, 0, w, nullptr, c % 7);
      if (c % 3 == 0) b.on_stall(c, c % 5, "memory conflict");
    }
    a.flush();
    b.flush(5000);
    REQUIRE(ra.seen.size() == 9000 - 10);
    for (size_t k = 0; k < ra.seen.size(); ++k) CHECK(ra.seen[k] == std::make_pair(uint64_t(10 + k), uint64_t((10 + k) % 7)));
    std::vector<std::pair<uint64_t, uint64_t>> want;
    for (uint64_t c = 10; c < 5000; ++c)
      if (c % 3 == 0) want.emplace_back(c, 1000000 + c % 5);
    CHECK(rb.seen == want);
    CHECK(spill.buffered == 0u);
    spill.clear();
    // Reused after a flush.
    a.on_issue(20, 0, 0, w, nullptr, 1);
    a.flush();
    CHECK(ra.seen.back() == std::make_pair(uint64_t(20), uint64_t(1)));
  }
}
