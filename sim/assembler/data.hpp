// Byte encodings of gas data directives (little-endian target).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ipusim::assembler {

// Appends the low `size` bytes of `value`, least significant first.
void put_le(std::vector<uint8_t> &out, uint64_t value, unsigned size);

// True if `value` fits in `size` bytes as a signed or an unsigned number
// (gas accepts both: `.byte -1` and `.byte 255`).
bool fits_in(int64_t value, unsigned size);

// Parses a floating-point literal (decimal, hex float, inf, nan, with an
// optional gas `0f`/`0d` prefix) exactly as strtof/strtod round it, and
// appends its IEEE-754 bytes (size 4 or 8). False if the text is not a
// number.
bool encode_float(std::string_view text, unsigned size, std::vector<uint8_t> &out);

} // namespace ipusim::assembler
