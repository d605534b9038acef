// Accuracy-aware PTQ: when the quantized model loses more than the budget, quantized nodes
// are reverted to FP32 one at a time, most harmful first, until the drop is within budget.
// Harm is ranked by how much reverting a node alone brings the model's outputs back to the
// FP32 outputs on the validation samples INT8 gets most wrong; the ranking is redone when a
// revert makes the metric worse (that revert is undone).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "quant/calibration_data.h"
#include "quant/quantization_plan.h"
#include "quant/statistics.h"

namespace trex::quant {

struct AccuracyAwareOptions {
  double max_drop = 0.01;      ///< in the metric's units ([0, 1] for accuracy), or a fraction
  bool relative = false;       ///< drop = (fp32 - int8) / fp32 instead of fp32 - int8
  size_t ranking_pool = 300;   ///< validation samples scored to find the worst ones
  size_t worst_samples = 100;  ///< of those, the ones INT8 gets most wrong rank the nodes
  int max_reverts = 0;         ///< 0: as many as there are quantized nodes
};

struct AccuracyAwareStep {
  std::string node;
  double score = 0;  ///< metric after the revert
  bool kept = true;  ///< false: it made things worse and was undone
  /// Why it was tried: the output error on the ranking samples with this node back in FP32,
  /// as a fraction of the error before (lower: more harmful when quantized).
  double error_ratio = 1;
};

struct AccuracyAwareResult {
  std::shared_ptr<Graph> model;
  double fp32_score = 0, int8_score = 0;
  bool within_budget = false;
  std::vector<AccuracyAwareStep> steps;
};

/// The drop as the options define it.
double metric_drop(double fp32, double int8, const AccuracyAwareOptions& o);

/// Runs the loop on `plan` (nodes reverted are added to plan.reverted). `metric` scores a
/// model on the validation set (higher is better); `val` gives its inputs for ranking.
AccuracyAwareResult accuracy_aware_ptq(const Graph& fp32, QuantizationPlan& plan,
                                       CalibrationData& val,
                                       const std::function<double(const Graph&)>& metric,
                                       double fp32_score, double int8_score,
                                       const AccuracyAwareOptions& options, const RunOptions& run);

}  // namespace trex::quant
