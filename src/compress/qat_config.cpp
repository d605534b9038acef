// QuantizationConfig -> PTQ config for QAT initialization (see qat_config.h).
#include "compress/qat_config.h"

#include <algorithm>

#include "util/error.h"

namespace trex::compress {

namespace {

/// The int8 QDQ export fixes the quantizer format; say which key asks for another.
void check_group(const QuantizerGroupConfig& g, const std::string& where, bool weights) {
  auto no = [&](const std::string& key, const std::string& why) {
    throw_unsupported(where + "." + key + ": " + why);
  };
  // Weights of 2-8 bits are int8 values on a narrower grid (exact in int8 QDQ); an
  // activation grid narrower than 8 bits would need a clamp the QDQ model does not have.
  if (!weights && g.bits != 8)
    no("bits", std::to_string(g.bits) +
                   " is not supported for activations: QAT exports ONNX int8 QDQ, whose "
                   "activations use the full 8-bit grid (weights take 2-8)");
  if (g.logarithm_scale) no("logarithm_scale", "true is not supported (linear int8 grids only)");
  if (weights) {
    if (g.mode && *g.mode != "symmetric")
      no("mode", "'" + *g.mode +
                     "' is not supported for weights: the CPU int8 kernels take "
                     "symmetric int8 weights");
    if (g.per_channel && !*g.per_channel)
      no("per_channel", "false is not supported for weights (per-channel scales only)");
    if (g.is_signed && !*g.is_signed)
      no("signed", "false is not supported for weights (int8 weights are signed)");
  } else {
    if (g.per_channel && *g.per_channel)
      no("per_channel", "true is not supported for activations (one scale per tensor)");
    if (g.is_signed)
      no("signed",
         "cannot be forced for activations: the statistics choose (uint8 for "
         "non-negative data, else int8)");
  }
}

quant::EstimatorKind estimator_of(const std::string& type) {
  if (type == "min_max") return quant::EstimatorKind::kMinMax;
  if (type == "mean_min_max") return quant::EstimatorKind::kMeanMinMax;
  if (type == "threesigma") return quant::EstimatorKind::kThreeSigma;
  if (type == "percentile") return quant::EstimatorKind::kPercentile;
  if (type == "mean_percentile") return quant::EstimatorKind::kMeanPercentile;
  return quant::EstimatorKind::kMixedMinMax;  // mixed_min_max (the config reader checked)
}

}  // namespace

QatInitConfig qat_init_config(const QuantizationConfig& q, const Graph& model,
                              const std::string& where, uint64_t seed) {
  QatInitConfig out;
  quant::PtqConfig& c = out.ptq;
  c.seed = seed;
  c.bias_correction = quant::BiasCorrectionKind::kNone;

  check_group(q.weights, where + ".weights", true);
  check_group(q.activations, where + ".activations", false);
  for (const auto& [scope, g] : q.weight_overrides)
    check_group(g, where + ".scope_overrides.weights." + scope, true);
  for (const auto& [scope, g] : q.activation_overrides) {
    check_group(g, where + ".scope_overrides.activations." + scope, false);
    if (g.mode)
      throw_unsupported(where + ".scope_overrides.activations." + scope +
                        ".mode: per-scope activation modes are not supported (one mode for "
                        "all activations; set activations.mode)");
  }
  if (q.quantize_outputs)
    throw_unsupported(where +
                      ".quantize_outputs: true is not supported (model outputs stay "
                      "float)");

  // The preset gives the activation mode unless activations.mode says otherwise.
  c.preset = q.preset == "mixed" ? quant::Preset::kMixed : quant::Preset::kPerformance;
  if (q.activations.mode)
    c.preset =
        *q.activations.mode == "asymmetric" ? quant::Preset::kMixed : quant::Preset::kPerformance;

  // Weight bits: the weights group's, then each scope override in file order.
  c.weight_bits = q.weights.bits;
  for (const auto& [scope, g] : q.weight_overrides)
    for (const Node* n : model.nodes())
      if (g.bits_given && scope_entry_matches(scope, n->name()))
        c.weight_bits_by_node[n->name()] = g.bits;

  c.overflow_fix = q.overflow_fix == "disable"  ? quant::OverflowFix::kDisable
                   : q.overflow_fix == "enable" ? quant::OverflowFix::kEnable
                                                : quant::OverflowFix::kFirstLayer;

  // Range initializers: weights always take their exact per-channel extremes (a weight is
  // one sample, so every min/max-type initializer agrees); activations take one initializer.
  const RangeInitConfig* act = nullptr;
  int samples = 0;
  for (size_t i = 0; i < q.range_init.size(); ++i) {
    const RangeInitConfig& r = q.range_init[i];
    const std::string at = where + ".initializer.range" +
                           (q.range_init.size() > 1 ? "[" + std::to_string(i) + "]" : "");
    if (!r.scopes.ignored.empty() || !r.scopes.target.empty())
      throw_unsupported(at +
                        ": per-scope range initializers are not supported (one "
                        "initializer for all activations)");
    if (r.num_init_samples <= 0)
      throw_unsupported(at +
                        ".num_init_samples: 0 (no range initialization) is not "
                        "supported: QAT starts from initialized ranges");
    samples = std::max(samples, r.num_init_samples);
    if (r.target_quantizer_group == "weights") {
      if (r.type != "min_max" && r.type != "mixed_min_max" && r.type != "mean_min_max")
        throw_unsupported(at + ".type: '" + r.type +
                          "' is not supported for weights (their per-channel min/max is used)");
      continue;
    }
    if (act)
      throw_unsupported(at + ": a second activation range initializer (one for all activations)");
    act = &r;
  }
  RangeInitConfig fallback;
  if (!act) act = &fallback;
  c.activations.kind = estimator_of(act->type);
  c.activations.min_percentile = act->min_percentile;
  c.activations.max_percentile = act->max_percentile;
  c.stat_subset_size = samples > 0 ? samples : fallback.num_init_samples;

  // Scopes: exact names and {re} patterns, and every node a target scope leaves out.
  for (const std::string& e : q.scopes.ignored) {
    if (e.rfind("{re}", 0) == 0)
      c.ignored.patterns.push_back(e.substr(4));
    else
      c.ignored.names.push_back(e);
  }
  const std::vector<Node*> nodes = model.nodes();
  auto unmatched = [&](const std::vector<std::string>& entries, const std::string& key) {
    for (const std::string& e : entries)
      if (std::none_of(nodes.begin(), nodes.end(),
                       [&](const Node* n) { return scope_entry_matches(e, n->name()); }))
        out.unmatched_scopes.push_back(key + " entry '" + e + "'");
  };
  unmatched(q.scopes.ignored, "ignored_scopes");
  unmatched(q.scopes.target, "target_scopes");
  for (const Node* n : nodes) {
    bool outside_target =
        !q.scopes.target.empty() && q.scopes.covers(n->name()) == false &&
        std::none_of(q.scopes.ignored.begin(), q.scopes.ignored.end(),
                     [&](const std::string& e) { return scope_entry_matches(e, n->name()); });
    // quantize_inputs false: layers reading a model input stay float.
    bool reads_input =
        !q.quantize_inputs && std::any_of(n->inputs().begin(), n->inputs().end(),
                                          [](const Value* v) { return v && v->is_graph_input(); });
    if (outside_target || reads_input) c.ignored.names.push_back(n->name());
  }
  quant::validate_ptq_config(c, where);
  return out;
}

}  // namespace trex::compress
