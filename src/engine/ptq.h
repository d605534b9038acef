// `trex optimize` on a model file, for any task: PTQ with calibration on the training
// images, FP32 and INT8 evaluated on the validation images by the task's metric, latencies
// and sizes measured, and the INT8 model, the report and ptq_performance.json written.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "quant/ptq/accuracy_aware.h"
#include "quant/quantizer_config.h"
#include "tasks/model_template.h"
#include "util/progress.h"

namespace trex::engine {

struct PtqTaskOptions {
  std::string model;       ///< FP32 ONNX file
  std::string train_data;  ///< calibration images (the task's layout)
  std::string val_data;    ///< evaluation images (the task's layout)
  std::string output_dir;  ///< gets model.onnx, ptq_report.{json,txt}, ptq_performance.json
  std::string ptq_config;  ///< PTQ config file; empty: the template folder's ptq_config.yaml
  int threads = 0;
  int eval_batch = 64;
  int bench_iterations = 50;
  /// Accuracy-aware PTQ when >= 0: the allowed drop, in [0, 1] score units (absolute) or as
  /// a fraction of the FP32 score (relative). < 0: the task's default (Task::default_max_drop).
  double max_drop = -1;
  bool relative_drop = false;
  ProgressFn progress;
};

struct PtqTaskResult {
  std::string metric;  ///< the task's metric name
  quant::PtqConfig config;
  std::string config_source;  ///< which PTQ config file was read, if any
  double fp32_score = 0, int8_score = 0;
  double fp32_latency_ms = 0, int8_latency_ms = 0;  ///< batch 1, median
  size_t fp32_bytes = 0, int8_bytes = 0;            ///< serialized ONNX
  double ptq_seconds = 0;
  double fp32_pass_seconds = 0;  ///< one FP32 inference pass over the calibration subset
  double peak_rss_mb = 0;        ///< process peak right after PTQ (data loaded, calibrated)
  std::vector<std::string> warnings;
  bool accuracy_aware = false;
  double max_drop = -1;  ///< the budget applied (the option's or the task's default)
  bool within_budget = true;
  std::vector<std::string> reverted;  ///< nodes accuracy-aware PTQ put back to FP32
  std::string model_path, report_path, report_text_path, performance_path;
  nlohmann::json performance;
};

PtqTaskResult run_ptq(const ModelTemplate& t, const PtqTaskOptions& options);

}  // namespace trex::engine
