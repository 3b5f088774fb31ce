// The run manifest (manifest.json): what produced a run folder, so a result
// can be traced back to the ipusim version, command line, seed and the exact
// input files.
//
// Inputs are identified by their SHA-256, so `sha256sum file` checks that a
// file is the one a run used (FNV would be shorter but not checkable with
// standard tools, nor safe against deliberate collisions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipusim {

struct ManifestInfo {
  std::vector<std::string> command_line; // argv, program name first
  uint64_t seed = 0;
  std::string run_name;
  std::string machine_name;
  std::vector<std::string> input_files; // paths as the user gave them
  // Host-dependent facts, kept apart in "host" so that comparing manifests of
  // two runs can skip them. Fill with host_name() and utc_timestamp_now();
  // left empty they are written as empty text.
  std::string hostname;
  std::string started_utc;
};

// The manifest as pretty-printed JSON (ending with a newline):
//   {"manifest_version": 1, "ipusim_version": "...", "run_name": ..., "machine": ...,
//    "seed": ..., "command_line": [...],
//    "inputs": [{"path": ..., "bytes": N, "sha256": "hex"}, ...],
//    "host": {"hostname": ..., "started_utc": ...}}
// An input that cannot be read gets null bytes and hash (the manifest is
// written after the run, when failing over it would lose the results).
// ipusim_version is the IPUSIM_VERSION compile definition, or "dev".
std::string make_manifest_json(const ManifestInfo &info);

// The version string the manifest records.
const char *ipusim_version();

// SHA-256 (FIPS 180-4) as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);
// SHA-256 of a file's bytes, read in chunks; nullopt when it cannot be read.
std::optional<std::string> sha256_file_hex(const std::string &path, uint64_t *bytes = nullptr);

// This machine's host name ("" if unknown).
std::string host_name();
// The current UTC time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_timestamp_now();

} // namespace ipusim
