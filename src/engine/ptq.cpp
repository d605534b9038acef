// The PTQ flow (ptq.h).
#include "engine/ptq.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "engine/calibration.h"
#include "engine/evaluate.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "quant/insert_qdq.h"
#include "quant/ptq/pipeline.h"
#include "quant/report.h"
#include "runtime/benchmark.h"
#include "tasks/task.h"
#include "util/error.h"
#include "util/file_io.h"

namespace fs = std::filesystem;

namespace trex::engine {

namespace {

/// The PTQ config: defaults and the template's seed, then the config file, then the
/// template's pot_parameters (SPEC: the template/command-line preset overrides the file's).
quant::PtqConfig ptq_config_for(const ModelTemplate& t, const std::string& file,
                                std::string& source) {
  quant::PtqConfig c;
  c.seed = t.learning.seed;
  std::string path = file;
  if (path.empty()) {
    fs::path p = fs::path(t.dir) / "ptq_config.yaml";
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) path = p.string();
  } else if (!fs::is_regular_file(path)) {
    throw_invalid(path + ": PTQ config file not found");
  }
  if (!path.empty()) c = quant::load_ptq_config(path, c);
  source = path;
  c.preset = quant::parse_preset(t.pot.preset, t.path + ": pot_parameters.preset");
  c.stat_subset_size = t.pot.stat_subset_size;
  quant::validate_ptq_config(c, t.path);
  return c;
}

std::string op_type_of(const Graph& g, const std::string& node) {
  for (const Node* n : g.nodes())
    if (n->name() == node) return n->op_type();
  return "";
}

std::string percent(double r) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", 100 * r);
  return b;
}

}  // namespace

PtqTaskResult run_ptq(const ModelTemplate& t, const PtqTaskOptions& o) {
  const Task& task = find_task(t.task, t.path + ": model.task");
  PtqTaskResult r;
  r.metric = task.metric_name();
  r.config = ptq_config_for(t, o.ptq_config, r.config_source);
  std::shared_ptr<Graph> fp32 = load_onnx(o.model);
  std::string what;
  if (quant::is_quantized_model(*fp32, &what))
    throw_invalid(o.model + ": model is already optimized by PTQ (it has " + what +
                  "); give the FP32 model");
  task.check_model(*fp32, t, o.model);
  canonicalize(*fp32);
  // A model exported with a fixed batch of 1 is calibrated and evaluated one image at a time.
  int batch = 0;
  if (const Shape* s = fp32->inputs()[0]->shape(); s && s->rank() > 0 && (*s)[0].is_static()) {
    batch = static_cast<int>((*s)[0].value());
    if (batch != 1)
      throw_unsupported(o.model + ": input '" + fp32->inputs()[0]->name() +
                        "' has a fixed batch of " + std::to_string(batch) +
                        "; export the model with a dynamic or batch-1 input");
    r.config.batch_size = 1;
  }

  ImageDataset train = task.load_dataset(t, o.train_data, Split::kTrain, o.progress);
  ImageDataset val = task.load_dataset(t, o.val_data, Split::kVal, o.progress);
  task.check_datasets(t, train, val);

  // Calibration sees the inference transform: exactly what evaluation feeds the model.
  DatasetCalibration calib(train, transform_spec(t), fp32->inputs()[0]->name(),
                           t.learning.num_workers);
  quant::RunOptions run;
  run.threads = o.threads;
  run.batch_size = r.config.batch_size;
  run.progress = o.progress;
  auto t0 = std::chrono::steady_clock::now();
  quant::PtqResult q = quant::quantize_model(*fp32, calib, r.config, run);
  r.ptq_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.warnings = q.warnings;
  r.peak_rss_mb = peak_rss_mb();
  // The yardstick of the PTQ time: one FP32 inference pass over the same samples, with the
  // same data loading, measured in this run.
  t0 = std::chrono::steady_clock::now();
  quant::RunOptions quiet = run;
  quiet.progress = {};
  quiet.batch_size = r.config.batch_size;
  quant::run_with_outputs(*fp32, {fp32->outputs()[0]->name()}, calib, q.subset, quiet, "",
                          [](const std::vector<Tensor>&) {});
  r.fp32_pass_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  EvalOptions eo;
  eo.batch_size = batch > 0 ? batch : o.eval_batch;
  eo.threads = o.threads;
  eo.workers = t.learning.num_workers;
  auto score = [&](const Graph& g) {
    return evaluate_in_runtime(as_written(g), task, val, transform_spec(t), eo, o.progress)
        ->score();
  };
  r.fp32_score = score(*fp32);
  r.int8_score = score(*q.model);
  nlohmann::json aa_steps = nlohmann::json::array();
  r.max_drop = o.max_drop >= 0 ? o.max_drop : task.default_max_drop();
  const bool relative = o.max_drop >= 0 && o.relative_drop;
  if (r.max_drop >= 0) {
    r.accuracy_aware = true;
    quant::AccuracyAwareOptions ao;
    ao.max_drop = r.max_drop;
    ao.relative = relative;
    DatasetCalibration val_inputs(val, transform_spec(t), fp32->inputs()[0]->name(),
                                  t.learning.num_workers);
    quant::AccuracyAwareResult aa = quant::accuracy_aware_ptq(*fp32, q.plan, val_inputs, score,
                                                              r.fp32_score, r.int8_score, ao, run);
    q.model = aa.model;
    r.int8_score = aa.int8_score;
    r.within_budget = aa.within_budget;
    for (const quant::FloatNode& f : q.plan.reverted) r.reverted.push_back(f.node);
    for (const quant::AccuracyAwareStep& s : aa.steps)
      aa_steps.push_back({{"node", s.node},
                          {"op", op_type_of(*fp32, s.node)},
                          {"score", s.score},
                          {"kept_in_float", s.kept},
                          {"output_error_ratio", s.error_ratio},
                          {"why", s.kept ? "reverting it restored the metric (output error " +
                                               percent(s.error_ratio) + " of before)"
                                         : "undone: the metric got worse"}});
  }

  // Layer errors on (at most) the first 64 calibration samples.
  std::vector<size_t> probe(q.subset.begin(),
                            q.subset.begin() + std::min<size_t>(64, q.subset.size()));
  std::vector<quant::LayerError> errors =
      quant::layer_sqnr(*fp32, *q.model, q.plan, calib, probe, run);
  r.fp32_latency_ms = median_latency_ms(fp32->clone(), o.threads, o.bench_iterations);
  r.int8_latency_ms = median_latency_ms(q.model->clone(), o.threads, o.bench_iterations);
  std::string int8_bytes = serialize_onnx(*q.model);
  r.int8_bytes = int8_bytes.size();
  r.fp32_bytes = serialize_onnx(*fp32).size();

  std::error_code ec;
  fs::create_directories(o.output_dir, ec);
  if (ec) throw_invalid(o.output_dir + ": cannot create the output folder: " + ec.message());
  r.model_path = (fs::path(o.output_dir) / "model.onnx").string();
  r.report_path = (fs::path(o.output_dir) / "ptq_report.json").string();
  r.report_text_path = (fs::path(o.output_dir) / "ptq_report.txt").string();
  r.performance_path = (fs::path(o.output_dir) / "ptq_performance.json").string();
  write_file_atomic(r.model_path, int8_bytes);
  nlohmann::json report = quant::ptq_report_json(q.plan, r.config, errors);
  report["calibration_indices"] = q.subset;
  report["smooth_quant_layers"] = q.smoothed;
  report["config_file"] = r.config_source;
  if (r.accuracy_aware)
    report["accuracy_aware"] = {{"max_drop", r.max_drop},
                                {"drop_type", relative ? "relative" : "absolute"},
                                {"within_budget", r.within_budget},
                                {"steps", aa_steps}};
  write_file_atomic(r.report_path, report.dump(2) + "\n");
  write_file_atomic(r.report_text_path, quant::ptq_report_text(q.plan, r.config, errors));
  r.performance =
      performance_json(r.metric, r.fp32_score, r.int8_score, r.fp32_latency_ms, r.int8_latency_ms,
                       resolve_threads(o.threads), r.fp32_bytes, r.int8_bytes);
  r.performance.update(
      {{"ptq_seconds", r.ptq_seconds},
       {"fp32_pass_seconds", r.fp32_pass_seconds},
       {"ptq_time_ratio", r.fp32_pass_seconds > 0 ? r.ptq_seconds / r.fp32_pass_seconds : 0},
       {"peak_rss_mb_after_ptq", r.peak_rss_mb},
       {"calibration_samples", q.subset.size()},
       {"calibration_seed", r.config.seed},
       {"preset", quant::preset_name(r.config.preset)},
       {"model", o.model},
       {"template", t.name},
       {"val_data", o.val_data}});
  if (r.accuracy_aware) {
    r.performance["max_drop"] = r.max_drop;
    r.performance["drop_type"] = relative ? "relative" : "absolute";
    r.performance["within_budget"] = r.within_budget;
    r.performance["reverted_to_fp32"] = r.reverted;
  }
  write_file_atomic(r.performance_path, r.performance.dump(2) + "\n");
  return r;
}

}  // namespace trex::engine
