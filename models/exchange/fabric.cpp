#include "models/exchange/fabric.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
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
std::string tile_name(uint32_t t) { return t == tile::kNoSender ? "no tile" : "tile " + std::to_string(t); }
// A word stored by some receiver: receivers served on different threads may
// mark the same broadcast word, so the mark is an atomic store.
inline void mark_stored(uint8_t &flag) { __atomic_store_n(&flag, uint8_t(1), __ATOMIC_RELAXED); }
} // namespace

size_t Fabric::run_after(const Receiver &rx, const Stream &best, const tile::SendRecord &send, size_t k, uint64_t at,
                         uint64_t write_at, uint64_t known_limit, const std::vector<tile::TileCore *> &tiles) const {
  // Words k+1.. of `send` arrive no earlier than word k (at `at`). Word j
  // still comes next if it arrives before the next CSR write, before (or,
  // from a lower sender, with) every other sender's next word, and within
  // what is known of the receiver.
  uint64_t limit = std::min(known_limit, write_at == UINT64_MAX ? UINT64_MAX : write_at - 1);
  for (const Stream &o : rx.streams) {
    if (&o == &best) continue;
    const auto &sends = tiles[o.sender]->exchange().sends;
    if (o.send >= sends.size()) continue;
    uint64_t a = departure(sends[o.send], o.word) + o.latency;
    limit = std::min(limit, o.sender < best.sender ? a - 1 : a);
  }
  size_t last = send.words.size() - 1; // the last word index allowed
  if (limit != UINT64_MAX) {
    // departure(word m) + latency <= limit  <=>  4m / bpc <= limit - first_departure - latency
    const uint64_t base = send.first_departure + best.latency;
    if (limit < at) return 0;
    const uint64_t d = limit - base; // >= 4k / bpc
    const uint64_t m = ((d + 1) * p_.bytes_per_cycle - 1) / 4;
    last = static_cast<size_t>(std::min<uint64_t>(last, m));
  }
  size_t more = last > k ? last - k : 0;
  return std::min<size_t>(more, rx.state.dcount - 1);
}

void Fabric::deliver_to(unsigned r, const std::vector<tile::TileCore *> &tiles, uint64_t horizon, bool &released) {
  Receiver &rx = rx_[r];
  tile::TileCore &rt = *tiles[r];
  const auto &writes = rt.exchange().writes;
  const unsigned n = static_cast<unsigned>(tiles.size());
  const bool in_sync0 = rt.waiting_for_receive();
  // Everything up to the tile's last active cycle is known; in sync 0 its
  // state stays as it is until the words it waits for have arrived.
  const uint64_t known_until = std::min(rt.cycle() ? rt.cycle() - 1 : 0, horizon);

  // Senders this receiver may listen to: its mux now, and every mux it writes.
  auto add_stream = [&](uint32_t s) {
    if (s >= n) return;
    for (const Stream &st : rx.streams)
      if (st.sender == s) return;
    rx.streams.push_back({s, 0, 0, latency(s, r)});
  };
  add_stream(rx.state.mux);
  for (size_t w = rx.next_write; w < writes.size(); ++w)
    if (writes[w].csr == isa::csr::INCOMING_MUX) add_stream(writes[w].value);

  for (;;) {
    // The next event: a CSR write, or the earliest next word of a stream.
    uint64_t wt = rx.next_write < writes.size() ? writes[rx.next_write].cycle : UINT64_MAX;
    Stream *best = nullptr;
    uint64_t at = UINT64_MAX;
    for (Stream &st : rx.streams) {
      const auto &sends = tiles[st.sender]->exchange().sends;
      if (st.send >= sends.size()) continue;
      uint64_t a = departure(sends[st.send], st.word) + st.latency;
      if (!best || a < at || (a == at && st.sender < best->sender)) {
        at = a;
        best = &st;
      }
    }
    uint64_t next = std::min(wt, at);
    if (next == UINT64_MAX) break;
    if (next > known_until) {
      // Beyond what the tile has done: only a tile waiting in sync 0 takes
      // words there, and only until it has all it expects.
      if (!in_sync0 || rx.state.dcount == 0 || wt <= at) break;
    }
    if (wt <= at) {
      const tile::IncomingWrite &w = writes[rx.next_write++];
      if (w.csr == isa::csr::INCOMING_MUX) rx.state.mux = w.value;
      if (w.csr == isa::csr::INCOMING_BASE) rx.state.base = w.value;
      if (w.csr == isa::csr::INCOMING_DCOUNT) rx.state.dcount = w.value;
      continue;
    }
    tile::SendRecord &send = tiles[best->sender]->exchange().sends[best->send];
    size_t k = best->word;
    if (++best->word == send.words.size()) {
      ++best->send;
      best->word = 0;
    }
    if (rx.state.mux != best->sender || rx.state.dcount == 0) continue;
    // The words of this send that come next with nothing in between (no CSR
    // write, no other sender's word, nothing beyond what is known) are stored
    // in one go; the rest of the loop stores them one by one.
    if (size_t more = !p_.batch_runs ? 0 : run_after(rx, *best, send, k, at, wt, in_sync0 ? UINT64_MAX : known_until, tiles);
        more && rt.sram().contains(rx.state.base, 4 * uint32_t(more + 1)) &&
        !rt.code_overlaps(rx.state.base, 4 * uint32_t(more + 1))) {
      const size_t count = more + 1;
      std::memcpy(rt.sram().ptr(rx.state.base), &send.words[k], 4 * count);
      for (size_t j = k; j < k + count; ++j) mark_stored(send.accepted[j]);
      rx.state.base += 4 * uint32_t(count);
      rx.state.dcount -= uint32_t(count);
      rx.last_accept = departure(send, k + more) + best->latency;
      rt.exchange().words_received += count;
      rx.deliveries += count;
      best->word = k + count; // the first word was already counted off
      if (best->word == send.words.size()) {
        ++best->send;
        best->word = 0;
      }
      continue;
    }
    if (!rt.sram().contains(rx.state.base, 4))
      throw SimulationError(fmt::format("tile {}, cycle {}: exchange: an incoming word from tile {} would be stored at "
                                        "0x{:x}, outside the tile's SRAM ($INCOMING_BASE)",
                                        r, at, best->sender, rx.state.base));
    if (rt.is_code(rx.state.base))
      throw SimulationError(fmt::format("tile {}, cycle {}: exchange: an incoming word from tile {} would overwrite "
                                        "code at 0x{:x} ($INCOMING_BASE)",
                                        r, at, best->sender, rx.state.base));
    rt.sram().write<uint32_t>(rx.state.base, send.words[k]);
    mark_stored(send.accepted[k]);
    rx.state.base += 4;
    --rx.state.dcount;
    rx.last_accept = at;
    ++rt.exchange().words_received;
    ++rx.deliveries;
  }
  if (in_sync0 && rx.state.dcount == 0) {
    rt.release_receive_wait(std::max(rt.cycle(), rx.last_accept + 1));
    released = true;
  }
}

bool Fabric::deliver_all(const std::vector<tile::TileCore *> &tiles, ThreadPool *pool, uint64_t horizon) {
  const size_t n = tiles.size();
  if (rx_.size() != n) rx_.assign(n, Receiver{});
  released_.assign(n, 0);
  errors_.assign(n, nullptr);
  auto one = [&](size_t r) {
    try {
      bool released = false;
      deliver_to(static_cast<unsigned>(r), tiles, horizon, released);
      released_[r] = released;
    } catch (...) {
      errors_[r] = std::current_exception();
    }
  };
  if (pool) pool->run(n, one);
  else
    for (size_t r = 0; r < n; ++r) one(r);
  bool any = false;
  for (size_t r = 0; r < n; ++r) {
    if (errors_[r]) std::rethrow_exception(errors_[r]); // the first receiver, as one by one
    any = any || released_[r];
  }
  return any;
}

bool Fabric::advance(const std::vector<tile::TileCore *> &tiles, ThreadPool *pool, uint64_t horizon) {
  return deliver_all(tiles, pool, horizon);
}

void Fabric::check_every_word_received(const std::vector<tile::TileCore *> &tiles) const {
  for (unsigned s = 0; s < tiles.size(); ++s)
    for (const tile::SendRecord &send : tiles[s]->exchange().sends)
      for (size_t k = 0; k < send.words.size(); ++k)
        if (!send.accepted[k])
          throw SimulationError(fmt::format(
              "tile {}, cycle {}: exchange: word {} of the send at pc 0x{:x} (issued at cycle {}) reached no receiver: "
              "no tile listened to tile {} ($INCOMING_MUX) with words expected ($INCOMING_DCOUNT > 0) when it "
              "arrived",
              s, departure(send, k), k, send.pc, send.issue_cycle, s));
}

DeliveryStats Fabric::finish_superstep(const std::vector<tile::TileCore *> &tiles, ThreadPool *pool) {
  deliver_all(tiles, pool);

  for (unsigned r = 0; r < tiles.size(); ++r)
    if (rx_[r].state.dcount != 0)
      throw SimulationError(fmt::format(
          "tile {}, cycle {}: exchange: {} still expecting {} word(s) from {} (a receive of data not yet sent, or "
          "still in flight)",
          r, tiles[r]->cycle() - 1, tiles[r]->finished() ? "ended" : "reached the internal sync",
          rx_[r].state.dcount, tile_name(rx_[r].state.mux)));

  check_every_word_received(tiles);
  for (unsigned s = 0; s < tiles.size(); ++s)
    for (const tile::SendRecord &send : tiles[s]->exchange().sends) step_.words += send.words.size();

  for (unsigned r = 0; r < tiles.size(); ++r) {
    tiles[r]->exchange().sends.clear();
    tiles[r]->exchange().writes.clear();
    rx_[r].next_write = 0;
    rx_[r].streams.clear();
    step_.deliveries += rx_[r].deliveries;
    rx_[r].deliveries = 0;
  }
  DeliveryStats out = step_;
  step_ = DeliveryStats{};
  return out;
}

} // namespace ipusim::exchange
