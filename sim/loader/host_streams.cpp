#include "sim/loader/host_streams.hpp"

#include <cstring>
#include <stdexcept>
#include <fmt/format.h>

#include "sim/common/error.hpp"
#include "sim/loader/program_loader.hpp"

namespace ipusim::loader {

namespace {

bool has_stream_step(const config::ConfigNode &list) {
  for (const config::ConfigNode &st : list)
    if (st.has("stream") || (st.has("repeat") && has_stream_step(st.node("repeat").node("body")))) return true;
  return false;
}

// Uses of stream `name` by the steps in `list`, repeats multiplied out.
uint64_t uses_of(const config::ConfigNode &list, const std::string &name) {
  uint64_t n = 0;
  for (const config::ConfigNode &st : list) {
    if (st.has("stream") && st.get_string("stream") == name) ++n;
    if (st.has("repeat")) n += st.node("repeat").get_uint("count") * uses_of(st.node("repeat").node("body"), name);
  }
  return n;
}

} // namespace

HostStreams::HostStreams(const GraphProgram &g, const config::ConfigNode &graph, uint64_t run_seed)
    : graph_(graph), seed_(run_seed) {
  for (const config::ConfigNode &sn : graph.node("streams")) {
    Stream s;
    s.name = sn.get_string("name");
    s.node = &sn;
    s.to_device = sn.get_string("direction") == "to_device";
    for (const Stream &other : streams_)
      if (other.name == s.name) sn.fail("name", "stream '" + s.name + "' is defined twice");
    const std::string &tn = sn.get_string("tensor");
    for (const GraphTensor &t : g.tensors)
      if (t.info.name == tn) s.tensor = &t;
    if (!s.tensor) sn.fail("tensor", "stream '" + s.name + "' names unknown tensor '" + tn + "'");
    if (s.to_device && !sn.has("data"))
      sn.fail("stream '" + s.name + "' (to_device) needs 'data': what the host sends");
    if (!s.to_device)
      for (const GraphTensor &t : g.tensors)
        if (t.info.output && t.info.name == s.name)
          sn.fail("name", "stream '" + s.name + "' and output tensor '" + s.name +
                              "' would both be written to outputs/" + s.name + ".npy");
    if (!s.to_device && sn.has("data"))
      sn.fail("data", "stream '" + s.name + "' (from_device) takes no 'data': the device sends it");
    s.uses = uses_of(graph.node("control"), s.name);
    total_uses_ += s.uses;
    streams_.push_back(std::move(s));
  }
  // Check each to_device stream's data now, not at its first use mid-run.
  std::vector<uint8_t> scratch;
  for (Stream &s : streams_)
    if (s.to_device && s.uses > 0) {
      PlacedTensor pt = s.tensor->info;
      pt.name = s.name;
      scratch.assign(pt.bytes, 0);
      fill_tensor(*s.node, pt, seed_, 0, static_cast<unsigned>(std::min<uint64_t>(s.uses, UINT32_MAX)),
                  scratch.data(), DataSlices{"data", "use of the stream"});
      if (s.node->node("data").has("npy")) { // valid (fill_tensor checked it): keep it, read once
        s.npy = read_npy(s.node->node("data").get_path("npy"));
        s.npy_rows = s.npy.data.size() != pt.bytes;
      }
    }
  walk_.push_back({&graph.node("control"), 0, 0});
}

size_t HostStreams::next_stream_step() {
  while (!walk_.empty()) {
    Frame &f = walk_.back();
    if (f.pos == f.list->size()) {
      if (f.remaining > 0) {
        --f.remaining;
        f.pos = 0;
      } else {
        walk_.pop_back();
      }
      continue;
    }
    const config::ConfigNode &st = (*f.list)[f.pos++];
    if (st.has("stream")) {
      const std::string &name = st.get_string("stream");
      for (size_t k = 0; k < streams_.size(); ++k)
        if (streams_[k].name == name) return k;
      st.fail("stream", "no stream named '" + name + "'"); // prepare_graph has checked this already
    }
    if (st.has("repeat")) {
      const config::ConfigNode &r = st.node("repeat");
      if (r.get_uint("count") > 0 && has_stream_step(r.node("body")))
        walk_.push_back({&r.node("body"), 0, r.get_uint("count") - 1});
    }
  }
  throw SimulationError(fmt::format("host exchange {}: the tiles synced with the host (sync 5) more often than the "
                                    "control program has stream steps ({})",
                                    labels_.size(), total_uses_));
}

host::HostTraffic HostStreams::exchange(unsigned index, const std::vector<tile::TileCore *> &tiles) {
  // Exchanges arrive in order; the walk of the control program keeps the position.
  if (index != labels_.size())
    throw std::logic_error(fmt::format("host exchange {} requested after {}", index, labels_.size()));
  const size_t k = next_stream_step();
  labels_.push_back(k);
  Stream &s = streams_[k];
  const GraphTensor &t = *s.tensor;
  const uint64_t size = t.info.dtype.size;

  host::HostTraffic traffic;
  (s.to_device ? traffic.to_device_bytes : traffic.from_device_bytes) = t.info.bytes;
  std::vector<uint64_t> per_tile(tiles.size(), 0);
  for (const TensorRegion &r : t.regions) per_tile[r.tile] += (r.end - r.begin) * size;
  for (unsigned i = 0; i < per_tile.size(); ++i)
    if (per_tile[i] > traffic.busiest_tile_bytes) {
      traffic.busiest_tile_bytes = per_tile[i];
      traffic.busiest_tile = i;
    }

  if (s.to_device) {
    PlacedTensor pt = t.info;
    pt.name = s.name; // random data seeded per stream
    std::vector<uint8_t> whole(t.info.bytes, 0);
    if (!s.npy.data.empty())
      std::memcpy(whole.data(), s.npy.data.data() + (s.npy_rows ? s.done * t.info.bytes : 0), t.info.bytes);
    else
      fill_tensor(*s.node, pt, seed_, static_cast<unsigned>(s.done),
                  static_cast<unsigned>(std::min<uint64_t>(s.uses, UINT32_MAX)), whole.data(),
                  DataSlices{"data", "use of the stream"});
    for (const TensorRegion &r : t.regions)
      std::memcpy(tiles[r.tile]->sram().ptr(r.address), whole.data() + r.begin * size, (r.end - r.begin) * size);
  } else {
    NpyArray a = gather_tensor(t, tiles);
    s.buffer.insert(s.buffer.end(), a.data.begin(), a.data.end());
  }
  ++s.done;
  return traffic;
}

std::string HostStreams::label(unsigned index) const {
  if (index >= labels_.size()) return "sync with the host";
  const Stream &s = streams_[labels_[index]];
  return fmt::format("stream {} {}: {}", s.to_device ? "to device" : "from device", s.name, s.tensor->info.name);
}

std::vector<std::pair<std::string, NpyArray>> HostStreams::received() const {
  std::vector<std::pair<std::string, NpyArray>> out;
  for (const Stream &s : streams_) {
    if (s.to_device) continue;
    NpyArray a;
    a.dtype = s.tensor->info.dtype.npy;
    a.shape.assign(s.tensor->info.shape.begin(), s.tensor->info.shape.end());
    a.shape.insert(a.shape.begin(), s.done);
    a.data = s.buffer;
    out.push_back({s.name, std::move(a)});
  }
  return out;
}

} // namespace ipusim::loader
