// DefaultQuantization: the PTQ pipeline (placement -> one calibration pass -> MinMax ->
// bias correction -> QDQ model) and the accuracy-aware loop around it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "quant/calibration_data.h"
#include "quant/quantization_plan.h"
#include "quant/quantizer_config.h"
#include "quant/statistics.h"

namespace trex::quant {

struct PtqResult {
  std::shared_ptr<Graph> model;  ///< the QDQ model
  QuantizationPlan plan;
  std::vector<size_t> subset;         ///< calibration sample indices used
  std::vector<std::string> warnings;  ///< e.g. ignored-scope entries that matched nothing
  std::vector<std::string> smoothed;  ///< layers SmoothQuant rescaled (transformer models)
};

/// Quantizes a canonical FP32 graph. Errors: a model that is already quantized ("model is
/// already optimized by PTQ"), empty calibration data, an opset below 13 that cannot be
/// raised (see upgrade_opset).
PtqResult quantize_model(const Graph& fp32, CalibrationData& data, const PtqConfig& config,
                         const RunOptions& options = {});

}  // namespace trex::quant
