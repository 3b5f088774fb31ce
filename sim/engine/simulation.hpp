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
  // How the model is advanced: the fast engine (each tile runs on its own to
  // its next sync), or the reference engine (every tile cycle by cycle under
  // the SystemC kernel, one host thread). The results are the same.
  enum class Engine { fast, reference };
  Engine engine = Engine::fast;
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
