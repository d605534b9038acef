// QuantizationConfig -> PTQ config for QAT initialization (see qat_config.h).
#include "compress/qat_config.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "util/error.h"

namespace trex::compress {

namespace {

/// The int8 QDQ export and the CPU int8 kernels fix part of the quantizer format; say which
/// key asks for another.
void check_group(const QuantizerGroupConfig& g, const std::string& where, bool weights,
                 bool override) {
  auto no = [&](const std::string& key, const std::string& why) {
    throw_unsupported(where + "." + key + ": " + why);
  };
  if (override && g.logarithm_scale)
    no("logarithm_scale",
       "true is not supported per scope (set it for all weights or activations)");
  if (weights) {
    if (g.mode && *g.mode != "symmetric")
      no("mode", "'" + *g.mode +
                     "' is not supported for weights: the CPU int8 kernels take "
                     "symmetric int8 weights");
    if (g.is_signed && !*g.is_signed)
      no("signed", "false is not supported for weights (int8 weights are signed)");
  } else if (g.per_channel && *g.per_channel) {
    no("per_channel",
       "true is not supported for activations (the CPU int8 kernels take one scale per "
       "tensor)");
  }
}

/// The values an activation scope entry names: the outputs of the nodes it matches, and
/// the model inputs it matches.
std::set<std::string> values_of(const Graph& model, const std::string& entry) {
  std::set<std::string> out;
  for (const Value* v : model.inputs())
    if (scope_entry_matches(entry, v->name())) out.insert(v->name());
  for (const Node* n : model.nodes())
    if (scope_entry_matches(entry, n->name()))
      for (const Value* v : n->outputs())
        if (v) out.insert(v->name());
  return out;
}

/// Every value an activation quantizer can sit on: the model inputs and node outputs.
std::set<std::string> all_values(const Graph& model) {
  std::set<std::string> all;
  for (const Value* v : model.inputs()) all.insert(v->name());
  for (const Node* n : model.nodes())
    for (const Value* v : n->outputs())
      if (v) all.insert(v->name());
  return all;
}

/// The activation values `scopes` covers (targeted, or all without targets; not ignored).
std::set<std::string> values_inside(const Graph& model, const Scopes& scopes) {
  std::set<std::string> inside;
  if (scopes.target.empty())
    inside = all_values(model);
  else
    for (const std::string& e : scopes.target) inside.merge(values_of(model, e));
  for (const std::string& e : scopes.ignored)
    for (const std::string& v : values_of(model, e)) inside.erase(v);
  return inside;
}

/// Applies scope overrides: `targets(entry)` is what an entry covers (nodes or values),
/// `fields(g)` the (key, value) pairs override `g` sets, `apply(target, g)` sets them. JSON
/// object keys have no order, so precedence is by kind: {re} patterns first, then exact
/// names, which win; two patterns covering one target must agree on every key both set.
/// Entries covering nothing are added to `unmatched` (named by `key`, the relative path).
void apply_overrides(
    const std::vector<std::pair<std::string, QuantizerGroupConfig>>& overrides,
    const std::string& where, const std::string& key,
    const std::function<std::set<std::string>(const std::string&)>& targets,
    const std::function<std::map<std::string, std::string>(const QuantizerGroupConfig&)>& fields,
    const std::function<void(const std::string&, const QuantizerGroupConfig&)>& apply,
    std::vector<std::string>& unmatched) {
  // target -> key -> (pattern, value) set by a pattern so far
  std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>> by_pattern;
  for (bool patterns : {true, false})
    for (const auto& [entry, g] : overrides) {
      if ((entry.rfind("{re}", 0) == 0) != patterns) continue;
      const std::set<std::string> covered = targets(entry);
      if (covered.empty()) unmatched.push_back(key + " entry '" + entry + "'");
      for (const std::string& t : covered) {
        if (patterns)
          for (const auto& [field, value] : fields(g)) {
            auto [it, fresh] = by_pattern[t].emplace(field, std::make_pair(entry, value));
            if (!fresh && it->second.second != value)
              throw_invalid(where + ": '" + it->second.first + "' and '" + entry +
                            "' both match '" + t + "' and set " + field + " to " +
                            it->second.second + " and " + value +
                            " (JSON keys have no order: make the patterns disjoint, or name '" + t +
                            "' exactly, which takes precedence)");
          }
        apply(t, g);
      }
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

  check_group(q.weights, where + ".weights", true, false);
  check_group(q.activations, where + ".activations", false, false);
  for (const auto& [scope, g] : q.weight_overrides)
    check_group(g, where + ".scope_overrides.weights." + scope, true, true);
  for (const auto& [scope, g] : q.activation_overrides)
    check_group(g, where + ".scope_overrides.activations." + scope, false, true);
  c.quantize_outputs = q.quantize_outputs;
  out.log_scale_weights = q.weights.logarithm_scale;
  out.log_scale_activations = q.activations.logarithm_scale;

  // The preset gives the activation mode unless activations.mode says otherwise.
  c.preset = q.preset == "mixed" ? quant::Preset::kMixed : quant::Preset::kPerformance;
  if (q.activations.mode)
    c.preset =
        *q.activations.mode == "asymmetric" ? quant::Preset::kMixed : quant::Preset::kPerformance;

  // Weights: the group's bits and granularity, then the scope overrides (each changes what
  // it gives).
  c.weights = {q.weights.bits, q.weights.per_channel.value_or(true)};
  auto nodes_of = [&](const std::string& entry) {
    std::set<std::string> out;
    for (const Node* n : model.nodes())
      if (scope_entry_matches(entry, n->name())) out.insert(n->name());
    return out;
  };
  apply_overrides(
      q.weight_overrides, where + ".scope_overrides.weights", "scope_overrides.weights", nodes_of,
      [](const QuantizerGroupConfig& g) {
        std::map<std::string, std::string> f;
        if (g.bits_given) f["bits"] = std::to_string(g.bits);
        if (g.per_channel) f["per_channel"] = *g.per_channel ? "true" : "false";
        return f;
      },
      [&](const std::string& node, const QuantizerGroupConfig& g) {
        auto [it, fresh] = c.weights_by_node.emplace(node, c.weights);
        if (g.bits_given) it->second.bits = g.bits;
        if (g.per_channel) it->second.per_channel = *g.per_channel;
      },
      out.unmatched_scopes);
  // Activations likewise, per quantized value (scopes name the producing node or the model
  // input); the mode is the preset's unless given. `signed` means nothing to an asymmetric
  // quantizer (uint8 with a zero point), so it is refused there.
  c.activation_spec.bits = q.activations.bits;
  c.activation_spec.is_signed = q.activations.is_signed;
  const bool group_symmetric = c.preset == quant::Preset::kPerformance;
  if (q.activations.is_signed && !group_symmetric)
    throw_unsupported(where +
                      ".activations.signed: has no effect on asymmetric activations (preset "
                      "mixed or mode asymmetric); remove it or use mode symmetric");
  std::set<std::string> signed_here;  // values whose override sets `signed`
  apply_overrides(
      q.activation_overrides, where + ".scope_overrides.activations", "scope_overrides.activations",
      [&](const std::string& e) { return values_of(model, e); },
      [](const QuantizerGroupConfig& g) {
        std::map<std::string, std::string> f;
        if (g.bits_given) f["bits"] = std::to_string(g.bits);
        if (g.is_signed) f["signed"] = *g.is_signed ? "true" : "false";
        if (g.mode) f["mode"] = *g.mode;
        return f;
      },
      [&](const std::string& value, const QuantizerGroupConfig& g) {
        auto [it, fresh] = c.activation_spec_by_value.emplace(value, c.activation_spec);
        if (g.bits_given) it->second.bits = g.bits;
        if (g.is_signed) it->second.is_signed = g.is_signed, signed_here.insert(value);
        if (g.mode) it->second.symmetric = *g.mode == "symmetric";
      },
      out.unmatched_scopes);
  for (auto& [value, a] : c.activation_spec_by_value) {
    if (a.symmetric.value_or(group_symmetric)) continue;
    if (signed_here.count(value))
      throw_unsupported(where +
                        ".scope_overrides.activations: 'signed' has no effect on the "
                        "asymmetric activation '" +
                        value + "'; remove it or use mode symmetric");
    a.is_signed.reset();  // the group's, for its symmetric quantizers
  }
  // Group scopes: weights or activation quantizers they leave out stay float.
  for (const Node* n : model.nodes())
    if (!q.weights.scopes.covers(n->name())) c.float_weights.insert(n->name());
  const std::set<std::string> quantized = values_inside(model, q.activations.scopes);
  for (const std::string& v : all_values(model))
    if (!quantized.count(v)) c.float_activations.insert(v);
  // Scope entries that cover nothing are warned about (a typo would silently leave a whole
  // group float or unchanged).
  auto unmatched_entries = [&](const Scopes& sc, const std::string& key, bool nodes) {
    for (const auto* list : {&sc.ignored, &sc.target})
      for (const std::string& e : *list)
        if ((nodes ? nodes_of(e) : values_of(model, e)).empty())
          out.unmatched_scopes.push_back(key + "." + (list == &sc.ignored ? "ignored" : "target") +
                                         "_scopes entry '" + e + "'");
  };
  unmatched_entries(q.weights.scopes, "weights", true);
  unmatched_entries(q.activations.scopes, "activations", false);

  c.overflow_fix = q.overflow_fix == "disable"  ? quant::OverflowFix::kDisable
                   : q.overflow_fix == "enable" ? quant::OverflowFix::kEnable
                                                : quant::OverflowFix::kFirstLayer;

  // Range initializers: weights always take their exact per-channel extremes (a weight is
  // one sample, so every min/max-type initializer agrees). Activations: an entry without
  // scopes is the default, entries with scopes apply to the values they cover (the first
  // such entry in the list wins).
  const RangeInitConfig* act = nullptr;
  int samples = 0;
  auto estimator = [](const RangeInitConfig& r) {
    quant::RangeEstimator e;
    e.kind = estimator_of(r.type);
    e.min_percentile = r.min_percentile;
    e.max_percentile = r.max_percentile;
    return e;
  };
  for (size_t i = 0; i < q.range_init.size(); ++i) {
    const RangeInitConfig& r = q.range_init[i];
    const std::string at = where + ".initializer.range" +
                           (q.range_init.size() > 1 ? "[" + std::to_string(i) + "]" : "");
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
    if (!r.scopes.ignored.empty() || !r.scopes.target.empty()) {
      unmatched_entries(r.scopes, at.substr(where.size() + 1), false);
      for (const std::string& v : values_inside(model, r.scopes))
        c.estimator_by_value.emplace(v, estimator(r));
      continue;
    }
    if (act)
      throw_unsupported(at +
                        ": a second activation range initializer without scopes (one default "
                        "for all activations; give the others ignored_scopes / target_scopes)");
    act = &r;
  }
  RangeInitConfig fallback;
  if (!act) act = &fallback;
  c.activations = estimator(*act);
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
