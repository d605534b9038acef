// Benchmarking (see benchmark.h).
#include "runtime/benchmark.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "util/error.h"

namespace trex {

std::map<std::string, Tensor> random_inputs(const Session& s, int64_t batch, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<std::string, Tensor> out;
  for (const PortInfo& p : s.inputs()) {
    if (!p.type.shape)
      throw_invalid("input '" + p.name + "' has no declared shape; cannot make data");
    std::vector<int64_t> dims;
    for (size_t i = 0; i < p.type.shape->rank(); ++i) {
      const Dim& d = (*p.type.shape)[i];
      if (d.is_static())
        dims.push_back(d.value());
      else if (i == 0)
        dims.push_back(batch);
      else
        throw_invalid("input '" + p.name + "' has dynamic dim " + std::to_string(i) + " (" +
                      d.to_string() + "); only the leading batch dim may be dynamic");
    }
    DType dt = p.type.dtype == DType::kUndefined ? DType::kFloat32 : p.type.dtype;
    Tensor t(dt, dims);
    std::uniform_real_distribution<double> real(-1.0, 1.0);
    std::uniform_int_distribution<int> small(0, 9);
    for (int64_t i = 0; i < t.numel(); ++i) {
      if (dtype_is_float(dt))
        t.set_double(i, real(rng));
      else
        t.set_int64(i, small(rng));
    }
    out[p.name] = std::move(t);
  }
  return out;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

BenchmarkResult run_benchmark(Session& s, const BenchmarkOptions& opts) {
  if (opts.iterations < 1) throw_invalid("--iterations must be at least 1");
  auto inputs = random_inputs(s, opts.batch, opts.seed);
  for (int i = 0; i < opts.warmup; ++i) s.run(inputs);
  std::vector<double> ms;
  for (int i = 0; i < opts.iterations; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    s.run(inputs);
    auto t1 = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    if (opts.progress) opts.progress(i + 1, opts.iterations);
  }
  std::sort(ms.begin(), ms.end());
  BenchmarkResult r;
  r.iterations = opts.iterations;
  r.batch = opts.batch;
  r.min_ms = ms.front();
  r.median_ms = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
  r.p90_ms = ms[std::min(ms.size() - 1, static_cast<size_t>(0.9 * static_cast<double>(ms.size())))];
  r.throughput = r.median_ms > 0 ? static_cast<double>(opts.batch) * 1000.0 / r.median_ms : 0;
  r.peak_rss_mb = peak_rss_mb();
  return r;
}

}  // namespace trex
