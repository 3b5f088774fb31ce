// Errors that reach the user. Every error carries where it happened and is
// printed on one line; the error's kind selects the process exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace ipusim {

// Process exit codes (documented in docs/cli.md).
enum class ExitCode : int {
  ok = 0,
  usage = 2,       // bad command line
  input = 3,       // bad config, program, assembly or data file
  simulation = 4,  // the simulated program faulted, deadlocked or timed out
  internal = 5,    // a bug in ipusim
};

// A position in a text file. line and column are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:column", "file:line" or "file" depending on what is known.
  std::string str() const {
    std::string s = file;
    if (line > 0) {
      s += ":" + std::to_string(line);
      if (column > 0) s += ":" + std::to_string(column);
    }
    return s;
  }
};

// Base of all user-facing errors. what() is the complete one-line message.
class Error : public std::runtime_error {
public:
  Error(ExitCode code, const std::string &message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

private:
  ExitCode code_;
};

// Bad configuration, program description, assembly source or data file.
class InputError : public Error {
public:
  explicit InputError(const std::string &message) : Error(ExitCode::input, message) {}
  InputError(const SourceLocation &where, const std::string &message)
      : Error(ExitCode::input, where.str() + ": error: " + message) {}
};

// The simulated program did something the hardware would trap on, or the run
// made no progress.
class SimulationError : public Error {
public:
  explicit SimulationError(const std::string &message) : Error(ExitCode::simulation, message) {}
};

// Bad command line.
class UsageError : public Error {
public:
  explicit UsageError(const std::string &message) : Error(ExitCode::usage, message) {}
};

} // namespace ipusim
