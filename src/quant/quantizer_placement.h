// Quantizer placement: where a graph gets activation and weight quantizers on the CPU
// target. One answer for every path that asks (PTQ here, QAT in src/compress).
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "quant/quantizer_config.h"

namespace trex::quant {

/// A quantizer on a float value; the listed consumers read its dequantized copy, any other
/// reader keeps the float value.
struct ActivationQuantizer {
  std::string value;
  std::vector<std::pair<std::string, size_t>> consumers;  ///< (node name, input index)
  int group = -1;             ///< unified-scale group (Concat), -1 when alone
  bool model_input = false;   ///< the value is a graph input
  bool model_output = false;  ///< the value is a graph output, quantized there too
};

/// Per-output-channel weight quantizer on a constant input.
struct WeightQuantizer {
  std::string node;
  size_t input = 1;
  int axis = 0;              ///< output-channel axis of the weight
  bool first_layer = false;  ///< the node reads a model input (for the overflow fix)
};

/// A node that stays in float, and why.
struct FloatNode {
  std::string node, op_type, reason;
};

struct QuantizationSetup {
  std::vector<ActivationQuantizer> activations;
  std::vector<WeightQuantizer> weights;
  std::vector<FloatNode> float_nodes;
  /// Nodes with quantized inputs (Conv, Add, ...), in topological order.
  std::vector<std::string> quantized_nodes;
  /// For each quantized (node, input): the value whose quantizer covers it (the input
  /// itself, or a value above agnostic ops).
  std::map<std::pair<std::string, size_t>, std::string> input_quantizer;
  /// Ignored-scope entries that matched no node (callers warn, naming them).
  std::vector<std::string> unmatched_ignored;

  const ActivationQuantizer* find_activation(const std::string& value) const;
};

/// Places quantizers on a canonical graph. Ignored nodes stay float; quantizers wanted on
/// all readers of an agnostic op's output move to its input; readers of one value share its
/// quantizer; Concat inputs and output share one group.
/// With `transformer`, elementwise arithmetic and normalization inputs are not quantized.
QuantizationSetup place_quantizers(const Graph& g, const IgnoredScope& ignored = {},
                                   bool transformer = false);

/// quantize_outputs: every float graph output of `g` gets a quantizer (the one its other
/// readers share, or a new one), except outputs of ignored nodes and model inputs.
void add_output_quantizers(const Graph& g, const IgnoredScope& ignored, QuantizationSetup& setup);

/// Removes the weight quantizers of nodes in `weights` and the activation quantizers on
/// values in `activations` (their readers read the float value; input_quantizer forgets them).
void drop_quantizers(QuantizationSetup& setup, const std::set<std::string>& activations,
                     const std::set<std::string>& weights);

/// Whether `n` is in the ignored scope; `why` says which entry matched.
bool is_ignored(const Node& n, const IgnoredScope& scope, std::string* why = nullptr);

}  // namespace trex::quant
