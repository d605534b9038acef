// `trex benchmark MODEL [--threads N] [--batch B] [--iterations K] [--json]`: latency,
// throughput and peak memory of a model in the trex runtime.
#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "runtime/benchmark.h"
#include "runtime/session.h"

namespace trex::cli {

namespace {

struct BenchArgs {
  std::string model;
  int threads = 0;
  int64_t batch = 1;
  int iterations = 50;
  int warmup = 5;
  bool json = false;
  bool profile = false;
};

}  // namespace

Runner add_benchmark(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd =
      app.add_subcommand("benchmark", "Measure latency, throughput and memory of a model");
  cmd->add_option("model", args->model, "ONNX model")->required();
  cmd->add_option("--threads", args->threads, "Threads (default: OMP_NUM_THREADS or all cores)");
  cmd->add_option("--batch", args->batch, "Batch size for a dynamic leading dim")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--iterations", args->iterations, "Timed runs")->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", args->warmup, "Untimed runs first")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->add_flag("--profile", args->profile, "Also print the nodes that take the most time");
  return [args]() {
    SessionOptions so;
    so.threads = args->threads;
    auto session = Session::load(args->model, so);
    BenchmarkOptions bo;
    bo.batch = args->batch;
    bo.iterations = args->iterations;
    bo.warmup = args->warmup;
    bool tty = isatty(STDERR_FILENO) && !args->json;
    if (tty)
      bo.progress = [](int done, int total) {
        std::fprintf(stderr, "\rbenchmark %d/%d", done, total);
        if (done == total) std::fprintf(stderr, "\n");
      };
    session->set_profiling(args->profile);
    BenchmarkResult r = run_benchmark(*session, bo);
    if (args->json) {
      nlohmann::ordered_json j = {{"model", args->model},
                                  {"threads", session->threads()},
                                  {"batch", r.batch},
                                  {"iterations", r.iterations},
                                  {"median_ms", r.median_ms},
                                  {"p90_ms", r.p90_ms},
                                  {"min_ms", r.min_ms},
                                  {"throughput", r.throughput},
                                  {"peak_rss_mb", r.peak_rss_mb}};
      std::cout << j.dump() << "\n";
      return 0;
    }
    std::printf("model:       %s\nthreads:     %d\nbatch:       %lld\niterations:  %d\n",
                args->model.c_str(), session->threads(), static_cast<long long>(r.batch),
                r.iterations);
    std::printf("median:      %.3f ms\np90:         %.3f ms\nmin:         %.3f ms\n", r.median_ms,
                r.p90_ms, r.min_ms);
    std::printf("throughput:  %.1f samples/s\npeak memory: %.1f MiB\n", r.throughput,
                r.peak_rss_mb);
    if (args->profile) {
      auto steps = session->profile();
      double total = 0;
      for (const auto& s : steps) total += s.total_ms;
      std::stable_sort(steps.begin(), steps.end(),
                       [](auto& a, auto& b) { return a.total_ms > b.total_ms; });
      std::printf("slowest nodes (share of kernel time over %d warm-up + timed runs):\n",
                  args->warmup + r.iterations);
      for (size_t i = 0; i < steps.size() && i < 15; ++i)
        std::printf("  %5.1f%%  %s\n", total > 0 ? 100.0 * steps[i].total_ms / total : 0.0,
                    steps[i].node.c_str());
      // The same time by op type and kernel: the label's "(Op): kernel" part.
      std::map<std::string, std::pair<double, int>> by_kind;
      for (const auto& s : steps) {
        size_t at = s.node.find(" (");
        auto& k = by_kind[at == std::string::npos ? s.node : s.node.substr(at + 1)];
        k.first += s.total_ms;
        ++k.second;
      }
      std::vector<std::pair<std::string, std::pair<double, int>>> kinds(by_kind.begin(),
                                                                        by_kind.end());
      std::stable_sort(kinds.begin(), kinds.end(),
                       [](auto& a, auto& b) { return a.second.first > b.second.first; });
      std::printf("by op and kernel:\n");
      for (size_t i = 0; i < kinds.size() && i < 15; ++i)
        std::printf("  %5.1f%%  %4d x %s\n",
                    total > 0 ? 100.0 * kinds[i].second.first / total : 0.0,
                    kinds[i].second.second, kinds[i].first.c_str());
    }
    return 0;
  };
}

}  // namespace trex::cli
