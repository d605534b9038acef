// SmoothQuant (see smooth_quant.h).
#include "quant/ptq/smooth_quant.h"

#include <algorithm>
#include <cmath>

#include "quant/quantizer_placement.h"
#include "util/error.h"

namespace trex::quant {

namespace {

/// The layers SmoothQuant handles: MatMul, or Gemm without transA, with a constant f32
/// 2-D weight, a float activation input, and not in the ignored scope.
std::vector<const Node*> smoothable_layers(const Graph& g, const IgnoredScope& ignored) {
  std::vector<const Node*> out;
  for (const Node* n : g.topological_order()) {
    if (!n->domain().empty() || (n->op_type() != "MatMul" && n->op_type() != "Gemm")) continue;
    if (n->op_type() == "Gemm" && n->attr_int("transA", 0) != 0) continue;
    const Value* x = n->input(0);
    const Value* w = n->input(1);
    if (!x || x->is_constant() || !w || !w->is_constant() || w->constant().rank() != 2 ||
        w->dtype() != DType::kFloat32 || is_ignored(*n, ignored))
      continue;
    out.push_back(n);
  }
  return out;
}

}  // namespace

StatisticsRequest SmoothQuant::required_statistics(const Graph& g) const {
  StatisticsRequest r;
  for (const Node* n : smoothable_layers(g, config_.ignored))
    r.last_axis_abs_max.push_back(n->input(0)->name());
  return r;
}

std::shared_ptr<Graph> SmoothQuant::apply(const Graph& model, const Statistics& stats,
                                          std::vector<std::string>* smoothed) const {
  std::shared_ptr<Graph> g = model.clone();
  const double alpha = config_.smooth_quant_alpha;
  for (const Node* layer : smoothable_layers(model, config_.ignored)) {
    Node* n = g->find_node(layer->name());
    auto it = stats.last_axis_abs_max.find(layer->input(0)->name());
    TREX_ASSERT(n && it != stats.last_axis_abs_max.end());
    const std::vector<float>& xmax = it->second.abs_max();
    const Tensor& w = n->input(1)->constant();
    const bool trans_b = n->op_type() == "Gemm" && n->attr_int("transB", 0) != 0;
    const int64_t k = trans_b ? w.dims()[1] : w.dims()[0],
                  cols = trans_b ? w.dims()[0] : w.dims()[1];
    if (static_cast<int64_t>(xmax.size()) != k) continue;  // not a plain [.., K] x [K, N]
    // Per input feature: max |W| over the outputs.
    const float* wp = w.data<float>();
    std::vector<double> s(static_cast<size_t>(k));
    for (int64_t i = 0; i < k; ++i) {
      double wmax = 0;
      for (int64_t j = 0; j < cols; ++j)
        wmax = std::max<double>(wmax, std::fabs(trans_b ? wp[j * k + i] : wp[i * cols + j]));
      double v = std::pow(std::max<double>(xmax[i], 1e-5), alpha) /
                 std::pow(std::max(wmax, 1e-5), 1 - alpha);
      s[static_cast<size_t>(i)] = std::clamp(v, 1e-5, 1e5);
    }
    Tensor scaled(DType::kFloat32, w.dims());
    float* sp = scaled.mutable_data<float>();
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        int64_t idx = trans_b ? j * k + i : i * cols + j;
        sp[idx] = static_cast<float>(wp[idx] * s[static_cast<size_t>(i)]);
      }
    Tensor inv(DType::kFloat32, {k});
    for (int64_t i = 0; i < k; ++i) inv.mutable_data<float>()[i] = static_cast<float>(1.0 / s[i]);
    Value* x = n->input(0);
    Value* factor = g->add_constant(n->name() + "_smooth_scale", std::move(inv));
    Node* mul = g->add_node("Mul", {x, factor}, 1, g->unique_node_name(n->name() + "_smooth"));
    mul->output(0)->set_type(x->type());
    n->set_input(0, mul->output(0));
    n->set_input(1, g->add_constant(n->input(1)->name() + "_smoothed", std::move(scaled)));
    if (smoothed) smoothed->push_back(n->name());
  }
  g->remove_unused_constants();
  g->sort_topologically();
  return g;
}

}  // namespace trex::quant
