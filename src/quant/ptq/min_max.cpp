// MinMax quantization (see min_max.h). Signedness comes from the observed minimum unless the
// config forces it, so data after ReLU gets uint8; a group (Concat) is unsigned only when
// all its members are.
#include "quant/ptq/min_max.h"

#include <algorithm>

#include "util/error.h"

namespace trex::quant {

StatisticsRequest MinMaxQuantization::required_statistics(const QuantizationSetup& setup) const {
  StatisticsRequest r;
  for (const ActivationQuantizer& a : setup.activations)
    r.add_range(a.value, config_.estimator(a.value));
  return r;
}

void MinMaxQuantization::apply(const Graph& g, const Statistics& stats,
                               QuantizationPlan& plan) const {
  const bool preset_symmetric = config_.preset == Preset::kPerformance;
  auto collector = [&stats](const std::string& value) -> const RangeCollector& {
    auto it = stats.ranges.find(value);
    if (it == stats.ranges.end())
      throw_internal(__FILE__, __LINE__, "no statistics for quantized value " + value);
    return it->second;
  };
  // Each quantizer's mode, bits and signedness (forced, or from its observed minimum).
  struct Choice {
    bool symmetric = true, is_unsigned = true;
    int bits = 8;
  };
  auto choice_of = [&](const ActivationQuantizer& a) {
    const ActivationSpec& spec = config_.activation(a.value);
    Choice c;
    c.symmetric = spec.symmetric.value_or(preset_symmetric);
    c.bits = spec.bits;
    c.is_unsigned = spec.is_signed ? !*spec.is_signed : collector(a.value).min() >= 0;
    return c;
  };
  // Per group (Concat): one quantizer for all members, symmetric and unsigned only when all
  // are, the fewest bits, over the union of the members' ranges.
  std::map<int, Choice> group_choice;
  std::map<int, Range> group_range;
  for (const ActivationQuantizer& a : plan.setup.activations) {
    if (a.group < 0) continue;
    Choice c = choice_of(a);
    auto [ch, cfresh] = group_choice.emplace(a.group, c);
    if (!cfresh) {
      ch->second.symmetric = ch->second.symmetric && c.symmetric;
      ch->second.is_unsigned = ch->second.is_unsigned && c.is_unsigned;
      ch->second.bits = std::min(ch->second.bits, c.bits);
    }
  }
  for (const ActivationQuantizer& a : plan.setup.activations) {
    if (a.group < 0) continue;
    const Choice& c = group_choice[a.group];
    Range r = collector(a.value).range(c.symmetric, c.is_unsigned);
    auto [it, fresh] = group_range.emplace(a.group, r);
    if (!fresh) it->second = {std::min(it->second.lo, r.lo), std::max(it->second.hi, r.hi)};
  }
  for (const ActivationQuantizer& a : plan.setup.activations) {
    const Choice c = a.group >= 0 ? group_choice[a.group] : choice_of(a);
    Range r =
        a.group >= 0 ? group_range[a.group] : collector(a.value).range(c.symmetric, c.is_unsigned);
    plan.activations[a.value] = make_activation_params(r, c.symmetric, c.is_unsigned, c.bits);
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
    const WeightSpec& spec = config_.weight_spec(w.node);
    const int levels = (1 << (spec.bits - 1)) - 1;  // narrow range: 127 at 8 bits
    plan.weights[w.node] =
        quantize_weight(t, w.axis, fix ? std::min(levels, 63) : levels, spec.per_channel);
  }
}

}  // namespace trex::quant
