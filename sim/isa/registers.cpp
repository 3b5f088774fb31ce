#include "sim/isa/registers.hpp"

#include <cctype>

namespace ipusim::isa {

namespace {
bool parse_uint(std::string_view s, unsigned &out) {
  if (s.empty() || s.size() > 2) return false;
  out = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}
} // namespace

std::optional<RegisterRef> parse_register(std::string_view t) {
  if (!t.empty() && t[0] == '$') t.remove_prefix(1);
  if (t == "mzero") return RegisterRef{false, kMZero, 1};
  if (t == "mvertex_base") return RegisterRef{false, kMVertexBase, 1};
  if (t == "mworker_base") return RegisterRef{false, kMWorkerBase, 1};
  if (t == "lr") return RegisterRef{false, kMLinkRegister, 1};
  if (t == "sp") return RegisterRef{false, kMStackPointer, 1};
  if (t == "fp") return RegisterRef{false, kMFramePointer, 1};
  if (t == "azero") return RegisterRef{true, kAZero, 1};
  if (t == "azeros") return RegisterRef{true, 14, 2};
  // $aqN: the ARF quad $a(4N):(4N+3), as poplibs' FP8 cast writes `$aq0`.
  if (t.size() == 3 && t[0] == 'a' && t[1] == 'q' && t[2] >= '0' && t[2] <= '3')
    return RegisterRef{true, 4u * unsigned(t[2] - '0'), 4};
  if (t.size() < 2 || (t[0] != 'm' && t[0] != 'a')) return std::nullopt;
  bool arf = t[0] == 'a';
  t.remove_prefix(1);
  size_t colon = t.find(':');
  unsigned first = 0, last = 0;
  if (!parse_uint(t.substr(0, colon), first) || first > 15) return std::nullopt;
  if (colon == std::string_view::npos) return RegisterRef{arf, first, 1};
  if (!parse_uint(t.substr(colon + 1), last) || last > 15 || last < first) return std::nullopt;
  unsigned count = last - first + 1;
  if (count != 2 && count != 4) return std::nullopt;
  return RegisterRef{arf, first, count};
}

std::string mreg_name(unsigned i) { return i == kMZero ? "$mzero" : "$m" + std::to_string(i); }

std::string areg_name(unsigned i, unsigned count) {
  if (count == 1) return i == kAZero ? "$azero" : "$a" + std::to_string(i);
  if (count == 2 && i == 14) return "$azeros";
  return "$a" + std::to_string(i) + ":" + std::to_string(i + count - 1);
}

} // namespace ipusim::isa
