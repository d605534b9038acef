// PTQ report (see report.h).
#include "quant/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "util/error.h"

namespace trex::quant {

std::vector<LayerError> layer_sqnr(const Graph& fp32, const Graph& qdq,
                                   const QuantizationPlan& plan, CalibrationData& data,
                                   const std::vector<size_t>& indices, const RunOptions& options) {
  std::vector<LayerError> out;
  std::vector<std::string> values;
  for (const std::string& name : plan.setup.quantized_nodes) {
    const Node* n = fp32.find_node(name);
    if (!n || !n->output(0) || !qdq.find_value(n->output(0)->name())) continue;
    if (n->output(0)->dtype() != DType::kFloat32 && n->output(0)->dtype() != DType::kUndefined)
      continue;
    out.push_back({name, n->op_type(), 0});
    values.push_back(n->output(0)->name());
  }
  if (values.empty()) return out;
  std::vector<std::vector<Tensor>> reference;
  run_with_outputs(fp32, values, data, indices, options, "layer errors (fp32)",
                   [&reference](const std::vector<Tensor>& t) { reference.push_back(t); });
  std::vector<double> signal(values.size(), 0), noise(values.size(), 0);
  size_t batch = 0;
  run_with_outputs(qdq, values, data, indices, options, "layer errors (int8)",
                   [&](const std::vector<Tensor>& t) {
                     TREX_ASSERT(batch < reference.size());
                     for (size_t i = 0; i < values.size(); ++i) {
                       const Tensor& a = reference[batch][i];
                       const Tensor& b = t[i];
                       if (a.numel() != b.numel() || b.dtype() != DType::kFloat32) continue;
                       const float* x = a.data<float>();
                       const float* y = b.data<float>();
                       for (int64_t k = 0; k < a.numel(); ++k) {
                         signal[i] += static_cast<double>(x[k]) * x[k];
                         noise[i] += static_cast<double>(x[k] - y[k]) * (x[k] - y[k]);
                       }
                     }
                     ++batch;
                   });
  for (size_t i = 0; i < out.size(); ++i)
    out[i].sqnr_db = noise[i] > 0 ? 10 * std::log10(signal[i] / noise[i])
                                  : std::numeric_limits<double>::infinity();
  return out;
}

namespace {

nlohmann::json finite(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json("inf");
}

}  // namespace

nlohmann::json ptq_report_json(const QuantizationPlan& plan, const PtqConfig& config,
                               const std::vector<LayerError>& errors) {
  nlohmann::json j;
  j["config"] = {{"preset", preset_name(config.preset)},
                 {"model_type", model_type_name(config.model_type)},
                 {"stat_subset_size", config.stat_subset_size},
                 {"seed", config.seed},
                 {"range_estimator", estimator_name(config.activations.kind)},
                 {"outlier_prob", config.activations.outlier_prob},
                 {"bias_correction", bias_correction_name(config.bias_correction)},
                 {"overflow_fix", overflow_fix_name(config.overflow_fix)}};
  nlohmann::json acts = nlohmann::json::array();
  for (const ActivationQuantizer& a : plan.setup.activations) {
    const ActivationParams& p = plan.activations.at(a.value);
    nlohmann::json consumers = nlohmann::json::array();
    for (const auto& [node, index] : a.consumers) consumers.push_back(node);
    acts.push_back({{"value", a.value},
                    {"dtype", p.is_unsigned ? "uint8" : "int8"},
                    {"scale", p.scale},
                    {"zero_point", p.zero_point},
                    {"range", {p.range.lo, p.range.hi}},
                    {"group", a.group},
                    {"consumers", consumers}});
  }
  j["activation_quantizers"] = acts;
  nlohmann::json weights = nlohmann::json::array();
  for (const WeightQuantizer& w : plan.setup.weights) {
    auto it = plan.weights.find(w.node);
    if (it == plan.weights.end()) continue;
    const QuantizedWeight& q = it->second;
    weights.push_back(
        {{"node", w.node}, {"axis", q.axis}, {"levels", q.max_level}, {"scales", q.scales}});
  }
  j["weight_quantizers"] = weights;
  nlohmann::json shifts = nlohmann::json::array();
  for (const BiasShift& s : plan.bias_shifts)
    shifts.push_back({{"node", s.node},
                      {"max_abs_shift", s.max_abs_shift},
                      {"magnitude", finite(s.magnitude)},
                      {"applied", s.applied},
                      {"reason", s.why_not}});
  j["bias_correction"] = shifts;
  nlohmann::json floats = nlohmann::json::array();
  for (const FloatNode& f : plan.setup.float_nodes)
    floats.push_back({{"node", f.node}, {"op_type", f.op_type}, {"reason", f.reason}});
  j["float_nodes"] = floats;
  nlohmann::json reverted = nlohmann::json::array();
  for (const FloatNode& f : plan.reverted)
    reverted.push_back({{"node", f.node}, {"op_type", f.op_type}, {"reason", f.reason}});
  j["reverted_to_float"] = reverted;
  j["quantized_nodes"] = plan.setup.quantized_nodes;
  nlohmann::json errs = nlohmann::json::array();
  for (const LayerError& e : errors)
    errs.push_back({{"node", e.node}, {"op_type", e.op_type}, {"sqnr_db", finite(e.sqnr_db)}});
  j["layer_sqnr"] = errs;
  return j;
}

std::string ptq_report_text(const QuantizationPlan& plan, const PtqConfig& config,
                            const std::vector<LayerError>& errors) {
  std::ostringstream os;
  char line[512];
  os << "PTQ: preset " << preset_name(config.preset) << ", model type "
     << model_type_name(config.model_type) << ", " << config.stat_subset_size
     << " calibration samples (seed " << config.seed << "), activations "
     << estimator_name(config.activations.kind) << ", bias correction "
     << bias_correction_name(config.bias_correction) << ", overflow fix "
     << overflow_fix_name(config.overflow_fix) << "\n\n";
  os << "Activation quantizers (" << plan.setup.activations.size() << ")\n";
  std::snprintf(line, sizeof line, "  %-40s %-6s %12s %5s %24s\n", "value", "dtype", "scale", "zp",
                "range");
  os << line;
  for (const ActivationQuantizer& a : plan.setup.activations) {
    const ActivationParams& p = plan.activations.at(a.value);
    std::snprintf(line, sizeof line, "  %-40s %-6s %12.6g %5d [%10.4g, %10.4g]%s\n",
                  a.value.c_str(), p.is_unsigned ? "uint8" : "int8", p.scale, p.zero_point,
                  p.range.lo, p.range.hi, a.group >= 0 ? " (unified)" : "");
    os << line;
  }
  os << "\nWeight quantizers (" << plan.weights.size() << ", per channel, symmetric)\n";
  for (const WeightQuantizer& w : plan.setup.weights) {
    auto it = plan.weights.find(w.node);
    if (it == plan.weights.end()) continue;
    const auto& s = it->second.scales;
    auto [lo, hi] = std::minmax_element(s.begin(), s.end());
    std::snprintf(line, sizeof line, "  %-40s levels +-%d, %zu scales in [%.4g, %.4g]\n",
                  w.node.c_str(), it->second.max_level, s.size(), s.empty() ? 0.0 : *lo,
                  s.empty() ? 0.0 : *hi);
    os << line;
  }
  if (!plan.bias_shifts.empty()) {
    os << "\nBias correction\n";
    for (const BiasShift& b : plan.bias_shifts) {
      std::snprintf(line, sizeof line, "  %-40s max |shift| %.4g  %s\n", b.node.c_str(),
                    b.max_abs_shift, b.applied ? "applied" : ("skipped: " + b.why_not).c_str());
      os << line;
    }
  }
  if (!errors.empty()) {
    os << "\nLayer SQNR (FP32 vs INT8 output, dB)\n";
    for (const LayerError& e : errors) {
      std::snprintf(line, sizeof line, "  %-40s %-18s %8.2f\n", e.node.c_str(), e.op_type.c_str(),
                    e.sqnr_db);
      os << line;
    }
  }
  os << "\nNodes in float (" << plan.setup.float_nodes.size() + plan.reverted.size() << ")\n";
  for (const FloatNode& f : plan.reverted)
    os << "  " << f.node << " (" << f.op_type << "): " << f.reason << "\n";
  for (const FloatNode& f : plan.setup.float_nodes)
    os << "  " << f.node << " (" << f.op_type << "): " << f.reason << "\n";
  return os.str();
}

}  // namespace trex::quant
