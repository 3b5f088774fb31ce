#include "sim/assembler/preprocess.hpp"

#include "sim/common/error.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace ipusim::assembler {
namespace {

// Closes a file descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

bool is_number(const std::string &s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return s.size() < 9;
}

// Turns "file:line:col: error: message" (or without the column, or a
// "fatal error") into an InputError at that place; anything else verbatim.
InputError cpp_error(const std::string &line) {
  for (const char *marker : {": fatal error: ", ": error: "}) {
    size_t at = line.find(marker);
    if (at == std::string::npos) continue;
    std::string where = line.substr(0, at);
    std::string message = line.substr(at + std::strlen(marker));
    SourceLocation loc;
    size_t c1 = where.rfind(':');
    if (c1 != std::string::npos && is_number(where.substr(c1 + 1))) {
      size_t c2 = where.rfind(':', c1 == 0 ? 0 : c1 - 1);
      if (c2 != std::string::npos && c2 < c1 && is_number(where.substr(c2 + 1, c1 - c2 - 1))) {
        loc.file = where.substr(0, c2);
        loc.line = std::stoi(where.substr(c2 + 1, c1 - c2 - 1));
        loc.column = std::stoi(where.substr(c1 + 1));
      } else {
        loc.file = where.substr(0, c1);
        loc.line = std::stoi(where.substr(c1 + 1));
      }
      return InputError(loc, message);
    }
    return InputError(where + ": error: " + message);
  }
  return InputError(line);
}

bool executable_in_path(const std::string &name) {
  const char *path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    if (::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

std::vector<std::string> split_lines(const std::string &text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

} // namespace

std::string default_preprocessor() {
  for (const char *name : {"clang-cpp", "clang"})
    if (executable_in_path(name)) return name;
  return "cpp";
}

PreprocessResult preprocess(const PreprocessOptions &options) {
  struct stat st {};
  if (::stat(options.source.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw InputError(SourceLocation{options.source, 0, 0}, "cannot read the assembly source: " +
                                                               std::string(std::strerror(errno ? errno : EINVAL)));

  const std::string cpp = options.cpp.empty() ? default_preprocessor() : options.cpp;
  std::vector<std::string> args = {cpp, "-E", "-x", "assembler-with-cpp", "-undef", "-nostdinc"};
  for (const auto &dir : options.include_dirs) args.push_back("-I" + dir);
  for (const auto &def : options.defines) args.push_back("-D" + def);
  args.push_back(options.source);
  std::vector<char *> argv;
  for (auto &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // The child gets our environment with messages forced to English, so the
  // error-line parsing above works.
  std::vector<std::string> env_strings;
  for (char **e = environ; e && *e; ++e) {
    std::string s = *e;
    if (s.rfind("LC_ALL=", 0) == 0 || s.rfind("LANGUAGE=", 0) == 0) continue;
    env_strings.push_back(s);
  }
  env_strings.push_back("LC_ALL=C");
  std::vector<char *> envp;
  for (auto &s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  int out_pipe[2], err_pipe[2];
  if (::pipe(out_pipe) != 0) throw InputError("cannot create a pipe for the C preprocessor");
  Fd out_r{out_pipe[0]}, out_w{out_pipe[1]};
  if (::pipe(err_pipe) != 0) throw InputError("cannot create a pipe for the C preprocessor");
  Fd err_r{err_pipe[0]}, err_w{err_pipe[1]};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_w.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_w.fd, 2);
  posix_spawn_file_actions_addclose(&actions, out_r.fd);
  posix_spawn_file_actions_addclose(&actions, err_r.fd);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, cpp.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw InputError("cannot run the C preprocessor '" + cpp + "': " + std::strerror(rc));
  out_w.reset();
  err_w.reset();

  // Read both pipes until both close, so a chatty cpp never blocks.
  std::string out, err;
  char buffer[65536];
  pollfd fds[2] = {{out_r.fd, POLLIN, 0}, {err_r.fd, POLLIN, 0}};
  int open_count = 2;
  while (open_count > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_count;
        continue;
      }
      (i == 0 ? out : err).append(buffer, static_cast<size_t>(n));
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  PreprocessResult result;
  std::string first_error;
  for (const auto &line : split_lines(err)) {
    if (line.find(": warning: ") != std::string::npos) result.warnings.push_back(line);
    else if (first_error.empty() && line.find("error") != std::string::npos) first_error = line;
  }
  bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ok) {
    if (!first_error.empty()) throw cpp_error(first_error);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
      throw InputError("cannot run the C preprocessor '" + cpp + "'");
    std::string first = split_lines(err).empty() ? "" : ": " + split_lines(err).front();
    throw InputError("the C preprocessor '" + cpp + "' failed on " + options.source + first);
  }
  result.text = std::move(out);
  return result;
}

} // namespace ipusim::assembler
