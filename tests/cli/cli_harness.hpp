// Runs the ipusim executable in a scratch folder and captures what it prints.
#pragma once

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace ipusim::test {

struct Outcome {
  int exit_code = -1;
  std::string out; // stdout and stderr together
};

inline Outcome ipusim(const std::string &args, const std::string &cwd) {
  std::string cmd = "cd '" + cwd + "' && '" + std::string(IPUSIM_BINARY) + "' " + args + " 2>&1";
  Outcome o;
  FILE *p = popen(cmd.c_str(), "r");
  if (!p) return o;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) o.out.append(buf.data(), n);
  int status = pclose(p);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

// A fresh, empty scratch folder for one test.
inline std::filesystem::path scratch(const std::string &name) {
  auto dir = std::filesystem::temp_directory_path() / ("ipusim_cli_" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline void write(const std::filesystem::path &p, const std::string &text) { std::ofstream(p) << text; }
inline std::string read(const std::filesystem::path &p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

inline std::string source_dir() { return IPUSIM_SOURCE_DIR; }

} // namespace ipusim::test
