#include "sim/common/thread_pool.hpp"

#include <algorithm>

namespace ipusim {

namespace {
// How long a waiting thread spins before it sleeps: some tens of microseconds
// (a pause is up to ~140 cycles on recent x86; 20,000 rounds, a millisecond,
// made 2 threads slower than 1 on the all-to-all when the host was shared).
constexpr int kSpinRounds = 2000;
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
} // namespace

ThreadPool::ThreadPool(unsigned threads) {
  for (unsigned i = 1; i < threads; ++i) helpers_.emplace_back([this] { helper_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  start_.notify_all();
  for (std::thread &t : helpers_) t.join();
}

void ThreadPool::work() {
  for (;;) {
    const size_t begin = next_.fetch_add(chunk_, std::memory_order_relaxed);
    if (begin >= n_) return;
    const size_t end = std::min(n_, begin + chunk_);
    for (size_t i = begin; i < end; ++i) (*fn_)(i);
  }
}

void ThreadPool::run(size_t n, const std::function<void(size_t)> &fn) {
  if (helpers_.empty() || n <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = &fn;
    n_ = n;
    // Items in small groups: fewer trips to the shared counter for many
    // small items, still some 32 groups per thread to even out the load.
    chunk_ = std::max<size_t>(1, n / (32 * threads()));
    next_.store(0, std::memory_order_relaxed);
    busy_.store(static_cast<unsigned>(helpers_.size()));
    generation_.fetch_add(1, std::memory_order_release);
  }
  start_.notify_all();
  work();
  for (int k = 0; k < kSpinRounds && busy_.load(std::memory_order_acquire) != 0; ++k) cpu_relax();
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return busy_.load() == 0; });
  fn_ = nullptr;
}

void ThreadPool::helper_loop() {
  uint64_t seen = 0;
  for (;;) {
    for (int k = 0; k < kSpinRounds && generation_.load(std::memory_order_acquire) == seen; ++k) cpu_relax();
    {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, [&] { return stop_ || generation_.load() != seen; });
      if (stop_) return;
      seen = generation_.load();
    }
    work();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (busy_.fetch_sub(1) == 1) done_.notify_one();
    }
  }
}

} // namespace ipusim
