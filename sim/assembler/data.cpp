#include "sim/assembler/data.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ipusim::assembler {

void put_le(std::vector<uint8_t> &out, uint64_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

bool fits_in(int64_t value, unsigned size) {
  if (size >= 8) return true;
  int64_t lo = -(int64_t{1} << (8 * size - 1));
  int64_t hi = (int64_t{1} << (8 * size)) - 1;
  return value >= lo && value <= hi;
}

namespace {

bool parse_exact(const std::string &text, unsigned size, std::vector<uint8_t> &out) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return false;
  const char *begin = text.c_str();
  char *end = nullptr;
  errno = 0;
  if (size == 4) {
    float f = std::strtof(begin, &end);
    if (end != begin + text.size()) return false;
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    put_le(out, bits, 4);
  } else {
    double d = std::strtod(begin, &end);
    if (end != begin + text.size()) return false;
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    put_le(out, bits, 8);
  }
  return true;
}

} // namespace

bool encode_float(std::string_view text, unsigned size, std::vector<uint8_t> &out) {
  std::string s(text);
  if (parse_exact(s, size, out)) return true;
  // gas's float prefix: 0f1.5, 0d-2.0, 0e...
  if (s.size() > 2 && s[0] == '0' && std::strchr("fFdDeE", s[1]) && s[1] != '\0')
    return parse_exact(s.substr(2), size, out);
  return false;
}

} // namespace ipusim::assembler
