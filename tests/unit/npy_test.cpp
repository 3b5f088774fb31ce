// Tests for sim/io/npy.hpp. The expected bytes are written out by hand from
// NumPy's format description (numpy/lib/format.py): magic "\x93NUMPY",
// version, little-endian header length, a Python dict literal with sorted
// keys, 21 - len(str(shape[0])) spare spaces, then spaces and '\n' so that
// the data start at a multiple of 64.
#include "sim/io/npy.hpp"

#include "sim/common/error.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>

#include "test_files.hpp"

using ipusim::test::read_all;
using ipusim::test::TempDir;
using ipusim::test::write_text;
#endif

using namespace ipusim;
namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> bytes_of(const std::string &s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// numpy.save(f, np.arange(6, dtype=np.float16).reshape(2, 3)): the 59-byte
// dict, 20 spare spaces (21 - len("2")), 38 padding spaces and '\n' make a
// 118-byte (0x76) header, so the data start at byte 128.
const std::string kArange6F16 =
    std::string("\x93NUMPY\x01\x00\x76\x00", 10) + "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }" +
    std::string(20 + 38, ' ') + "\n" +
    // 0, 1, 2, 3, 4, 5 as binary16, little-endian.
    std::string("\x00\x00\x00\x3C\x00\x40\x00\x42\x00\x44\x00\x45", 12);


void write_file(const std::string &path, const std::string &contents) {
  std::ofstream out(path, std::ios::binary);
  out.write(contents.data(), std::streamsize(contents.size()));
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The message of the InputError f throws, or "" if it throws none.
template <class F> std::string input_error(F &&f) {
  try {
    f();
  } catch (const InputError &e) {
    return e.what();
  }
  return "";
}

// A version 1.0 file around `dict` (padded to 64 bytes) followed by `data`.
std::string npy_v1(const std::string &dict, const std::string &data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(header.size() & 0xFF);
  out += char(header.size() >> 8);
  return out + header + data;
}

// The parse error for a file made of `dict` and `data`.
std::string parse_error(const std::string &dict, const std::string &data = "") {
  return input_error([&] { parse_npy(bytes_of(npy_v1(dict, data)), "x.npy"); });
}

} // namespace

TEST_CASE("npy: writes exactly what numpy.save writes for arange(6, float16).reshape(2, 3)") {
  NpyArray a;
  a.dtype = "<f2";
  a.shape = {2, 3};
  const uint16_t halves[] = {0x0000, 0x3C00, 0x4000, 0x4200, 0x4400, 0x4500};  // 0..5
  for (uint16_t h : halves) {
    a.data.push_back(uint8_t(h & 0xFF));
    a.data.push_back(uint8_t(h >> 8));
  }
  CHECK(a.element_size() == 2);
  CHECK(a.element_count() == 6);
  const std::vector<uint8_t> enc = encode_npy(a, "x.npy");
  CHECK(enc.size() == 140);
  CHECK(enc == bytes_of(kArange6F16));

  TempDir dir;
  const std::string path = dir.file("arange.npy");
  write_npy(path, a);
  CHECK(read_file(path) == kArange6F16);
  CHECK_FALSE(fs::exists(path + ".tmp"));

  // The same data in pieces (as tiles hold a tensor) gives the same file.
  const std::string pieces = dir.file("pieces.npy");
  write_npy_pieces(pieces, "<f2", {2, 3}, {{a.data.data(), 2}, {a.data.data() + 2, 0}, {a.data.data() + 2, 10}});
  CHECK(read_file(pieces) == kArange6F16);
  CHECK(input_error([&] { write_npy_pieces(pieces, "<f2", {2, 3}, {{a.data.data(), 10}}); })
            .find("size mismatch") != std::string::npos);
}

TEST_CASE("npy: parses the numpy header of arange(6, float16).reshape(2, 3)") {
  const NpyArray a = parse_npy(bytes_of(kArange6F16), "x.npy");
  CHECK(a.dtype == "<f2");
  REQUIRE(a.shape.size() == 2);
  CHECK(a.shape[0] == 2);
  CHECK(a.shape[1] == 3);
  REQUIRE(a.data.size() == 12);
  CHECK(a.data[2] == 0x00);
  CHECK(a.data[3] == 0x3C);   // 1.0
  CHECK(a.data[11] == 0x45);  // 5.0

  TempDir dir;
  const std::string path = dir.file("in.npy");
  write_file(path, kArange6F16);
  const NpyArray b = read_npy(path);
  CHECK(b.dtype == a.dtype);
  CHECK(b.shape == a.shape);
  CHECK(b.data == a.data);
}

TEST_CASE("npy: other header shapes numpy writes") {
  NpyArray a;
  a.dtype = "|u1";
  a.data = {7};
  // 0-d array: shape "()", no spare spaces; 55-byte dict + 62 spaces + '\n'.
  std::string want = std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                     "{'descr': '|u1', 'fortran_order': False, 'shape': (), }" + std::string(62, ' ') + "\n\x07";
  CHECK(encode_npy(a, "x") == bytes_of(want));
  // 1-d: "(3,)"; 57-byte dict + 20 spare + 40 padding + '\n' = 118.
  a.dtype = "<i4";
  a.shape = {3};
  a.data.assign(12, 0);
  want = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }" +
         std::string(60, ' ') + "\n" + std::string(12, '\0');
  CHECK(encode_npy(a, "x") == bytes_of(want));
  // When dict + spare spaces + '\n' already end on a 64-byte boundary, NumPy
  // still adds 64 padding spaces: a 97-byte dict, 20 spare spaces and '\n'
  // end at byte 10 + 118 = 128, so the header is 117 + 64 + 1 = 182 (0xB6)
  // bytes and the data start at 192.
  a.dtype = "<f8";
  a.shape = {1, 0, 100, 100, 100, 100, 100, 100, 100000};
  a.data.clear();
  want = std::string("\x93NUMPY\x01\x00\xB6\x00", 10) +
         "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 0, 100, 100, 100, 100, 100, 100, 100000), }" +
         std::string(20 + 64, ' ') + "\n";
  CHECK(want.size() == 192);
  CHECK(encode_npy(a, "x") == bytes_of(want));
  const NpyArray back = parse_npy(bytes_of(want), "x");
  CHECK(back.shape == a.shape);
  CHECK(back.data.empty());
}

TEST_CASE("npy: round trip of every dtype and several shapes") {
  const char *dtypes[] = {"<f2", "<f4", "<f8", "<i1", "<i2", "<i4", "<i8", "<u1", "<u2", "<u4", "<u8", "|b1", "|u1", "|i1"};
  const size_t sizes[] = {2, 4, 8, 1, 2, 4, 8, 1, 2, 4, 8, 1, 1, 1};
  const std::vector<std::vector<size_t>> shapes = {{}, {0}, {5}, {2, 3, 4}, {1, 1, 1, 7}, {3, 0, 2}, {1000}};
  std::mt19937 rng(5);
  TempDir dir;
  int n = 0;
  for (size_t d = 0; d < std::size(dtypes); ++d) {
    CHECK(npy_dtype_size(dtypes[d]) == sizes[d]);
    for (const auto &shape : shapes) {
      NpyArray a;
      a.dtype = dtypes[d];
      a.shape = shape;
      CHECK(a.element_size() == sizes[d]);
      a.data.resize(a.element_count() * sizes[d]);
      for (auto &b : a.data) b = uint8_t(rng());
      const std::string path = dir.file("a" + std::to_string(n++) + ".npy");
      write_npy(path, a);
      const std::string raw = read_file(path);
      CHECK((raw.size() - a.data.size()) % 64 == 0);  // data start aligned
      const NpyArray b = read_npy(path);
      // One-byte dtypes are reported in NumPy's '|' spelling.
      const std::string want_dtype = sizes[d] == 1 ? std::string("|") + (dtypes[d] + 1) : std::string(dtypes[d]);
      CHECK(b.dtype == want_dtype);
      CHECK(b.shape == a.shape);
      CHECK(b.data == a.data);
      CHECK_FALSE(fs::exists(path + ".tmp"));
    }
  }
  // Overwriting an existing file replaces it.
  NpyArray small;
  small.dtype = "<u2";
  small.shape = {1};
  small.data = {0x34, 0x12};
  const std::string path = dir.file("a0.npy");
  write_npy(path, small);
  CHECK(read_npy(path).data == small.data);
}

TEST_CASE("npy: element_count and dtype sizes") {
  NpyArray a;
  CHECK(a.element_count() == 1);  // 0-d
  a.shape = {4, 0, 3};
  CHECK(a.element_count() == 0);
  a.shape = {4, 5, 3};
  CHECK(a.element_count() == 60);
  a.dtype = "<c8";
  CHECK(a.element_size() == 0);
  CHECK(npy_dtype_size(">f4") == 0);
  CHECK(npy_dtype_size("|f4") == 0);
  CHECK(npy_dtype_size("<f16") == 0);
  CHECK(npy_dtype_size("<b1") == 1);
  CHECK(npy_dtype_size("") == 0);
}

TEST_CASE("npy: reads version 2.0 and the header styles of older writers") {
  // Version 2.0: 4-byte header length.
  {
    std::string dict = "{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }";
    std::string header = dict;
    while ((12 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string file("\x93NUMPY\x02\x00", 8);
    const uint32_t len = uint32_t(header.size());
    for (int i = 0; i < 4; ++i) file += char((len >> (8 * i)) & 0xFF);
    file += header + std::string("\x01\x00\x02\x00", 4);
    const NpyArray a = parse_npy(bytes_of(file), "v2.npy");
    CHECK(a.dtype == "<u2");
    CHECK(a.shape == std::vector<size_t>{2});
    CHECK(a.data == std::vector<uint8_t>{1, 0, 2, 0});
  }
  // Old NumPy: 16-byte alignment, no spare spaces; Python 2 longs "3L".
  {
    std::string header = "{'descr': '<i2', 'fortran_order': False, 'shape': (3L,), }";
    while ((10 + header.size() + 1) % 16 != 0) header += ' ';
    header += '\n';
    std::string file("\x93NUMPY\x01\x00", 8);
    file += char(header.size());
    file += '\0';
    file += header + std::string(6, '\x05');
    const NpyArray a = parse_npy(bytes_of(file), "old.npy");
    CHECK(a.shape == std::vector<size_t>{3});
    CHECK(a.data.size() == 6);
  }
  // Any key order, double quotes, no trailing comma, trailing comma in shape.
  {
    const NpyArray a = parse_npy(
        bytes_of(npy_v1("{\"shape\": (2, 2,), \"fortran_order\": False, \"descr\": \"<f4\"}", std::string(16, '\0'))),
        "x.npy");
    CHECK(a.dtype == "<f4");
    CHECK(a.shape == (std::vector<size_t>{2, 2}));
  }
  // '<u1' is accepted and reported as '|u1'.
  CHECK(parse_npy(bytes_of(npy_v1("{'descr': '<u1', 'fortran_order': False, 'shape': (1,), }", "a")), "x").dtype ==
        "|u1");
}

TEST_CASE("npy: read errors name the file and the problem") {
  TempDir dir;
  auto read_err = [&](const std::string &contents) {
    const std::string path = dir.file("bad.npy");
    write_file(path, contents);
    return input_error([&] { read_npy(path); });
  };
  const std::string path = dir.file("bad.npy");

  std::string e = read_err("PK\x03\x04 this is a zip file");
  CHECK(e.find(path + ": error: ") == 0);
  CHECK(e.find("bad magic") != std::string::npos);

  e = read_err("");
  CHECK(e.find("bad magic") != std::string::npos);

  e = read_err(std::string("\x93NUMPY\x03\x00\x10\x00\x00\x00", 12));
  CHECK(e.find("unsupported .npy format version 3.0") != std::string::npos);
  e = read_err(std::string("\x93NUMPY\x01\x01\x10\x00", 10));
  CHECK(e.find("version 1.1") != std::string::npos);

  e = read_err(std::string("\x93NUMPY\x01\x00\x76", 9));  // header length cut short
  CHECK(e.find("truncated") != std::string::npos);
  e = read_err(kArange6F16.substr(0, 100));  // header cut short
  CHECK(e.find("truncated") != std::string::npos);
  CHECK(e.find("header needs 128 bytes, file has 100") != std::string::npos);
  e = read_err(kArange6F16.substr(0, 135));  // data cut short
  CHECK(e.find("truncated") != std::string::npos);
  CHECK(e.find("needs 12 data bytes, file has 7") != std::string::npos);
  e = read_err(kArange6F16 + "xy");  // trailing data
  CHECK(e.find("size mismatch") != std::string::npos);
  CHECK(e.find("needs 12 data bytes, file has 14") != std::string::npos);

  e = read_err(npy_v1("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "abcd"));
  CHECK(e.find("big-endian dtype '>f4'") != std::string::npos);
  e = read_err(npy_v1("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", std::string(16, 'a')));
  CHECK(e.find("Fortran-order") != std::string::npos);
  e = read_err(npy_v1("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", "abcdefgh"));
  CHECK(e.find("unsupported dtype '<c8'") != std::string::npos);

  e = input_error([&] { read_npy(dir.file("missing.npy")); });
  CHECK(e.find(dir.file("missing.npy") + ": error: cannot open") == 0);

  // All messages are one line.
  CHECK(read_err(std::string("\x93NUMPY\x01\x00\x08\x00{\n\n\n\n\n\n}", 18)).find('\n') == std::string::npos);
}

TEST_CASE("npy: malformed and unsupported headers") {
  CHECK(parse_error("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }").find("unsupported dtype '|O'") !=
        std::string::npos);
  CHECK(parse_error("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }").find("unsupported dtype") !=
        std::string::npos);
  CHECK(parse_error("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }").find("structured") !=
        std::string::npos);
  CHECK(parse_error("{'descr': '<f4', 'fortran_order': False, }").find("missing key 'shape'") != std::string::npos);
  CHECK(parse_error("{'fortran_order': False, 'shape': (1,), }").find("missing key 'descr'") != std::string::npos);
  CHECK(parse_error("{'descr': '<f4', 'shape': (1,), }").find("missing key 'fortran_order'") != std::string::npos);
  CHECK(parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}").find("unexpected key 'x'") !=
        std::string::npos);
  CHECK(parse_error("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}").find("duplicate") !=
        std::string::npos);
  CHECK(parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (1), }", "abcd").find("not a tuple") !=
        std::string::npos);
  CHECK(parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': [1], }", "abcd").find("not a tuple") !=
        std::string::npos);
  CHECK(parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }").find("non-negative") !=
        std::string::npos);
  CHECK(parse_error("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }").find("True or False") !=
        std::string::npos);
  CHECK(parse_error("{'descr': '<f4, 'fortran_order': False, 'shape': (1,), }").find("malformed") !=
        std::string::npos);
  CHECK(parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } junk").find("after the dictionary") !=
        std::string::npos);
  CHECK(parse_error("['descr', '<f4']").find("expected '{'") != std::string::npos);
  CHECK(parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }")
            .find("too large") != std::string::npos);
  CHECK(parse_error("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }")
            .find("too large") != std::string::npos);
  const std::string e = parse_error("{'descr': '<f4' 'fortran_order': False, 'shape': (1,), }");
  CHECK(e.find("x.npy: error: malformed .npy header") == 0);
  CHECK(e.find("expected ',' or '}'") != std::string::npos);
}

TEST_CASE("npy: write errors leave no file behind") {
  TempDir dir;
  const std::string path = dir.file("out.npy");
  NpyArray a;
  a.dtype = "<f4";
  a.shape = {2, 2};
  a.data.assign(15, 0);  // one byte short
  std::string e = input_error([&] { write_npy(path, a); });
  CHECK(e.find(path + ": error: size mismatch") == 0);
  CHECK(e.find("needs 16 data bytes, array has 15") != std::string::npos);
  a.data.assign(16, 0);
  a.dtype = ">f4";
  e = input_error([&] { write_npy(path, a); });
  CHECK(e.find("big-endian") != std::string::npos);
  a.dtype = "<f3";
  e = input_error([&] { write_npy(path, a); });
  CHECK(e.find("unsupported dtype '<f3'") != std::string::npos);
  CHECK_FALSE(fs::exists(path));
  CHECK_FALSE(fs::exists(path + ".tmp"));

  a.dtype = "<f4";
  const std::string nowhere = dir.file("no/such/dir/out.npy");
  e = input_error([&] { write_npy(nowhere, a); });
  CHECK(e.find(nowhere + ".tmp: error: cannot open for writing") == 0);
  CHECK_FALSE(fs::exists(nowhere + ".tmp"));

  // Renaming over a directory fails: the temporary file is removed again.
  fs::create_directories(dir.path / "adir.npy" / "x");
  const std::string over_dir = dir.file("adir.npy");
  e = input_error([&] { write_npy(over_dir, a); });
  CHECK(e.find(over_dir + ": error: cannot replace") == 0);
  CHECK_FALSE(fs::exists(over_dir + ".tmp"));
}
