// SmoothQuant (transformer models): activation outliers move into the weights. For each
// MatMul/Gemm with a constant 2-D weight, per input feature k:
//   s_k = max|X_k|^alpha / max|W_k|^(1 - alpha),  X' = X / s,  W' = diag(s) W,
// so X W = X' W' while X' has flatter channels that quantize per tensor with less error.
// X / s runs as a Mul in front of the layer.
#pragma once

#include <memory>

#include "ir/graph.h"
#include "quant/quantizer_config.h"
#include "quant/statistics.h"

namespace trex::quant {

class SmoothQuant {
 public:
  explicit SmoothQuant(const PtqConfig& config) : config_(config) {}
  /// Per-feature max |x| of each smoothed layer's activation input.
  StatisticsRequest required_statistics(const Graph& g) const;
  /// A new graph with the smoothing applied; names of the smoothed layers go to `smoothed`.
  std::shared_ptr<Graph> apply(const Graph& g, const Statistics& stats,
                               std::vector<std::string>* smoothed = nullptr) const;

 private:
  PtqConfig config_;
};

}  // namespace trex::quant
