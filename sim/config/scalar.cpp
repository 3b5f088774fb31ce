#include "sim/config/scalar.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace ipusim::config {
namespace {

std::string got(const std::string &text) { return "got '" + text + "'"; }

bool is_digit_in_base(char c, unsigned base, unsigned &digit) {
  if (c >= '0' && c <= '9') digit = static_cast<unsigned>(c - '0');
  else if (c >= 'a' && c <= 'f') digit = static_cast<unsigned>(c - 'a' + 10);
  else if (c >= 'A' && c <= 'F') digit = static_cast<unsigned>(c - 'A' + 10);
  else return false;
  return digit < base;
}

enum class Magnitude { ok, not_integer, overflow };

// Parses an unsigned magnitude with optional 0x/0o/0b prefix (no sign).
Magnitude parse_magnitude(const std::string &s, std::uint64_t &out) {
  unsigned base = 10;
  std::size_t i = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, i = 2;
  else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) base = 8, i = 2;
  else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) base = 2, i = 2;
  if (i >= s.size()) return Magnitude::not_integer;
  std::uint64_t v = 0;
  for (; i < s.size(); ++i) {
    unsigned d = 0;
    if (!is_digit_in_base(s[i], base, d)) return Magnitude::not_integer;
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / base) return Magnitude::overflow;
    v = v * base + d;
  }
  out = v;
  return Magnitude::ok;
}

// A whole number written in float form ("1e9", "6.0"). Returns false when the
// text is not a decimal float at all.
bool parse_float_text(const std::string &s, long double &out) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) return false;
  errno = 0;
  char *end = nullptr;
  out = std::strtold(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

} // namespace

std::optional<bool> parse_bool(const std::string &text, std::string &error) {
  static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
  static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
  for (const char *w : yes)
    if (text == w) return true;
  for (const char *w : no)
    if (text == w) return false;
  error = "expected true or false, " + got(text);
  return std::nullopt;
}

std::optional<std::uint64_t> parse_uint(const std::string &text, std::string &error) {
  std::string s = text;
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  if (!s.empty() && s[0] == '-') {
    error = "expected an unsigned integer, " + got(text);
    return std::nullopt;
  }
  std::uint64_t v = 0;
  switch (parse_magnitude(s, v)) {
  case Magnitude::ok: return v;
  case Magnitude::overflow: error = "value " + text + " does not fit in 64 bits"; return std::nullopt;
  case Magnitude::not_integer: break;
  }
  long double f = 0;
  if (parse_float_text(s, f) && std::isfinite(f)) {
    if (f < 0 || std::floor(f) != f) {
      error = "expected an unsigned integer, " + got(text);
      return std::nullopt;
    }
    if (f >= 18446744073709551616.0L) {
      error = "value " + text + " does not fit in 64 bits";
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(f);
  }
  error = "expected an unsigned integer, " + got(text);
  return std::nullopt;
}

std::optional<std::int64_t> parse_int(const std::string &text, std::string &error) {
  std::string s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  std::uint64_t v = 0;
  switch (parse_magnitude(s, v)) {
  case Magnitude::ok:
    if (v > limit) {
      error = "value " + text + " does not fit in a signed 64-bit integer";
      return std::nullopt;
    }
    return negative ? static_cast<std::int64_t>(0 - v) : static_cast<std::int64_t>(v);
  case Magnitude::overflow:
    error = "value " + text + " does not fit in a signed 64-bit integer";
    return std::nullopt;
  case Magnitude::not_integer: break;
  }
  long double f = 0;
  if (parse_float_text(s, f) && std::isfinite(f)) {
    if (std::floor(f) != f) {
      error = "expected an integer, " + got(text);
      return std::nullopt;
    }
    if (f > static_cast<long double>(limit)) {
      error = "value " + text + " does not fit in a signed 64-bit integer";
      return std::nullopt;
    }
    const auto m = static_cast<std::uint64_t>(f);
    return negative ? static_cast<std::int64_t>(0 - m) : static_cast<std::int64_t>(m);
  }
  error = "expected an integer, " + got(text);
  return std::nullopt;
}

std::optional<double> parse_float(const std::string &text, std::string &error) {
  if (text == ".inf" || text == "+.inf" || text == ".Inf" || text == "+.Inf" || text == ".INF")
    return std::numeric_limits<double>::infinity();
  if (text == "-.inf" || text == "-.Inf" || text == "-.INF") return -std::numeric_limits<double>::infinity();
  if (text == ".nan" || text == ".NaN" || text == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  std::string s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  std::uint64_t v = 0;
  if (s.size() > 2 && s[0] == '0' && s[1] != '.' && parse_magnitude(s, v) == Magnitude::ok) {
    const double d = static_cast<double>(v);
    return negative ? -d : d;
  }
  // Only plain decimal forms: strtod alone would also take "inf", "nan" and
  // hex floats, which YAML does not read as numbers.
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
      error = "expected a number, " + got(text);
      return std::nullopt;
    }
  if (s.empty() || s == ".") {
    error = "expected a number, " + got(text);
    return std::nullopt;
  }
  char *end = nullptr;
  errno = 0;
  const double d = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) {
    error = "expected a number, " + got(text);
    return std::nullopt;
  }
  if (errno == ERANGE && std::isinf(d)) {
    error = "value " + text + " is too large for a 64-bit float";
    return std::nullopt;
  }
  return d;
}

std::string format_float(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  return fmt::format("{}", v);
}

std::string quote_if_needed(const std::string &text) {
  static const char *const special[] = {"~",   "null", "Null", "NULL", "true", "True", "TRUE", "false",
                                        "False", "FALSE", "yes", "Yes", "YES", "no",   "No",   "NO",
                                        "on",  "On",   "ON",   "off",  "Off",  "OFF",  "y",    "Y",
                                        "n",   "N"};
  bool plain = !text.empty();
  for (const char *w : special)
    if (text == w) plain = false;
  for (std::size_t i = 0; plain && i < text.size(); ++i) {
    const char c = text[i];
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '.' || c == '/';
    const bool inner = c == '-' || c == '+';
    if (!word && !(inner && i > 0)) plain = false;
  }
  if (plain) return text;
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\x{:02x}", static_cast<unsigned>(c));
      else out += c;
    }
  }
  out += "\"";
  return out;
}

} // namespace ipusim::config
