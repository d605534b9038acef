// Runtime evaluation of classifiers.
#include "tasks/classification/evaluate.h"

#include "passes/passes.h"
#include "runtime/benchmark.h"
#include "runtime/session.h"
#include "util/error.h"

namespace trex::classification {

void check_classifier_io(const Graph& graph, const ImageSpec& spec, size_t classes,
                         const std::string& source) {
  if (graph.inputs().size() != 1 || graph.outputs().size() != 1)
    throw_invalid(source + ": a classifier has one input and one output; this model has " +
                  std::to_string(graph.inputs().size()) + " and " +
                  std::to_string(graph.outputs().size()));
  const Value* in = graph.inputs()[0];
  const Shape* s = in->shape();
  std::vector<int64_t> want = {spec.channels, spec.height, spec.width};
  bool ok = s && s->rank() == 4;
  for (size_t i = 0; ok && i < 3; ++i) {
    const Dim& d = (*s)[i + 1];
    ok = !d.is_static() || d.value() == want[i];
  }
  if (!ok)
    throw_invalid(source + ": input '" + in->name() + "' has shape " +
                  (s ? s->to_string() : std::string("(unknown)")) + "; the template feeds [N, " +
                  std::to_string(spec.channels) + ", " + std::to_string(spec.height) + ", " +
                  std::to_string(spec.width) + "]");
  const Shape* o = graph.outputs()[0]->shape();
  if (o && o->rank() == 2 && (*o)[1].is_static() &&
      (*o)[1].value() != static_cast<int64_t>(classes))
    throw_invalid(source + ": output '" + graph.outputs()[0]->name() + "' has " +
                  std::to_string((*o)[1].value()) + " classes; the data has " +
                  std::to_string(classes));
}

AccuracyMeter evaluate_in_runtime(std::shared_ptr<Graph> graph, const ClassFolderDataset& data,
                                  const TransformSpec& transform, const EvalOptions& options,
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
  AccuracyMeter meter(data.classes);
  Batch batch;
  size_t done = 0;
  while (loader.next(batch)) {
    Tensor x =
        Tensor::from_bytes(DType::kFloat32, {batch.n, batch.channels, batch.height, batch.width},
                           batch.data.data(), batch.data.size() * sizeof(float));
    std::vector<Tensor> out = session.run({{input, x}});
    const Tensor& logits = out[0];
    if (logits.rank() != 2 || logits.dims()[0] != batch.n ||
        logits.dims()[1] != static_cast<int64_t>(data.classes.size()))
      throw_invalid("model output has shape [" + std::to_string(logits.dims()[0]) +
                    ", ...]; expected [" + std::to_string(batch.n) + ", " +
                    std::to_string(data.classes.size()) + "]");
    meter.add(logits.data<float>(), batch.labels.data(), batch.n);
    done += batch.n;
    report(progress, {"evaluate", done, loader.num_samples(),
                      "accuracy " + std::to_string(meter.accuracy()).substr(0, 6)});
  }
  return meter;
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

nlohmann::json performance_json(double fp32_score, double score, double fp32_ms, double ms,
                                int threads, size_t fp32_bytes, size_t bytes,
                                const std::string& kind) {
  return {{"metric", "accuracy"},
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

}  // namespace trex::classification
