// A tile's side of the exchange (ipusim's model; the real mechanism's details
// are not public, see docs/model.md "Exchange"). The supervisor sends with
// `send $mAddr, n`: the n words at $mAddr are copied when it issues and go
// out on the tile's own bus, one after another at the exchange bandwidth. A
// receiver selects one sender's bus with $INCOMING_MUX and stores what
// arrives at $INCOMING_BASE (advancing by 4 per word) while $INCOMING_DCOUNT
// (decremented per word) is non-zero; `sync 0` waits until it reaches zero.
// Tiles run independently between syncs, so the port only records sends and
// CSR writes with their cycles; the chip's fabric replays them.
#pragma once

#include <cstdint>
#include <vector>

namespace ipusim::tile {

constexpr uint32_t kNoSender = 0xFFFFFFFFu; // $INCOMING_MUX when listening to nobody

struct IncomingState {
  uint32_t mux = kNoSender;
  uint32_t base = 0;
  uint32_t dcount = 0;
};

struct SendRecord {
  uint64_t first_departure = 0; // cycle the first word leaves the tile
  uint32_t pc = 0;
  uint64_t issue_cycle = 0;
  std::vector<uint32_t> words;
  std::vector<uint8_t> accepted; // per word: stored by at least one receiver
};

struct IncomingWrite {
  uint64_t cycle;
  uint32_t csr;
  uint32_t value;
};

struct ExchangePort {
  uint32_t mux = kNoSender;            // the last $INCOMING_MUX written (what `get` reads)
  std::vector<SendRecord> sends;       // this superstep's sends
  std::vector<IncomingWrite> writes;   // this superstep's $INCOMING_* writes
  uint64_t bus_free = 0;               // first cycle the outgoing bus is idle
  uint64_t words_sent = 0, words_received = 0;
};

} // namespace ipusim::tile
