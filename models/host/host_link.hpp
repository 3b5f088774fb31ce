// The link between the IPU and its host (PCIe on GC2/GC200), as a bandwidth
// and latency model. Host streams move data over it during a host exchange:
// every tile stops at a sync that includes the host (zone 5, GS1H), the link
// carries each stream's bytes, and the tiles are released when the last byte
// has landed. Timing (all figures from the machine config, host.link.*):
//   cycles = latency + max(bytes to the device, bytes from the device) / rate
//   rate   = bytes_per_second * efficiency (the link is full duplex)
// and never less than the busiest tile needs at the exchange's bytes per
// cycle (a tile receives or sends host data through its exchange port).
#pragma once

#include <cstdint>

namespace ipusim::host {

struct HostLinkParams {
  double bytes_per_second = 32e9; // one direction, nominal
  double efficiency = 1.0;        // payload share of the raw rate
  double latency_ns = 0;          // from the request to the first byte
  double clock_hz = 1.33e9;       // the tile clock the cycles count
  unsigned tile_bytes_per_cycle = 4;
};

// What one host exchange moved.
struct HostTraffic {
  uint64_t to_device_bytes = 0;
  uint64_t from_device_bytes = 0;
  uint64_t busiest_tile_bytes = 0; // most bytes into or out of one tile
  unsigned busiest_tile = 0;
};

// Tile cycles of the link latency alone (a sync with the host that moves nothing).
uint64_t host_latency_cycles(const HostLinkParams &p);
// Tile cycles from the start of a host exchange to its last byte.
uint64_t host_transfer_cycles(const HostLinkParams &p, const HostTraffic &t);

} // namespace ipusim::host
