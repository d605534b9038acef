// Evaluation in the trex runtime, for any task: a model over a dataset, batch by batch,
// into the task's metric. The training backend has its own loop (it runs checkpoints);
// both share the metrics. Also the latency and the performance JSON the optimize flows
// write.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "data/batch_loader.h"
#include "ir/graph.h"
#include "tasks/task.h"
#include "util/progress.h"

namespace trex::engine {

struct EvalOptions {
  int batch_size = 64;
  int threads = 0;  ///< runtime threads; 0 = OMP_NUM_THREADS or all cores
  int workers = 2;  ///< data threads
};

/// The task's metric of `graph` (canonicalized or not) on `data`, run by the trex runtime.
std::unique_ptr<Metric> evaluate_in_runtime(std::shared_ptr<Graph> graph, const Task& task,
                                            const ImageDataset& data,
                                            const TransformSpec& transform,
                                            const EvalOptions& options,
                                            const ProgressFn& progress = {});

/// `graph` as a model file holds it: serialized to ONNX and loaded again (with the loader's
/// shape inference), so a score measured on it is the one `trex eval` gives the file.
std::unique_ptr<Graph> as_written(const Graph& graph);

/// The fields ptq_performance.json and nncf_performance.json share: metric (`metric`), score,
/// fp32_score, accuracy_drop, latencies (batch 1; "<kind>_latency_ms" for the optimized
/// model), speedup, threads, sizes ("<kind>_size_bytes"). `kind` is "int8" for quantized
/// models, "compressed" for float ones (pruned, sparse).
nlohmann::json performance_json(const std::string& metric, double fp32_score, double score,
                                double fp32_ms, double ms, int threads, size_t fp32_bytes,
                                size_t bytes, const std::string& kind = "int8");

/// Median batch-1 latency of `graph` (canonicalized here) in the trex runtime, in ms.
double median_latency_ms(std::shared_ptr<Graph> graph, int threads, int iterations);

}  // namespace trex::engine
