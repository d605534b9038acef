// BiasCorrection: the slower, sequential variant. Layer by layer in topological order, the
// model quantized so far (earlier layers already corrected) runs on a part of the
// calibration subset, and the layer's bias moves by the difference between its FP32 and
// quantized mean outputs, so each correction sees the errors of the layers before it.
#pragma once

#include "ir/graph.h"
#include "quant/calibration_data.h"
#include "quant/quantization_plan.h"
#include "quant/quantizer_config.h"
#include "quant/statistics.h"

namespace trex::quant {

class BiasCorrection {
 public:
  explicit BiasCorrection(const PtqConfig& config) : config_(config) {}
  /// Corrects plan.biases (needs plan.activations and plan.weights); `subset` is the
  /// calibration subset, of which the configured fraction is used.
  void apply(const Graph& g, QuantizationPlan& plan, CalibrationData& data,
             const std::vector<size_t>& subset, const RunOptions& options) const;

 private:
  PtqConfig config_;
};

}  // namespace trex::quant
