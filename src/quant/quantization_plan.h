// The result of the PTQ algorithms before it becomes a graph: where the quantizers are,
// their parameters, the quantized weights and corrected biases, and notes for the report.
// insert_qdq.h turns a plan and the FP32 graph into the QDQ model.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "quant/quant_params.h"
#include "quant/quantizer_placement.h"

namespace trex::quant {

/// What bias correction did to one layer.
struct BiasShift {
  std::string node;
  double max_abs_shift = 0;
  double magnitude = 0;  ///< max |shift / bias| over the channels
  bool applied = false;
  std::string why_not;
};

struct QuantizationPlan {
  QuantizationSetup setup;
  std::map<std::string, ActivationParams> activations;  ///< by quantized value
  std::map<std::string, QuantizedWeight> weights;       ///< by node
  std::map<std::string, Tensor> biases;                 ///< corrected f32 bias, by node
  std::vector<BiasShift> bias_shifts;
  /// Nodes kept in float after the fact (accuracy-aware PTQ), with the reason.
  std::vector<FloatNode> reverted;

  bool is_reverted(const std::string& node) const {
    for (const FloatNode& f : reverted)
      if (f.node == node) return true;
    return false;
  }
  /// The consumers of `a` in `g` that read its quantized copy (reverted nodes excluded).
  std::vector<std::pair<Node*, size_t>> live_consumers(const ActivationQuantizer& a,
                                                       const Graph& g) const {
    std::vector<std::pair<Node*, size_t>> out;
    for (const auto& [node, index] : a.consumers)
      if (!is_reverted(node)) out.emplace_back(g.find_node(node), index);
    return out;
  }
  /// The input of `node` its weight quantizer covers (1 unless the placement says otherwise).
  size_t weight_input(const std::string& node) const {
    for (const WeightQuantizer& w : setup.weights)
      if (w.node == node) return w.input;
    return 1;
  }
};

}  // namespace trex::quant
