// Reading and writing NumPy .npy files: the data exchange format between the
// simulator and Python (inputs for simulated programs, results to compare).
//
// Supported: format versions 1.0 and 2.0 on read (1.0 on write), C order,
// any shape (including 0-d scalars and zero-sized arrays) and the
// little-endian numeric dtypes
//   <f2 <f4 <f8  <i1 <i2 <i4 <i8  <u1 <u2 <u4 <u8  |b1 |u1 |i1
// One-byte dtypes have no byte order; they are stored and reported in the
// '|' form that NumPy itself uses ('<u1' on read becomes '|u1').
// The data are kept as raw little-endian bytes: the caller reinterprets them
// (binary16 values stay bit patterns, see sim/numeric/half.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ipusim {

struct NpyArray {
  std::string dtype;          // NumPy dtype string, e.g. "<f2" or "|u1"
  std::vector<size_t> shape;  // empty = 0-d array (one element)
  std::vector<uint8_t> data;  // element_count() * element_size() bytes, C order

  // Bytes per element; 0 if dtype is not one of the supported dtypes.
  size_t element_size() const;
  // Product of the shape (1 for a 0-d array).
  size_t element_count() const;
};

// Bytes per element of a supported dtype string (either byte-order spelling
// of the one-byte types), 0 if unsupported.
size_t npy_dtype_size(const std::string &dtype);

// Reads a .npy file. Throws InputError naming the file and the problem (cannot
// open, bad magic, unsupported version, truncated, malformed header,
// unsupported or big-endian dtype, Fortran order, data size mismatch).
NpyArray read_npy(const std::string &path);

// Parses .npy file contents already in memory; `name` is used in messages.
NpyArray parse_npy(const std::vector<uint8_t> &bytes, const std::string &name);

// The complete file contents write_npy would write (format 1.0, header padded
// to 64 bytes as NumPy does). Throws InputError (naming `name`) if the dtype is
// unsupported or the data size does not match the shape.
std::vector<uint8_t> encode_npy(const NpyArray &array, const std::string &name);

// Writes a .npy file (format 1.0) byte-identical to what numpy.save writes for
// the same array. Writes to path + ".tmp" and renames it over path, so path
// never holds a half-written file. Throws InputError on a bad array or an I/O
// failure.
void write_npy(const std::string &path, const NpyArray &array);

// The same for data held in pieces elsewhere (e.g. in several tiles'
// memories), written in order without gathering them: their sizes must add
// up to what the dtype and shape need.
struct NpyPiece {
  const uint8_t *data;
  size_t size;
};
void write_npy_pieces(const std::string &path, const std::string &dtype, const std::vector<size_t> &shape,
                      const std::vector<NpyPiece> &pieces);

} // namespace ipusim
