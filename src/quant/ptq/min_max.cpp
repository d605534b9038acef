// MinMax quantization (see min_max.h). Signedness comes from the observed minimum, so data
// after ReLU gets uint8; a group (Concat) is unsigned only when all its members are.
#include "quant/ptq/min_max.h"

#include <algorithm>

#include "util/error.h"

namespace trex::quant {

StatisticsRequest MinMaxQuantization::required_statistics(const QuantizationSetup& setup) const {
  StatisticsRequest r;
  for (const ActivationQuantizer& a : setup.activations) r.add_range(a.value, config_.activations);
  return r;
}

void MinMaxQuantization::apply(const Graph& g, const Statistics& stats,
                               QuantizationPlan& plan) const {
  const bool symmetric = config_.preset == Preset::kPerformance;
  plan.symmetric_activations = symmetric;
  // Per group: the union of the members' ranges and signedness.
  std::map<int, Range> group_range;
  std::map<int, bool> group_unsigned;
  auto collector = [&stats](const std::string& value) -> const RangeCollector& {
    auto it = stats.ranges.find(value);
    if (it == stats.ranges.end())
      throw_internal(__FILE__, __LINE__, "no statistics for quantized value " + value);
    return it->second;
  };
  for (const ActivationQuantizer& a : plan.setup.activations) {
    if (a.group < 0) continue;
    const RangeCollector& c = collector(a.value);
    bool is_unsigned = c.min() >= 0;
    Range r = c.range(symmetric, is_unsigned);
    auto [it, fresh] = group_range.emplace(a.group, r);
    if (!fresh) it->second = {std::min(it->second.lo, r.lo), std::max(it->second.hi, r.hi)};
    auto [u, ufresh] = group_unsigned.emplace(a.group, is_unsigned);
    if (!ufresh) u->second = u->second && is_unsigned;
  }
  for (const ActivationQuantizer& a : plan.setup.activations) {
    const RangeCollector& c = collector(a.value);
    bool is_unsigned = a.group >= 0 ? group_unsigned[a.group] : c.min() >= 0;
    Range r = a.group >= 0 ? group_range[a.group] : c.range(symmetric, is_unsigned);
    plan.activations[a.value] = make_activation_params(r, symmetric, is_unsigned);
  }
  for (const WeightQuantizer& w : plan.setup.weights) {
    const Node* n = g.find_node(w.node);
    TREX_ASSERT(n && n->input(w.input) && n->input(w.input)->is_constant());
    bool fix = config_.overflow_fix == OverflowFix::kEnable ||
               (config_.overflow_fix == OverflowFix::kFirstLayer && w.first_layer);
    const Tensor& t = n->input(w.input)->constant();
    if (t.dtype() != DType::kFloat32)
      throw_unsupported(n->describe() + ": weight of dtype " + dtype_name(t.dtype()) +
                        " cannot be quantized (f32 expected)");
    auto b = config_.weight_bits_by_node.find(w.node);
    const int bits = b != config_.weight_bits_by_node.end() ? b->second : config_.weight_bits;
    const int levels = (1 << (bits - 1)) - 1;  // narrow range: 127 at 8 bits
    plan.weights[w.node] = quantize_weight(t, w.axis, fix ? std::min(levels, 63) : levels);
  }
}

}  // namespace trex::quant
