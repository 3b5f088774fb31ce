// Host streams of a compiled program: the host's side of each `stream` step.
// A `stream` step lowers to `sync 5` (the sync zone that includes the host)
// on every tile; when all tiles are there the chip asks this object to move
// the data: a to_device stream writes the next batch of host data into the
// tensor's regions on their tiles, a from_device stream appends the tensor's
// contents to a host buffer (written as outputs/<stream>.npy, one row per use).
// The host link's timing model is models/host/host_link.
#pragma once

#include <string>
#include <vector>

#include "models/chip/chip_core.hpp"
#include "sim/config/tree.hpp"
#include "sim/io/npy.hpp"
#include "sim/loader/graph_loader.hpp"

namespace ipusim::loader {

class HostStreams : public chip::HostExchange {
public:
  // Checks every stream (tensor, direction, data) and counts its uses in the
  // control program; throws InputError at the offending key.
  HostStreams(const GraphProgram &g, const config::ConfigNode &graph, uint64_t run_seed);

  host::HostTraffic exchange(unsigned index, const std::vector<tile::TileCore *> &tiles) override;
  std::string label(unsigned index) const override;

  // Host exchanges the control program makes in all.
  uint64_t exchanges() const { return total_uses_; }
  // Each from_device stream's buffer: shape [uses, ...tensor shape].
  std::vector<std::pair<std::string, NpyArray>> received() const;

private:
  struct Stream {
    std::string name;
    const GraphTensor *tensor = nullptr;
    bool to_device = true;
    const config::ConfigNode *node = nullptr;
    uint64_t uses = 0, done = 0;
    std::vector<uint8_t> buffer; // from_device: rows received so far
    NpyArray npy;                // to_device from a .npy: read once (checked)
    bool npy_rows = false;       // npy holds one row per use (else: the same data every use)
  };
  // The control program walked lazily in execution order, yielding its
  // stream steps (repeats are not unrolled: counts reach 2^20 per level).
  struct Frame {
    const config::ConfigNode *list;
    size_t pos;
    uint64_t remaining; // passes of this list still to run after the current one
  };
  size_t next_stream_step();

  const config::ConfigNode &graph_;
  uint64_t seed_;
  std::vector<Stream> streams_;
  uint64_t total_uses_ = 0;
  std::vector<Frame> walk_;
  std::vector<size_t> labels_; // stream of each exchange so far (index -> stream)
};

} // namespace ipusim::loader
