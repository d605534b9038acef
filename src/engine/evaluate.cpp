// Runtime evaluation (evaluate.h).
#include "engine/evaluate.h"

#include "onnx/onnx.h"
#include "passes/passes.h"
#include "runtime/benchmark.h"
#include "runtime/session.h"

namespace trex::engine {

std::unique_ptr<Graph> as_written(const Graph& graph) {
  return load_onnx_bytes(serialize_onnx(graph), "the optimized model", "");
}

std::unique_ptr<Metric> evaluate_in_runtime(std::shared_ptr<Graph> graph, const Task& task,
                                            const ImageDataset& data,
                                            const TransformSpec& transform,
                                            const EvalOptions& options,
                                            const ProgressFn& progress) {
  canonicalize(*graph);
  SessionOptions so;
  so.threads = options.threads;
  Session session(graph, so);
  const std::string input = session.inputs()[0].name;
  LoaderOptions lo;
  lo.batch_size = options.batch_size;
  lo.workers = options.workers;
  BatchLoader loader(data, transform, lo);
  std::unique_ptr<Metric> metric = task.make_metric(data);
  Batch batch;
  size_t done = 0;
  while (loader.next(batch)) {
    Tensor x =
        Tensor::from_bytes(DType::kFloat32, {batch.n, batch.channels, batch.height, batch.width},
                           batch.data.data(), batch.data.size() * sizeof(float));
    std::vector<Tensor> out = session.run({{input, x}});
    metric->add(out[0].data<float>(), out[0].dims(), batch);
    done += batch.n;
    report(progress, {"evaluate", done, loader.num_samples(),
                      task.metric_name() + " " + std::to_string(metric->score()).substr(0, 6)});
  }
  return metric;
}

double median_latency_ms(std::shared_ptr<Graph> g, int threads, int iterations) {
  canonicalize(*g);
  SessionOptions so;
  so.threads = threads;
  Session s(g, so);
  BenchmarkOptions bo;
  bo.batch = 1;
  bo.iterations = iterations;
  return run_benchmark(s, bo).median_ms;
}

nlohmann::json performance_json(const std::string& metric, double fp32_score, double score,
                                double fp32_ms, double ms, int threads, size_t fp32_bytes,
                                size_t bytes, const std::string& kind) {
  return {{"metric", metric},
          {"score", score},
          {"fp32_score", fp32_score},
          {"accuracy_drop", fp32_score - score},
          {kind + "_latency_ms", ms},
          {"fp32_latency_ms", fp32_ms},
          {"speedup", ms > 0 ? fp32_ms / ms : 0},
          {"latency_batch", 1},
          {"threads", threads},
          {kind + "_size_bytes", bytes},
          {"fp32_size_bytes", fp32_bytes}};
}

}  // namespace trex::engine
