// FastBiasCorrection: for each quantized Conv/Gemm with a bias, the mean output shift that
// weight quantization causes is measured on the layer alone, fed with the per-channel means
// of its FP32 input over the calibration set, and added back to the bias.
#pragma once

#include "ir/graph.h"
#include "quant/quantization_plan.h"
#include "quant/quantizer_config.h"
#include "quant/statistics.h"

namespace trex::quant {

/// The layers bias correction works on: quantized Conv/Gemm with a constant 1-D bias and a
/// quantized input, in topological order.
std::vector<const Node*> bias_correction_layers(const Graph& g, const QuantizationSetup& setup);

/// Adds `shift` to the bias of `n` in `plan` when max |shift / bias| over the channels is
/// under `threshold` (a zero bias channel counts as infinite), recording what happened in
/// plan.bias_shifts.
void apply_bias_shift(const Node& n, const std::vector<double>& shift, double threshold,
                      QuantizationPlan& plan);

class FastBiasCorrection {
 public:
  explicit FastBiasCorrection(const PtqConfig& config) : config_(config) {}
  /// Per-channel means of each corrected layer's FP32 input.
  StatisticsRequest required_statistics(const Graph& g, const QuantizationSetup& setup) const;
  /// Shifts the biases in plan.biases (needs plan.activations and plan.weights).
  void apply(const Graph& g, const Statistics& stats, QuantizationPlan& plan) const;

 private:
  PtqConfig config_;
};

}  // namespace trex::quant
