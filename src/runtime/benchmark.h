// Latency and throughput of a session on seeded random inputs, for `trex benchmark`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "runtime/session.h"

namespace trex {

struct BenchmarkOptions {
  int64_t batch = 1;    ///< value for symbolic leading (batch) dims
  int iterations = 50;  ///< timed runs
  int warmup = 5;       ///< untimed runs first (buffers, caches)
  uint64_t seed = 1;
  /// Called after each timed run with (done, total), for a progress display.
  std::function<void(int, int)> progress;
};

struct BenchmarkResult {
  double median_ms = 0;
  double p90_ms = 0;
  double min_ms = 0;
  double throughput = 0;   ///< samples (batch items) per second at the median latency
  double peak_rss_mb = 0;  ///< the process's peak resident memory
  int iterations = 0;
  int64_t batch = 1;
};

/// Inputs for every graph input: uniform [-1, 1) floats or small integers, with symbolic
/// dims set to `batch` for the first dim; other symbolic dims are an error naming the input.
std::map<std::string, Tensor> random_inputs(const Session& s, int64_t batch, uint64_t seed);

BenchmarkResult run_benchmark(Session& s, const BenchmarkOptions& opts);

/// Peak resident set size of this process in MiB.
double peak_rss_mb();

}  // namespace trex
