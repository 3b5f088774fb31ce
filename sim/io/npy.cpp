// .npy reading and writing. The format (NumPy's numpy/lib/format.py,
// "NEP 1"): the 6-byte magic "\x93NUMPY", major and minor version bytes, the
// header length (little-endian uint16 in 1.0, uint32 in 2.0), then the header:
// a Python dict literal with exactly the keys 'descr', 'fortran_order' and
// 'shape', padded with spaces and ended by '\n' so that the data start on a
// 64-byte boundary, then the raw element data.
#include "sim/io/npy.hpp"

#include "sim/common/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>

namespace ipusim {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kArrayAlign = 64;      // NumPy's ARRAY_ALIGN
constexpr size_t kGrowthAxisDigits = 21;  // NumPy's GROWTH_AXIS_MAX_DIGITS
// NumPy itself refuses headers above 10000 bytes by default; allow more, but
// refuse absurd lengths before allocating anything.
constexpr size_t kMaxHeaderLen = 1 << 20;

constexpr const char *kSupportedList = "<f2 <f4 <f8 <i1 <i2 <i4 <i8 <u1 <u2 <u4 <u8 |b1 |u1 |i1";

[[noreturn]] void fail(const std::string &name, const std::string &msg) {
  throw InputError(SourceLocation{name, 0, 0}, msg);
}

// Size of the kind+size part ("f2", "u8", ...) of a supported dtype, else 0.
size_t kind_size(char kind, char size) {
  switch (kind) {
  case 'f':
    return (size == '2' || size == '4' || size == '8') ? size_t(size - '0') : 0;
  case 'i':
  case 'u':
    return (size == '1' || size == '2' || size == '4' || size == '8') ? size_t(size - '0') : 0;
  case 'b':
    return size == '1' ? 1 : 0;
  default:
    return 0;
  }
}

enum class DtypeCheck { ok, unsupported, big_endian };

// Checks a dtype string; on success sets `normalized` (one-byte types get
// the '|' byte order) and `size`.
DtypeCheck check_dtype(const std::string &d, std::string &normalized, size_t &size) {
  if (d.size() != 3) return DtypeCheck::unsupported;
  const size_t sz = kind_size(d[1], d[2]);
  if (sz == 0) return DtypeCheck::unsupported;
  if (sz == 1) {
    if (d[0] != '<' && d[0] != '>' && d[0] != '|') return DtypeCheck::unsupported;
    normalized = std::string("|") + d[1] + d[2];
  } else {
    if (d[0] == '>') return DtypeCheck::big_endian;
    if (d[0] != '<') return DtypeCheck::unsupported;
    normalized = d;
  }
  size = sz;
  return DtypeCheck::ok;
}

void require_dtype(const std::string &d, const std::string &name, std::string &normalized, size_t &size) {
  switch (check_dtype(d, normalized, size)) {
  case DtypeCheck::ok:
    return;
  case DtypeCheck::big_endian:
    fail(name, "big-endian dtype '" + d + "' is not supported; save the array as little-endian (e.g. a.astype('<" +
                   d.substr(1) + "'))");
  case DtypeCheck::unsupported:
    break;
  }
  fail(name, "unsupported dtype '" + d + "' (supported: " + std::string(kSupportedList) + ")");
}

// "(2, 3)" as Python's repr of the shape tuple.
std::string shape_repr(const std::vector<size_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

// Product of the shape times `elem`, or false on size_t overflow.
bool byte_count(const std::vector<size_t> &shape, size_t elem, size_t &out) {
  size_t n = elem;
  for (size_t d : shape) {
    if (d != 0 && n > std::numeric_limits<size_t>::max() / d) return false;
    n *= d;
  }
  out = n;
  return true;
}

// The header text made printable and short, for error messages (the header
// may contain anything, but messages are one line).
std::string quote_header(const std::string &h) {
  std::string out;
  size_t end = h.size();
  while (end > 0 && (h[end - 1] == ' ' || h[end - 1] == '\n')) --end;
  for (size_t i = 0; i < end && out.size() < 160; ++i) {
    const unsigned char c = static_cast<unsigned char>(h[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += char(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (end > 0 && out.size() >= 160) out += "...";
  return "\"" + out + "\"";
}

// A parser for the small subset of Python literal syntax NumPy headers use:
// a dict with string keys whose values are strings, True/False, or tuples of
// non-negative integers (Python 2 files may write "3L").
class HeaderParser {
public:
  HeaderParser(const std::string &text, const std::string &name) : t_(text), name_(name) {}

  struct Result {
    std::string descr;
    bool fortran_order = false;
    std::vector<size_t> shape;
  };

  Result parse() {
    Result r;
    bool have_descr = false, have_order = false, have_shape = false;
    skip_ws();
    expect('{');
    skip_ws();
    while (peek() != '}') {
      const std::string key = parse_string();
      skip_ws();
      expect(':');
      skip_ws();
      if (key == "descr") {
        if (have_descr) error("duplicate key 'descr'");
        if (peek() != '\'' && peek() != '"') {
          error("'descr' is not a simple dtype string (structured dtypes are not supported)");
        }
        r.descr = parse_string();
        have_descr = true;
      } else if (key == "fortran_order") {
        if (have_order) error("duplicate key 'fortran_order'");
        r.fortran_order = parse_bool();
        have_order = true;
      } else if (key == "shape") {
        if (have_shape) error("duplicate key 'shape'");
        r.shape = parse_shape();
        have_shape = true;
      } else {
        error("unexpected key '" + key + "'");
      }
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        skip_ws();
      } else if (peek() != '}') {
        error("expected ',' or '}'");
      }
    }
    ++pos_;  // '}'
    skip_ws();
    if (pos_ != t_.size()) error("unexpected text after the dictionary");
    if (!have_descr) error("missing key 'descr'");
    if (!have_order) error("missing key 'fortran_order'");
    if (!have_shape) error("missing key 'shape'");
    return r;
  }

private:
  [[noreturn]] void error(const std::string &what) {
    fail(name_, "malformed .npy header (" + what + " at offset " + std::to_string(pos_) + "): " + quote_header(t_));
  }
  char peek() const { return pos_ < t_.size() ? t_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < t_.size() && (t_[pos_] == ' ' || t_[pos_] == '\t' || t_[pos_] == '\n' || t_[pos_] == '\r')) ++pos_;
  }
  void expect(char c) {
    if (peek() != c) error(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string parse_string() {
    const char q = peek();
    if (q != '\'' && q != '"') error("expected a quoted string");
    ++pos_;
    const size_t start = pos_;
    while (pos_ < t_.size() && t_[pos_] != q) {
      if (t_[pos_] == '\\' || t_[pos_] == '\n') error("unsupported character in string");
      ++pos_;
    }
    if (pos_ >= t_.size()) error("unterminated string");
    return t_.substr(start, pos_++ - start);
  }
  bool parse_bool() {
    if (t_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (t_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    error("'fortran_order' is not True or False");
  }
  size_t parse_uint() {
    if (!(peek() >= '0' && peek() <= '9')) error("expected a non-negative integer in 'shape'");
    size_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      const size_t d = size_t(peek() - '0');
      if (v > (std::numeric_limits<size_t>::max() - d) / 10) error("dimension too large in 'shape'");
      v = v * 10 + d;
      ++pos_;
    }
    if (peek() == 'L') ++pos_;  // Python 2 long
    return v;
  }
  // A tuple: "()", "(n,)", "(n, m)" or "(n, m,)". "(n)" is an int in
  // Python, not a tuple, and NumPy rejects it; so do we.
  std::vector<size_t> parse_shape() {
    std::vector<size_t> shape;
    if (peek() != '(') error("'shape' is not a tuple");
    ++pos_;
    skip_ws();
    bool trailing_comma = false;
    while (peek() != ')') {
      shape.push_back(parse_uint());
      skip_ws();
      trailing_comma = false;
      if (peek() == ',') {
        ++pos_;
        skip_ws();
        trailing_comma = true;
      } else if (peek() != ')') {
        error("expected ',' or ')' in 'shape'");
      }
    }
    ++pos_;
    if (shape.size() == 1 && !trailing_comma) error("'shape' is not a tuple");
    return shape;
  }

  const std::string &t_;
  const std::string &name_;
  size_t pos_ = 0;
};

struct ParsedHeader {
  NpyArray array;      // dtype and shape set, data empty
  size_t data_offset;  // where the data start in the file
  size_t data_bytes;   // how many bytes they need
};

ParsedHeader parse_header(const uint8_t *bytes, size_t size, const std::string &name) {
  if (size < kMagicLen + 2 || std::memcmp(bytes, kMagic, kMagicLen) != 0) {
    fail(name, "not a .npy file (bad magic string)");
  }
  const unsigned major = bytes[6], minor = bytes[7];
  size_t len_bytes;
  if (major == 1 && minor == 0) {
    len_bytes = 2;
  } else if (major == 2 && minor == 0) {
    len_bytes = 4;
  } else {
    fail(name, "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                   " (supported: 1.0, 2.0)");
  }
  const size_t prefix = kMagicLen + 2 + len_bytes;
  if (size < prefix) {
    fail(name, "truncated .npy file: " + std::to_string(size) + " bytes, too short for the header length field");
  }
  size_t header_len = 0;
  for (size_t i = 0; i < len_bytes; ++i) header_len |= size_t(bytes[8 + i]) << (8 * i);
  if (header_len > kMaxHeaderLen) {
    fail(name, "unreasonable .npy header length " + std::to_string(header_len) + " bytes");
  }
  if (size - prefix < header_len) {
    fail(name, "truncated .npy file: the header needs " + std::to_string(prefix + header_len) + " bytes, file has " +
                   std::to_string(size));
  }
  const std::string text(reinterpret_cast<const char *>(bytes + prefix), header_len);
  const HeaderParser::Result h = HeaderParser(text, name).parse();

  ParsedHeader out;
  size_t elem = 0;
  require_dtype(h.descr, name, out.array.dtype, elem);
  if (h.fortran_order) {
    fail(name, "Fortran-order arrays are not supported; save a C-order array (np.ascontiguousarray)");
  }
  out.array.shape = h.shape;
  if (!byte_count(h.shape, elem, out.data_bytes)) {
    fail(name, "shape " + shape_repr(h.shape) + " is too large");
  }
  out.data_offset = prefix + header_len;
  const size_t have = size - out.data_offset;
  if (have < out.data_bytes) {
    fail(name, "truncated .npy file: shape " + shape_repr(h.shape) + " of " + out.array.dtype + " needs " +
                   std::to_string(out.data_bytes) + " data bytes, file has " + std::to_string(have));
  }
  if (have > out.data_bytes) {
    fail(name, "size mismatch: shape " + shape_repr(h.shape) + " of " + out.array.dtype + " needs " +
                   std::to_string(out.data_bytes) + " data bytes, file has " + std::to_string(have) +
                   " (trailing data)");
  }
  return out;
}

std::string errno_text() { return std::strerror(errno); }

} // namespace

size_t npy_dtype_size(const std::string &dtype) {
  std::string normalized;
  size_t size = 0;
  return check_dtype(dtype, normalized, size) == DtypeCheck::ok ? size : 0;
}

size_t NpyArray::element_size() const { return npy_dtype_size(dtype); }

size_t NpyArray::element_count() const {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

NpyArray parse_npy(const std::vector<uint8_t> &bytes, const std::string &name) {
  ParsedHeader p = parse_header(bytes.data(), bytes.size(), name);
  p.array.data.assign(bytes.begin() + std::ptrdiff_t(p.data_offset), bytes.end());
  return std::move(p.array);
}

NpyArray read_npy(const std::string &path) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) fail(path, "cannot open .npy file for reading: " + errno_text());
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  bool read_error = false;
  for (;;) {
    const size_t n = std::fread(buf, 1, sizeof buf, f);
    bytes.insert(bytes.end(), buf, buf + n);
    if (n < sizeof buf) {
      read_error = std::ferror(f) != 0;
      break;
    }
  }
  std::fclose(f);
  if (read_error) fail(path, "error while reading .npy file");
  ParsedHeader p = parse_header(bytes.data(), bytes.size(), path);
  // Drop the header in place rather than copying the data a second time.
  bytes.erase(bytes.begin(), bytes.begin() + std::ptrdiff_t(p.data_offset));
  p.array.data = std::move(bytes);
  return std::move(p.array);
}

namespace {

// Everything before the data: magic, version 1.0, header length and the
// header, exactly as numpy.lib.format writes them. Validates the array.
std::string npy_prefix(const std::string &array_dtype, const std::vector<size_t> &shape, size_t data_bytes,
                       const std::string &name) {
  std::string dtype;
  size_t elem = 0;
  require_dtype(array_dtype, name, dtype, elem);
  size_t need = 0;
  if (!byte_count(shape, elem, need)) fail(name, "shape " + shape_repr(shape) + " is too large");
  if (data_bytes != need) {
    fail(name, "size mismatch: shape " + shape_repr(shape) + " of " + dtype + " needs " +
                   std::to_string(need) + " data bytes, array has " + std::to_string(data_bytes));
  }
  // Keys sorted, each "'key': repr, ", spare spaces so that axis 0 could grow
  // to 21 digits in place, then spaces and '\n' up to the next multiple of
  // 64 (a full 64 more when already aligned, as NumPy does).
  std::string header = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': " + shape_repr(shape) + ", }";
  if (!shape.empty()) header.append(kGrowthAxisDigits - std::to_string(shape[0]).size(), ' ');
  const size_t hlen = header.size() + 1;  // + '\n'
  const size_t pad = kArrayAlign - (kMagicLen + 2 + 2 + hlen) % kArrayAlign;
  header.append(pad, ' ');
  header += '\n';
  if (header.size() > 0xFFFF) fail(name, "too many dimensions for a version 1.0 .npy header");

  std::string out(kMagic, kMagicLen);
  out += char(1);
  out += char(0);
  out += char(header.size() & 0xFF);
  out += char(header.size() >> 8);
  return out + header;
}

} // namespace

std::vector<uint8_t> encode_npy(const NpyArray &array, const std::string &name) {
  const std::string prefix = npy_prefix(array.dtype, array.shape, array.data.size(), name);
  std::vector<uint8_t> out;
  out.reserve(prefix.size() + array.data.size());
  out.insert(out.end(), prefix.begin(), prefix.end());
  out.insert(out.end(), array.data.begin(), array.data.end());
  return out;
}

void write_npy(const std::string &path, const NpyArray &array) {
  write_npy_pieces(path, array.dtype, array.shape, {{array.data.data(), array.data.size()}});
}

void write_npy_pieces(const std::string &path, const std::string &dtype, const std::vector<size_t> &shape,
                      const std::vector<NpyPiece> &pieces) {
  size_t bytes = 0;
  for (const NpyPiece &p : pieces) bytes += p.size;
  const std::string prefix = npy_prefix(dtype, shape, bytes, path);  // validate before touching the disk
  const std::string tmp = path + ".tmp";
  std::FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail(tmp, "cannot open for writing: " + errno_text());
  bool ok = std::fwrite(prefix.data(), 1, prefix.size(), f) == prefix.size();
  for (const NpyPiece &p : pieces)
    if (ok && p.size) ok = std::fwrite(p.data, 1, p.size, f) == p.size;
  std::string why = ok ? std::string() : errno_text();
  if (std::fclose(f) != 0 && ok) {  // a full disk may only show here
    ok = false;
    why = errno_text();
  }
  if (!ok) {
    std::remove(tmp.c_str());
    fail(tmp, "error while writing .npy file: " + why);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    why = errno_text();
    std::remove(tmp.c_str());
    fail(path, "cannot replace file with " + tmp + ": " + why);
  }
}

} // namespace ipusim
