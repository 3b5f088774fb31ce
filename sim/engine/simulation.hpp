// `ipusim run`: from a run YAML to a results folder. Loads and checks the run
// and machine configs, builds the tile model, loads the program, simulates
// under the SystemC kernel and writes the outputs (see docs/outputs.md).
#pragma once

#include <string>
#include <vector>

namespace ipusim::engine {

struct RunRequest {
  std::string run_yaml;
  // "key.path=value": keys under "machine." override the machine config,
  // all others the run config.
  std::vector<std::string> overrides;
  std::string output_dir;                // empty: outputs.dir, else runs/<name>-NNN
  std::vector<std::string> command_line; // for the manifest
  // Host threads running a chip's tiles (0: one per hardware thread). The
  // results are the same for any number.
  unsigned threads = 0;
};

struct RunResult {
  std::string directory;
  std::string summary;
};

// Throws InputError (bad input; nothing or a *.failed folder is left) or
// SimulationError (the program faulted; its folder is renamed *.failed).
RunResult run_simulation(const RunRequest &request);

// Where the machine presets live.
std::vector<std::string> preset_dirs();

} // namespace ipusim::engine
