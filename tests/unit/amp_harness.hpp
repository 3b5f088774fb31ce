// Helpers for the AMP tests that drive a tile with exact integer data: the
// common weight state, a supervisor that loads it and runs one worker body,
// and packing of halves and floats.
#pragma once

#include <array>
#include <cstring>
#include <fmt/format.h>
#include <string>
#include <vector>

#include "sim/numeric/half.hpp"
#include "tile_harness.hpp"

namespace ipusim::test::amp {

// The common weight state as the supervisor loads it: slot k = set * 32 + unit * 4 + word.
struct Weights {
  std::array<uint64_t, 64> slot{};
  uint64_t &at(unsigned set, unsigned unit, unsigned word) { return slot[32 * set + 4 * unit + word]; }
  uint64_t get(unsigned set, unsigned unit, unsigned word) const { return slot[32 * set + 4 * unit + word]; }
};

inline uint16_t h(int v) { return f16_from_double(v); }
inline uint32_t fbits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
inline float from_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
inline uint64_t halves(int a, int b, int c, int d) {
  return h(a) | (uint64_t(h(b)) << 16) | (uint64_t(h(c)) << 32) | (uint64_t(h(d)) << 48);
}
inline uint64_t floats(float lo, float hi) { return fbits(lo) | (uint64_t(fbits(hi)) << 32); }
inline int lane(uint64_t v, unsigned k) { return static_cast<int>(f16_to_f32(static_cast<uint16_t>(v >> (16 * k)))); }
inline int dot(uint64_t x, uint64_t w) {
  int s = 0;
  for (unsigned k = 0; k < 4; ++k) s += lane(x, k) * lane(w, k);
  return s;
}

inline std::string words64(const std::string &label, const std::vector<uint64_t> &v) {
  std::string s = ".align 8\n" + label + ":\n";
  for (uint64_t w : v) s += fmt::format("  .word 0x{:08x}, 0x{:08x}\n", uint32_t(w), uint32_t(w >> 32));
  if (v.empty()) s += "  .word 0, 0\n";
  return s;
}

// A supervisor that loads `sets` x 32 weight slots, then one worker running
// `body` with $m9 = out, $m8 = xs, $m7 = ps (64-bit words each); the
// accumulators start zeroed.
inline std::string program(const Weights &w, unsigned sets, const std::string &body,
                           const std::vector<uint64_t> &xs, const std::vector<uint64_t> &ps) {
  std::string s = ".section .text.sup, \"ax\"\n.supervisor\n.align 8\nmain:\n  setzi $m0, wts\n"
                  "  put $CCCSLOAD, $m0\n";
  for (unsigned k = 0; k < 32 * sets; ++k) s += fmt::format("  ld64putcs {}\n", k);
  s += "  setzi $m0, worker\n  setzi $m1, vstate\n  run $m0, $m1, 0\n  sync 2\n  bri done\ndone:\n  nop\n"
       ".section .text.w, \"ax\"\n.worker\n.align 8\nworker:\n  setzi $m9, out\n  setzi $m8, xs\n"
       "  setzi $m7, ps\n  setzi $a0, 0x8\n  uput $FP_CLR, $a0\n" +
       body + "\n  exitz $mzero\n.section .data, \"aw\"\n.align 16\nvstate:\n  .word 0\n";
  s += words64("wts", std::vector<uint64_t>(w.slot.begin(), w.slot.begin() + 32 * sets));
  s += words64("xs", xs) + words64("ps", ps) + ".align 8\nout:\n  .space 1024\n";
  return s;
}

inline tile::TileParams two_sets() {
  tile::TileParams p = default_params();
  p.amp_sets = 2;
  return p;
}

inline uint64_t out64(const TileRun &r, unsigned k) { return r.core.sram().read<uint64_t>(r.sym("out") + 8 * k); }

} // namespace ipusim::test::amp
