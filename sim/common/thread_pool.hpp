// A fixed set of host threads that run the items of a batch in parallel: the
// chip's tiles between two syncs, the exchange's receivers. The caller takes part, so a pool of one
// thread runs everything on the caller, with no other thread created.
// Batches come in quick succession (a superstep has several: its tiles, the
// exchange's receivers, ...), so a thread waiting for the next batch, or for
// the last helper of this one, spins briefly before it sleeps: waking a
// sleeping thread costs tens of microseconds, as much as a short superstep.
// Items are handed out in small groups (tiles take very different times); which
// thread runs which item never matters to the results, because items touch
// disjoint state.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ipusim {

class ThreadPool {
public:
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned threads() const { return static_cast<unsigned>(helpers_.size()) + 1; }
  // Calls fn(i) for every i in [0, n) and returns when all calls have
  // returned. fn must not throw (catch inside and keep what happened per item).
  void run(size_t n, const std::function<void(size_t)> &fn);

private:
  void helper_loop();
  void work();

  std::vector<std::thread> helpers_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  // Written under mutex_, also read without it while spinning.
  std::atomic<uint64_t> generation_{0};
  bool stop_ = false;
  std::atomic<unsigned> busy_{0}; // helpers still working on the current batch
  const std::function<void(size_t)> *fn_ = nullptr;
  size_t n_ = 0, chunk_ = 1;
  std::atomic<size_t> next_{0};
};

} // namespace ipusim
