#include "sim/engine/manifest.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#ifndef IPUSIM_VERSION
#define IPUSIM_VERSION "dev"
#endif

namespace ipusim {

namespace {

// SHA-256 after FIPS 180-4, section 6.2. Small and dependency-free; speed is
// irrelevant for hashing a few input files once per run.
class Sha256 {
public:
  void update(const unsigned char *data, std::size_t size) {
    total_bytes_ += size;
    while (size > 0) {
      std::size_t take = std::min(size, block_.size() - used_);
      std::copy(data, data + take, block_.begin() + used_);
      used_ += take;
      data += take;
      size -= take;
      if (used_ == block_.size()) {
        compress();
        used_ = 0;
      }
    }
  }

  std::string hex_digest() {
    // Padding (5.1.1): a 1 bit, zeros up to 56 bytes mod 64, the bit length.
    uint64_t bit_length = total_bytes_ * 8;
    block_[used_++] = 0x80;
    if (used_ > 56) {
      std::fill(block_.begin() + used_, block_.end(), 0);
      compress();
      used_ = 0;
    }
    std::fill(block_.begin() + used_, block_.begin() + 56, 0);
    for (int i = 0; i < 8; ++i)
      block_[56 + i] = uint8_t(bit_length >> (56 - 8 * i));
    compress();
    std::string out;
    for (uint32_t word : h_)
      out += fmt::format("{:08x}", word);
    return out;
  }

private:
  static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

  void compress() {
    static constexpr uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    uint32_t w[64];
    for (int t = 0; t < 16; ++t)
      w[t] = uint32_t(block_[4 * t]) << 24 | uint32_t(block_[4 * t + 1]) << 16 |
             uint32_t(block_[4 * t + 2]) << 8 | uint32_t(block_[4 * t + 3]);
    for (int t = 16; t < 64; ++t) {
      uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
      uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
    for (int t = 0; t < 64; ++t) {
      uint32_t t1 =
          h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[t] + w[t];
      uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
    h_[5] += f;
    h_[6] += g;
    h_[7] += h;
  }

  std::array<uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> block_{};
  std::size_t used_ = 0;
  uint64_t total_bytes_ = 0;
};

} // namespace

const char *ipusim_version() { return IPUSIM_VERSION; }

std::string sha256_hex(std::string_view data) {
  Sha256 sha;
  sha.update(reinterpret_cast<const unsigned char *>(data.data()), data.size());
  return sha.hex_digest();
}

std::optional<std::string> sha256_file_hex(const std::string &path, uint64_t *bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  Sha256 sha;
  uint64_t total = 0;
  std::array<char, 65536> chunk;
  while (in) {
    in.read(chunk.data(), chunk.size());
    std::streamsize got = in.gcount();
    if (got <= 0)
      break;
    sha.update(reinterpret_cast<const unsigned char *>(chunk.data()), std::size_t(got));
    total += uint64_t(got);
  }
  if (in.bad())
    return std::nullopt; // a read error, not the end of the file
  if (bytes)
    *bytes = total;
  return sha.hex_digest();
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0)
    return {};
  return name;
}

std::string utc_timestamp_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string make_manifest_json(const ManifestInfo &info) {
  // ordered_json keeps the fields in the order a reader expects them.
  nlohmann::ordered_json m;
  m["manifest_version"] = 1;
  m["ipusim_version"] = ipusim_version();
  m["run_name"] = info.run_name;
  m["machine"] = info.machine_name;
  m["seed"] = info.seed;
  m["command_line"] = info.command_line;
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  for (const std::string &path : info.input_files) {
    nlohmann::ordered_json entry;
    entry["path"] = path;
    uint64_t bytes = 0;
    if (std::optional<std::string> hash = sha256_file_hex(path, &bytes)) {
      entry["bytes"] = bytes;
      entry["sha256"] = *hash;
    } else {
      entry["bytes"] = nullptr;
      entry["sha256"] = nullptr;
    }
    inputs.push_back(std::move(entry));
  }
  m["inputs"] = std::move(inputs);
  m["host"]["hostname"] = info.hostname;
  m["host"]["started_utc"] = info.started_utc;
  // Command lines may hold bytes that are not UTF-8: replace, do not throw.
  return m.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

} // namespace ipusim
