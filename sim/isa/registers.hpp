// Register names and the per-generation aliases. poplibs (the client of the
// simulator) treats $m10 as the link register and $m11 as the stack pointer,
// although the ISA hover text says $m6/$m7: we follow poplibs (see
// docs/isa.md and ipu-reference.md section 2, "Registers").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ipusim::isa {

constexpr unsigned kMZero = 15;       // $mzero
constexpr unsigned kMVertexBase = 13; // $mvertex_base
constexpr unsigned kMWorkerBase = 12; // $mworker_base
constexpr unsigned kMLinkRegister = 10; // $lr (poplibs)
constexpr unsigned kMStackPointer = 11; // $sp (poplibs)
constexpr unsigned kMFramePointer = 9;  // $fp (assumption: unused by the codelets we run)
constexpr unsigned kAZero = 15; // $azero; $a14 and $a15 always read 0, $azeros = $a14:15

struct RegisterRef {
  bool arf;       // ARF ($a) or MRF ($m)
  unsigned index; // first register
  unsigned count; // 1, 2 or 4 consecutive registers
};

// Parse "$m3", "$a0:1", "$a4:7", "$mzero", "$lr", "$azeros", ... (with or without '$').
std::optional<RegisterRef> parse_register(std::string_view text);

std::string mreg_name(unsigned i);
std::string areg_name(unsigned i, unsigned count);

} // namespace ipusim::isa
