// Classification evaluation in the trex runtime: a model over a class-folder dataset,
// batch by batch, into an AccuracyMeter. The training backend has its own loop (it runs
// checkpoints); both share the metrics.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "data/batch_loader.h"
#include "ir/graph.h"
#include "tasks/classification/metrics.h"
#include "util/progress.h"

namespace trex::classification {

struct EvalOptions {
  int batch_size = 64;
  int threads = 0;  ///< runtime threads; 0 = OMP_NUM_THREADS or all cores
  int workers = 2;  ///< data threads
};

/// Checks that `graph` takes [N, C, H, W] images of `spec` and gives [N, classes] logits;
/// errors name `source` and what differs.
void check_classifier_io(const Graph& graph, const ImageSpec& spec, size_t classes,
                         const std::string& source);

/// Top-1 metrics of `graph` (canonicalized or not) on `data`, run by the trex runtime.
AccuracyMeter evaluate_in_runtime(std::shared_ptr<Graph> graph, const ClassFolderDataset& data,
                                  const TransformSpec& transform, const EvalOptions& options,
                                  const ProgressFn& progress = {});

/// The fields ptq_performance.json and nncf_performance.json share: metric, score,
/// fp32_score, accuracy_drop, latencies (batch 1; "<kind>_latency_ms" for the optimized
/// model), speedup, threads, sizes ("<kind>_size_bytes"). `kind` is "int8" for quantized
/// models, "compressed" for float ones (pruned, sparse).
nlohmann::json performance_json(double fp32_score, double score, double fp32_ms, double ms,
                                int threads, size_t fp32_bytes, size_t bytes,
                                const std::string& kind = "int8");

/// Median batch-1 latency of `graph` (canonicalized here) in the trex runtime, in ms.
double median_latency_ms(std::shared_ptr<Graph> graph, int threads, int iterations);

}  // namespace trex::classification
