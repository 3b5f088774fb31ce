#include "sim/engine/run_directory.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "sim/common/error.hpp"

namespace ipusim {

namespace fs = std::filesystem;

namespace {

constexpr const char *kStagingSuffix = ".partial";
constexpr const char *kFailedSuffix = ".failed";

bool exists_quietly(const std::string &path) {
  std::error_code ec;
  return fs::symlink_status(path, ec).type() != fs::file_type::not_found && !ec;
}

void create_parents(const fs::path &parent) {
  if (parent.empty())
    return;
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec)
    throw InputError("cannot create folder '" + parent.string() + "': " + ec.message());
}

// "out/" and "out" name the same folder; the suffixes must go after "out".
std::string strip_trailing_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/')
    p.pop_back();
  return p;
}

// The number in "<run_name>-<digits>[.anything]", or 0 if `entry` is not one
// of this run name's folders.
unsigned run_number(const std::string &entry, const std::string &run_name) {
  std::string prefix = run_name + "-";
  if (entry.compare(0, prefix.size(), prefix) != 0)
    return 0;
  std::size_t i = prefix.size(), start = i;
  unsigned n = 0;
  while (i < entry.size() && entry[i] >= '0' && entry[i] <= '9' && i - start < 9)
    n = n * 10 + unsigned(entry[i++] - '0');
  if (i == start)
    return 0;
  if (i < entry.size() && entry[i] != '.')
    return 0; // "run-12abc" is not ours
  return n;
}

} // namespace

RunDirectory RunDirectory::create(const std::string &requested, const std::string &default_parent,
                                  const std::string &run_name) {
  RunDirectory dir;
  if (!requested.empty()) {
    std::string final_path = strip_trailing_slashes(requested);
    std::string leaf = fs::path(final_path).filename().string();
    if (leaf.empty() || leaf == "." || leaf == "..")
      throw InputError("output directory '" + requested +
                       "' does not name a new folder; choose another with -o");
    std::error_code ec;
    fs::file_status st = fs::status(final_path, ec);
    if (fs::exists(st)) {
      if (!fs::is_directory(st))
        throw InputError("output directory '" + final_path +
                         "' exists and is not a folder; choose another with -o");
      if (!fs::is_empty(final_path, ec) || ec)
        throw InputError("output directory '" + final_path +
                         "' exists; choose another with -o or remove it");
    }
    create_parents(fs::path(final_path).parent_path());
    if (exists_quietly(final_path + kFailedSuffix))
      throw InputError("'" + final_path + kFailedSuffix +
                       "' is left from a failed run; remove it or choose another with -o");
    std::string staging = final_path + kStagingSuffix;
    bool made = fs::create_directory(staging, ec);
    if (ec)
      throw InputError("cannot create folder '" + staging + "': " + ec.message());
    if (!made)
      throw InputError(
          "'" + staging +
          "' exists (an interrupted or running run); remove it or choose another with -o");
    dir.final_ = final_path;
    dir.staging_ = staging;
  } else {
    if (run_name.empty() || run_name == "." || run_name == ".." ||
        run_name.find('/') != std::string::npos)
      throw InputError("run name '" + run_name + "' cannot name a folder");
    fs::path parent = default_parent.empty() ? fs::path() : fs::path(default_parent);
    create_parents(parent);
    unsigned highest = 0;
    std::error_code ec;
    for (fs::directory_iterator it(parent.empty() ? fs::path(".") : parent, ec), end;
         !ec && it != end; it.increment(ec))
      highest = std::max(highest, run_number(it->path().filename().string(), run_name));
    if (ec)
      throw InputError("cannot list folder '" + parent.string() + "': " + ec.message());
    // Creating the staging folder is the atomic step that claims a number: two
    // runs started at once cannot both create "<name>-NNN.partial".
    for (unsigned n = highest + 1; n <= highest + 1000; ++n) {
      std::string final_path = (parent / fmt::format("{}-{:03d}", run_name, n)).string();
      std::string staging = final_path + kStagingSuffix;
      if (exists_quietly(final_path) || exists_quietly(final_path + kFailedSuffix))
        continue;
      bool made = fs::create_directory(staging, ec);
      if (ec)
        throw InputError("cannot create folder '" + staging + "': " + ec.message());
      if (!made)
        continue;
      if (exists_quietly(final_path)) { // committed by another run meanwhile
        fs::remove(staging, ec);
        continue;
      }
      dir.final_ = final_path;
      dir.staging_ = staging;
      break;
    }
    if (dir.staging_.empty())
      throw InputError("cannot find a free run folder name for '" + run_name + "' in '" +
                       parent.string() + "'");
  }
  dir.current_ = dir.staging_;
  dir.state_ = State::staging;
  return dir;
}

RunDirectory::RunDirectory(RunDirectory &&other) noexcept
    : final_(std::move(other.final_)), staging_(std::move(other.staging_)),
      current_(std::move(other.current_)), state_(other.state_) {
  other.state_ = State::failed;
}

RunDirectory &RunDirectory::operator=(RunDirectory &&other) noexcept {
  if (this != &other) {
    if (state_ == State::staging)
      fail("interrupted");
    final_ = std::move(other.final_);
    staging_ = std::move(other.staging_);
    current_ = std::move(other.current_);
    state_ = other.state_;
    other.state_ = State::failed;
  }
  return *this;
}

RunDirectory::~RunDirectory() {
  if (state_ == State::staging)
    fail("interrupted");
}

std::string RunDirectory::path(const std::string &file) const {
  return (fs::path(current_) / file).string();
}

void RunDirectory::commit() {
  if (state_ != State::staging)
    throw std::logic_error("RunDirectory::commit() on a run that is no longer staging");
  std::error_code ec;
  // POSIX rename replaces an empty folder and refuses a non-empty one, which
  // is exactly the rule create() checked earlier.
  fs::rename(staging_, final_, ec);
  if (ec)
    throw InputError("cannot rename '" + staging_ + "' to '" + final_ + "': " + ec.message());
  state_ = State::committed;
  current_ = final_;
}

void RunDirectory::fail(const std::string &error_message) noexcept {
  if (state_ != State::staging)
    return;
  state_ = State::failed;
  try {
    {
      std::ofstream out(fs::path(staging_) / "error.txt", std::ios::binary | std::ios::trunc);
      out << error_message << '\n';
    }
    for (int k = 1; k <= 100; ++k) {
      std::string target = final_ + kFailedSuffix + (k > 1 ? "-" + std::to_string(k) : "");
      if (exists_quietly(target))
        continue;
      std::error_code ec;
      fs::rename(staging_, target, ec);
      if (!ec) {
        current_ = target;
        return;
      }
    }
  } catch (...) {
    // Out of memory or similar: the run stays in "<final>.partial", which
    // still does not look complete.
  }
}

void write_file_atomic(const std::string &path, const std::string &content) {
  std::string tmp = path + ".tmp";
  std::error_code ec;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      throw InputError("cannot write '" + path + "': " + std::strerror(errno));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      int saved = errno;
      fs::remove(tmp, ec);
      throw InputError("cannot write '" + path + "': " + std::strerror(saved));
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    std::string reason = ec.message();
    fs::remove(tmp, ec);
    throw InputError("cannot write '" + path + "': " + reason);
  }
}

} // namespace ipusim
