// Quantization plans across BatchNorm folding (see plan_transfer.h).
#include "compress/plan_transfer.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace trex::compress {

namespace {

const Tensor& weight_of(const Graph& g, const std::string& node, size_t input) {
  const Node* n = g.find_node(node);
  if (!n || !n->input(input) || !n->input(input)->is_constant())
    throw_invalid("quantization plan: node '" + node + "' has no constant weight in the model");
  return n->input(input)->constant();
}

}  // namespace

quant::QuantizationPlan transfer_plan(const quant::QuantizationPlan& plan, const Graph& from,
                                      const Graph& to) {
  quant::QuantizationPlan out = plan;

  // Activations: the value the consumers read in `to`.
  std::map<std::string, std::string> renamed;
  out.activations.clear();
  for (quant::ActivationQuantizer& a : out.setup.activations) {
    std::string value;
    for (const auto& [node, index] : a.consumers) {
      const Node* n = to.find_node(node);
      if (!n || !n->input(index))
        throw_invalid("quantization plan: consumer '" + node + "' input " + std::to_string(index) +
                      " of '" + a.value + "' is not in the model");
      if (value.empty()) value = n->input(index)->name();
      if (n->input(index)->name() != value)
        throw_invalid("quantization plan: the consumers of '" + a.value +
                      "' read different values in the model");
    }
    if (value.empty()) value = a.value;
    renamed[a.value] = value;
    out.activations[value] = plan.activations.at(a.value);
    a.value = value;
  }
  for (auto& [use, value] : out.setup.input_quantizer)
    if (auto r = renamed.find(value); r != renamed.end()) value = r->second;

  // Weights: scales follow the per-channel factor, values re-rounded from `to`.
  for (auto& [node, wq] : out.weights) {
    const size_t input = plan.weight_input(node);
    const Tensor& ws = weight_of(from, node, input);
    const Tensor& wt = weight_of(to, node, input);
    if (ws.dims() != wt.dims())
      throw_invalid("quantization plan: the weight of '" + node + "' changed shape");
    std::vector<float> ms = quant::channel_max_abs(ws, wq.axis);
    std::vector<float> mt = quant::channel_max_abs(wt, wq.axis);
    TREX_ASSERT(ms.size() == wq.scales.size());
    for (size_t c = 0; c < wq.scales.size(); ++c)
      if (ms[c] > 0) wq.scales[c] = std::max(wq.scales[c] * (mt[c] / ms[c]), 1e-12f);
    wq.values = quant::round_weight(wt, wq.axis, wq.scales, wq.max_level);
  }
  return out;
}

}  // namespace trex::compress
