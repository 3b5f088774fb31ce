#include "models/host/host_link.hpp"

#include <algorithm>
#include <cmath>

namespace ipusim::host {

uint64_t host_transfer_cycles(const HostLinkParams &p, const HostTraffic &t) {
  if (t.to_device_bytes == 0 && t.from_device_bytes == 0) return 0;
  const double cycles_per_ns = p.clock_hz * 1e-9;
  const double rate = p.bytes_per_second * p.efficiency; // bytes per second
  const double link_bytes = static_cast<double>(std::max(t.to_device_bytes, t.from_device_bytes));
  // ceil(), so that a transfer never finishes before its last byte.
  const uint64_t latency = static_cast<uint64_t>(std::ceil(p.latency_ns * cycles_per_ns));
  const uint64_t link = static_cast<uint64_t>(std::ceil(link_bytes / rate * p.clock_hz));
  const uint64_t tile = (t.busiest_tile_bytes + p.tile_bytes_per_cycle - 1) / p.tile_bytes_per_cycle;
  return latency + std::max(link, tile);
}

} // namespace ipusim::host
