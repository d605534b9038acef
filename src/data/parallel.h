// A minimal parallel loop for the data module's embarrassingly parallel work (decoding and
// encoding images), with progress reported from the calling thread only.
#pragma once

#include <cstddef>
#include <functional>

namespace trex {

/// Runs fn(i) for i in [0, n) on `threads` threads (0 = hardware concurrency), the caller being
/// one of them. Calls on_progress(done) from the calling thread now and then and once at the end.
/// The first exception stops the loop and is rethrown after all threads have joined.
void parallel_for(size_t n, int threads, const std::function<void(size_t)>& fn,
                  const std::function<void(size_t)>& on_progress = {});

}  // namespace trex
