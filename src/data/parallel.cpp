// parallel_for (see parallel.h): an atomic work counter shared by the caller and a few threads.
#include "data/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace trex {

void parallel_for(size_t n, int threads, const std::function<void(size_t)>& fn,
                  const std::function<void(size_t)>& on_progress) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads =
      static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), std::max<size_t>(n, 1)));
  std::atomic<size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mu;
  auto run = [&](bool caller) {
    while (!failed.load(std::memory_order_relaxed)) {
      size_t i = next.fetch_add(1);
      if (i >= n) break;
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (!error) error = std::current_exception();
        failed = true;
        break;
      }
      size_t d = done.fetch_add(1) + 1;
      if (caller && on_progress) on_progress(d);
    }
  };
  std::vector<std::thread> pool;
  // The caller's own progress reports stop when it runs out of work; the rest arrive at the end.
  try {
    for (int t = 1; t < threads; ++t) pool.emplace_back(run, false);
    run(true);
  } catch (...) {
    // on_progress threw, or a thread could not be started: stop the others, rethrow below.
    std::lock_guard<std::mutex> lock(error_mu);
    if (!error) error = std::current_exception();
    failed = true;
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  if (on_progress) on_progress(n);
}

}  // namespace trex
