#include "models/exchange/fabric.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <string>

#include "sim/common/error.hpp"
#include "sim/isa/csr.hpp"

namespace ipusim::exchange {

uint64_t Fabric::latency(unsigned from, unsigned to) const {
  uint64_t l = p_.send_cycles + p_.receive_cycles;
  if (column(from) != column(to)) l += p_.cross_column_cycles;
  unsigned a = supertile(from), b = supertile(to);
  l += uint64_t(p_.supertile_cycles) * (a > b ? a - b : b - a);
  return l;
}

namespace {

// One thing that happens at a receiver: a write to one of its $INCOMING_*
// CSRs, or the arrival of a word from a sender it might be listening to.
struct Event {
  uint64_t time;
  uint8_t kind; // 0 = CSR write (takes effect before arrivals of the same cycle), 1 = arrival
  unsigned receiver;
  uint64_t seq; // order within kind and receiver
  // write
  uint32_t csr = 0, value = 0;
  // arrival
  unsigned sender = 0;
  size_t word = 0; // index into the flat list of sent words
  uint32_t data = 0;
};

struct SentWord {
  unsigned sender;
  const tile::SendRecord *send;
  size_t index;
  uint64_t departure;
  bool accepted = false;
  std::string why; // the first listener's reason for not taking it
};

} // namespace

DeliveryStats Fabric::deliver(const std::vector<tile::TileCore *> &tiles) {
  DeliveryStats stats;
  const unsigned n = static_cast<unsigned>(tiles.size());

  // Who might listen to whom: a receiver's mux at the start or any value it writes.
  std::vector<std::vector<unsigned>> listeners(n);
  for (unsigned r = 0; r < n; ++r) {
    const tile::ExchangePort &x = tiles[r]->exchange();
    std::vector<uint32_t> muxes{x.resolved.mux};
    for (const auto &w : x.writes)
      if (w.csr == isa::csr::INCOMING_MUX) muxes.push_back(w.value);
    std::sort(muxes.begin(), muxes.end());
    muxes.erase(std::unique(muxes.begin(), muxes.end()), muxes.end());
    for (uint32_t s : muxes)
      if (s < n) listeners[s].push_back(r);
  }

  std::vector<SentWord> words;
  std::vector<Event> events;
  for (unsigned r = 0; r < n; ++r) {
    uint64_t seq = 0;
    for (const auto &w : tiles[r]->exchange().writes) {
      Event e{w.cycle, 0, r, seq++};
      e.csr = w.csr;
      e.value = w.value;
      events.push_back(e);
    }
  }
  const uint64_t bpc = p_.bytes_per_cycle;
  for (unsigned s = 0; s < n; ++s)
    for (const tile::SendRecord &rec : tiles[s]->exchange().sends)
      for (size_t k = 0; k < rec.words.size(); ++k) {
        uint64_t dep = rec.first_departure + (4 * uint64_t(k)) / bpc;
        words.push_back({s, &rec, k, dep});
        stats.first_departure = std::min(stats.first_departure, dep);
        for (unsigned r : listeners[s]) {
          Event e{dep + latency(s, r), 1, r, words.size() - 1};
          e.sender = s;
          e.word = words.size() - 1;
          e.data = rec.words[k];
          events.push_back(e);
        }
      }
  stats.words = words.size();
  std::sort(events.begin(), events.end(), [](const Event &a, const Event &b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.kind != b.kind) return a.kind < b.kind;
    if (a.receiver != b.receiver) return a.receiver < b.receiver;
    return a.seq < b.seq;
  });

  std::vector<tile::IncomingState> state(n);
  for (unsigned r = 0; r < n; ++r) state[r] = tiles[r]->exchange().resolved;
  for (const Event &e : events) {
    tile::IncomingState &st = state[e.receiver];
    if (e.kind == 0) {
      if (e.csr == isa::csr::INCOMING_MUX) st.mux = e.value;
      if (e.csr == isa::csr::INCOMING_BASE) st.base = e.value;
      if (e.csr == isa::csr::INCOMING_DCOUNT) st.dcount = e.value;
      continue;
    }
    if (st.mux != e.sender || st.dcount == 0) {
      SentWord &w = words[e.word];
      if (w.why.empty())
        w.why = st.mux != e.sender
                    ? fmt::format("tile {} listened to {} at cycle {}", e.receiver,
                                  st.mux == tile::kNoSender ? std::string("no tile") : "tile " + std::to_string(st.mux),
                                  e.time)
                    : fmt::format("tile {} expected no more words at cycle {}", e.receiver, e.time);
      continue;
    }
    tile::TileCore &rt = *tiles[e.receiver];
    if (!rt.sram().contains(st.base, 4))
      throw SimulationError(fmt::format("tile {}, cycle {}: exchange: incoming word from tile {} would be stored at "
                                        "0x{:x}, outside the tile's SRAM ($INCOMING_BASE)",
                                        e.receiver, e.time, e.sender, st.base));
    rt.sram().write<uint32_t>(st.base, e.data);
    st.base += 4;
    --st.dcount;
    words[e.word].accepted = true;
    ++stats.deliveries;
    stats.last_arrival = std::max(stats.last_arrival, e.time);
    tile::ExchangePort &x = rt.exchange();
    x.last_delivery = std::max(x.last_delivery, e.time);
    ++x.words_received;
  }

  for (const SentWord &w : words)
    if (!w.accepted)
      throw SimulationError(fmt::format(
          "tile {}, cycle {}: exchange: word {} of the send at pc 0x{:x} (issued at cycle {}) reached no receiver: "
          "no tile listened to tile {} ($INCOMING_MUX) with words expected ($INCOMING_DCOUNT > 0) when it arrived{}",
          w.sender, w.departure, w.index, w.send->pc, w.send->issue_cycle, w.sender,
          w.why.empty() ? std::string() : " (" + w.why + ")"));

  for (unsigned r = 0; r < n; ++r) {
    tile::ExchangePort &x = tiles[r]->exchange();
    x.resolved = state[r];
    x.incoming = state[r];
    x.writes.clear();
    x.sends.clear();
  }
  return stats;
}

} // namespace ipusim::exchange
