// MinMax quantization: activation ranges from the range estimators, unified over Concat
// groups, turned into scales and zero points by the preset; weights quantized per channel.
#pragma once

#include "ir/graph.h"
#include "quant/quantization_plan.h"
#include "quant/quantizer_config.h"
#include "quant/statistics.h"

namespace trex::quant {

class MinMaxQuantization {
 public:
  explicit MinMaxQuantization(const PtqConfig& config) : config_(config) {}
  /// A range collector per activation quantizer of `setup`.
  StatisticsRequest required_statistics(const QuantizationSetup& setup) const;
  /// Fills plan.activations and plan.weights (plan.setup must be set).
  void apply(const Graph& g, const Statistics& stats, QuantizationPlan& plan) const;

 private:
  PtqConfig config_;
};

}  // namespace trex::quant
