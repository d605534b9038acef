// Accuracy-aware PTQ (see accuracy_aware.h).
#include "quant/ptq/accuracy_aware.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "quant/insert_qdq.h"
#include "util/error.h"

namespace trex::quant {

double metric_drop(double fp32, double int8, const AccuracyAwareOptions& o) {
  double d = fp32 - int8;
  return o.relative && fp32 != 0 ? d / fp32 : d;
}

namespace {

/// The first output of `g` per sample, flattened.
std::vector<std::vector<float>> outputs_of(const Graph& g, CalibrationData& data,
                                           const std::vector<size_t>& indices,
                                           const RunOptions& run) {
  std::vector<std::vector<float>> out;
  RunOptions quiet = run;
  quiet.progress = {};
  run_with_outputs(g, {g.outputs()[0]->name()}, data, indices, quiet, "rank",
                   [&out](const std::vector<Tensor>& t) {
                     const Tensor& y = t[0];
                     int64_t n = y.dims().empty() ? 1 : y.dims()[0];
                     int64_t per = y.numel() / std::max<int64_t>(1, n);
                     Tensor f = y.dtype() == DType::kFloat32 ? y : y.cast(DType::kFloat32);
                     for (int64_t s = 0; s < n; ++s)
                       out.emplace_back(f.data<float>() + s * per, f.data<float>() + (s + 1) * per);
                   });
  return out;
}

double squared_error(const std::vector<float>& a, const std::vector<float>& b) {
  double e = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) e += (a[i] - b[i]) * (a[i] - b[i]);
  return e;
}

const std::string& op_of(const Graph& g, const std::string& node) {
  static const std::string kUnknown = "?";
  const Node* n = g.find_node(node);
  return n ? n->op_type() : kUnknown;
}

}  // namespace

AccuracyAwareResult accuracy_aware_ptq(const Graph& fp32, QuantizationPlan& plan,
                                       CalibrationData& val,
                                       const std::function<double(const Graph&)>& metric,
                                       double fp32_score, double int8_score,
                                       const AccuracyAwareOptions& o, const RunOptions& run) {
  AccuracyAwareResult r;
  r.fp32_score = fp32_score;
  r.int8_score = int8_score;
  r.model = build_qdq_model(fp32, plan);
  auto within = [&](double score) { return metric_drop(fp32_score, score, o) <= o.max_drop; };
  if (within(int8_score) || val.size() == 0) {
    r.within_budget = within(int8_score);
    return r;
  }
  std::vector<size_t> pool = calibration_subset(val.size(), o.ranking_pool, 1);
  std::vector<std::vector<float>> reference = outputs_of(fp32, val, pool, run);
  std::set<std::string> banned;
  std::map<std::string, double> error_ratio;  ///< of the latest ranking
  auto reverted = [&plan](const std::string& node) {
    return std::any_of(plan.reverted.begin(), plan.reverted.end(),
                       [&node](const FloatNode& f) { return f.node == node; });
  };

  // Candidates ordered by the output error left when each alone goes back to FP32, on the
  // samples the current model gets most wrong.
  auto rank = [&]() {
    std::vector<std::vector<float>> current = outputs_of(*r.model, val, pool, run);
    std::vector<size_t> order(pool.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return squared_error(current[a], reference[a]) > squared_error(current[b], reference[b]);
    });
    order.resize(std::min(order.size(), o.worst_samples));
    std::vector<size_t> worst;
    for (size_t i : order) worst.push_back(pool[i]);
    double base = 0;
    for (size_t i : order) base += squared_error(current[i], reference[i]);
    std::vector<std::pair<double, std::string>> scored;
    for (const std::string& node : plan.setup.quantized_nodes) {
      if (banned.count(node) || reverted(node)) continue;
      plan.reverted.push_back({node, op_of(fp32, node), ""});
      std::shared_ptr<Graph> g = build_qdq_model(fp32, plan);
      plan.reverted.pop_back();
      std::vector<std::vector<float>> out = outputs_of(*g, val, worst, run);
      double e = 0;
      for (size_t i = 0; i < order.size(); ++i) e += squared_error(out[i], reference[order[i]]);
      scored.emplace_back(e, node);
      error_ratio[node] = base > 0 ? e / base : 1.0;
      report(run.progress,
             {"rank quantized nodes", scored.size(), plan.setup.quantized_nodes.size(), node});
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> names;
    for (auto& s : scored) names.push_back(s.second);
    return names;
  };

  std::vector<std::string> candidates = rank();
  int limit =
      o.max_reverts > 0 ? o.max_reverts : static_cast<int>(plan.setup.quantized_nodes.size());
  double score = int8_score;
  int tries = 0;
  while (!within(score) && !candidates.empty() && tries < limit) {
    ++tries;
    std::string node = candidates.front();
    candidates.erase(candidates.begin());
    plan.reverted.push_back({node, op_of(fp32, node), "accuracy-aware PTQ: reverted to FP32"});
    std::shared_ptr<Graph> g = build_qdq_model(fp32, plan);
    double s = metric(*g);
    AccuracyAwareStep step{node, s, s >= score, error_ratio[node]};
    r.steps.push_back(step);
    report(run.progress, {"accuracy-aware", static_cast<size_t>(tries), static_cast<size_t>(limit),
                          node + " -> " + std::to_string(s)});
    if (!step.kept) {
      plan.reverted.pop_back();
      banned.insert(node);
      candidates = rank();
      continue;
    }
    score = s;
    r.model = g;
  }
  r.int8_score = score;
  r.within_budget = within(score);
  return r;
}

}  // namespace trex::quant
