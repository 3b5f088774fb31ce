// Reading and writing scalar values as YAML text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace ipusim::config {

// A resolved scalar. Which alternative is held follows the schema's type:
// bool; int -> int64; uint -> uint64; float -> double; string, enum, path
// and any -> string.
using Value = std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double, std::string>;

// The parse functions return the value, or set `error` to a phrase that
// completes "<key>: ..." (e.g. "expected an unsigned integer, got 'abc'").

// true/false, yes/no, on/off in lower, Title or UPPER case.
std::optional<bool> parse_bool(const std::string &text, std::string &error);
// Decimal (optionally signed), 0x hex, 0o octal, 0b binary, or a decimal
// float form such as 1e6 when its value is a whole number that fits.
std::optional<std::int64_t> parse_int(const std::string &text, std::string &error);
std::optional<std::uint64_t> parse_uint(const std::string &text, std::string &error);
// Any decimal float, an integer in the forms above, or .inf/-.inf/.nan.
std::optional<double> parse_float(const std::string &text, std::string &error);

// Formats a double so that parse_float reads back the same bits.
std::string format_float(double v);

// The text unchanged when YAML would read it back as the same plain string,
// otherwise double-quoted with escapes.
std::string quote_if_needed(const std::string &text);

} // namespace ipusim::config
