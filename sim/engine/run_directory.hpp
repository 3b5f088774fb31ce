// One folder per run. An earlier run is never overwritten, and a folder that
// looks complete always is: the run writes into "<final>.partial/", which is
// renamed to "<final>" by commit() once everything is written, or to
// "<final>.failed/" (with error.txt inside) when the run fails.
#pragma once

#include <string>

namespace ipusim {

class RunDirectory {
public:
  enum class State { staging, committed, failed };

  // Chooses the run's folder and creates its staging folder.
  // - `requested` empty: "<default_parent>/<run_name>-NNN", NNN being one more
  //   than the highest number already used there by this run name (001 at
  //   first; at least 3 digits), counting .partial and .failed folders too.
  // - `requested` given: that folder. It may not exist yet or be an empty
  //   folder; a non-empty one, a file, or a leftover "<requested>.partial" or
  //   "<requested>.failed" is an InputError. Missing parent folders are created.
  // Throws InputError when a folder cannot be created.
  static RunDirectory create(const std::string &requested, const std::string &default_parent,
                             const std::string &run_name);

  RunDirectory(RunDirectory &&other) noexcept;
  RunDirectory &operator=(RunDirectory &&other) noexcept;
  RunDirectory(const RunDirectory &) = delete;
  RunDirectory &operator=(const RunDirectory &) = delete;
  // A run that was neither committed nor failed is failed with "interrupted".
  ~RunDirectory();

  // The path of `file` inside the folder that currently holds the run: the
  // staging folder until commit(), then the final one.
  std::string path(const std::string &file) const;
  const std::string &final_path() const { return final_; }
  const std::string &staging_path() const { return staging_; }
  // Where the run's files are now (staging, final, or the failed folder).
  const std::string &current_path() const { return current_; }
  State state() const { return state_; }

  // Renames the staging folder to the final one. Throws InputError when that
  // fails (the run stays staging, so the destructor then fails it), and
  // std::logic_error when the run was already committed or failed.
  void commit();
  // Writes error.txt (the message and a newline) into the staging folder and
  // renames it to "<final>.failed"; if that name is taken it tries
  // "<final>.failed-2", "-3", ... and if all fails the run stays in
  // "<final>.partial". Never throws; does nothing unless the run is staging.
  void fail(const std::string &error_message) noexcept;

private:
  RunDirectory() = default;

  std::string final_;
  std::string staging_;
  std::string current_;
  State state_ = State::failed; // a moved-from object does nothing on destruction
};

// Writes `content` to "<path>.tmp" and renames it to `path`, so a reader never
// sees half a file. Throws InputError when writing fails.
void write_file_atomic(const std::string &path, const std::string &content);

} // namespace ipusim
