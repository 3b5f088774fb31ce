#include "models/host/host_link.hpp"

#include <algorithm>
#include <cmath>

namespace ipusim::host {

namespace {
// ceil(x), except that x within a relative 1e-9 of an integer is that
// integer: 1000 ns x 1.85 GHz is 1850 cycles, whatever the float rounding of
// the product says (1850.0000000000002 would otherwise give 1851).
uint64_t ceil_cycles(double x) {
  const double r = std::round(x);
  if (std::fabs(x - r) <= 1e-9 * std::max(1.0, r)) return static_cast<uint64_t>(r);
  return static_cast<uint64_t>(std::ceil(x));
}
} // namespace

uint64_t host_latency_cycles(const HostLinkParams &p) { return ceil_cycles(p.latency_ns * p.clock_hz / 1e9); }

uint64_t host_transfer_cycles(const HostLinkParams &p, const HostTraffic &t) {
  if (t.to_device_bytes == 0 && t.from_device_bytes == 0) return 0;
  const double rate = p.bytes_per_second * p.efficiency; // bytes per second
  const double link_bytes = static_cast<double>(std::max(t.to_device_bytes, t.from_device_bytes));
  // Rounded up, so that a transfer never finishes before its last byte.
  const uint64_t link = ceil_cycles(link_bytes * p.clock_hz / rate);
  const uint64_t tile = (t.busiest_tile_bytes + p.tile_bytes_per_cycle - 1) / p.tile_bytes_per_cycle;
  return host_latency_cycles(p) + std::max(link, tile);
}

} // namespace ipusim::host
