// QDQ insertion (see insert_qdq.h).
#include "quant/insert_qdq.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "util/error.h"

namespace trex::quant {

namespace {

Tensor scalar_zero_point(const ActivationParams& p) {
  if (p.is_unsigned)
    return Tensor::from_vector<uint8_t>(DType::kUInt8, {}, {static_cast<uint8_t>(p.zero_point)});
  return Tensor::from_vector<int8_t>(DType::kInt8, {}, {static_cast<int8_t>(p.zero_point)});
}

/// DequantizeLinear(values, scales, zeros, axis) feeding input `index` of `n`; with
/// `per_tensor`, one scalar scale (scales[0]).
void dequantize_into(Graph& g, Node* n, size_t index, const std::string& base, Tensor values,
                     const std::vector<float>& scales, int axis, bool per_tensor = false) {
  int64_t c = static_cast<int64_t>(scales.size());
  Value* q = g.add_constant(base + "_quantized", std::move(values));
  const DType zt = q->dtype();
  Value* s = nullptr;
  Value* z = nullptr;
  if (per_tensor) {
    s = g.add_constant(base + "_scale", Tensor::scalar_f32(scales.at(0)));
    z = g.add_constant(base + "_zero_point", Tensor(zt, {}));
  } else {
    s = g.add_constant(base + "_scale", Tensor::from_vector<float>(DType::kFloat32, {c}, scales));
    z = g.add_constant(base + "_zero_point", Tensor(zt, {c}));  // zero-filled
  }
  Node* dq =
      g.add_node("DequantizeLinear", {q, s, z}, 1, g.unique_node_name(base + "_DequantizeLinear"));
  if (!per_tensor) dq->set_attr("axis", Attribute(int64_t{axis}));
  Value* out = dq->output(0);
  g.rename_value(out, g.unique_value_name(base + "_dequantized"));
  out->set_type(TensorType{DType::kFloat32, Shape::from_static(q->constant().dims())});
  n->set_input(index, out);
}

}  // namespace

bool is_quantized_model(const Graph& g, std::string* what) {
  static const std::set<std::string> kOps = {
      "QuantizeLinear", "DequantizeLinear", "QLinearConv",           "QLinearMatMul",
      "ConvInteger",    "MatMulInteger",    "DynamicQuantizeLinear", "QLinearAdd",
      "QLinearMul",     "QLinearConcat",    "QLinearAveragePool",    "QLinearGlobalAveragePool"};
  for (const Node* n : g.nodes())
    if (kOps.count(n->op_type())) {
      if (what) *what = n->describe();
      return true;
    }
  return false;
}

std::shared_ptr<Graph> build_qdq_model(const Graph& fp32, const QuantizationPlan& plan) {
  if (fp32.opset() < 13)
    throw_unsupported("the model has opset " + std::to_string(fp32.opset()) +
                      "; per-channel QuantizeLinear/DequantizeLinear need opset 13 or later "
                      "(re-export the model with a newer opset)");
  std::shared_ptr<Graph> g = fp32.clone();

  // Biases first: they need the input scales and weight scales before anything is rewired.
  for (const auto& [name, wq] : plan.weights) {
    Node* n = g->find_node(name);
    TREX_ASSERT(n);
    if (plan.is_reverted(name)) continue;
    if (auto b = plan.biases.find(name); b != plan.biases.end()) {
      Value* nb = g->add_constant(n->input(2)->name() + "_corrected", b->second);
      n->set_input(2, nb);
    }
    Value* bias = n->input(2);
    auto q = plan.setup.input_quantizer.find({name, 0});
    if (!bias || !bias->is_constant() || bias->dtype() != DType::kFloat32 ||
        bias->constant().rank() != 1 || q == plan.setup.input_quantizer.end())
      continue;
    const ActivationParams& in = plan.activations.at(q->second);
    const Tensor& bt = bias->constant();
    if (bt.numel() != static_cast<int64_t>(wq.scales.size())) continue;
    std::vector<float> scales(wq.scales.size());
    Tensor values(DType::kInt32, bt.dims());
    bool fits = true;
    for (size_t c = 0; c < scales.size(); ++c) {
      scales[c] = in.scale * wq.scales[c];
      double v = std::nearbyint(static_cast<double>(bt.data<float>()[c]) / scales[c]);
      fits = fits && std::fabs(v) < 2147483647.0;
      values.mutable_data<int32_t>()[c] = fits ? static_cast<int32_t>(v) : 0;
    }
    if (fits) dequantize_into(*g, n, 2, bias->name(), std::move(values), scales, 0);
  }

  // Weights.
  for (const auto& [name, wq] : plan.weights) {
    if (plan.is_reverted(name)) continue;
    Node* n = g->find_node(name);
    const size_t index = plan.weight_input(name);
    // A per-tensor weight stays per-tensor unless a folded BatchNorm scaled its channels.
    const std::vector<float>& sc = wq.scales;
    const bool per_tensor = !wq.per_channel && !sc.empty() &&
                            std::all_of(sc.begin(), sc.end(), [&](float s) { return s == sc[0]; });
    dequantize_into(*g, n, index, n->input(index)->name(), wq.values, wq.scales, wq.axis,
                    per_tensor);
  }

  // Activations: one Q/DQ pair per quantized value; the listed consumers read the DQ.
  for (const ActivationQuantizer& a : plan.setup.activations) {
    std::vector<std::pair<Node*, size_t>> consumers = plan.live_consumers(a, *g);
    if (consumers.empty() && !a.model_output) continue;
    Value* v = g->find_value(a.value);
    TREX_ASSERT(v);
    const ActivationParams& p = plan.activations.at(a.value);
    Value* s = g->add_constant(a.value + "_scale", Tensor::scalar_f32(p.scale));
    Value* z = g->add_constant(a.value + "_zero_point", scalar_zero_point(p));
    Value* x = v;
    if (p.bits < 8) {  // a grid narrower than the type: clip to it before QuantizeLinear
      auto bound = [&](int32_t level) {
        return g->add_constant(
            g->unique_value_name(a.value + "_clip_bound"),
            Tensor::scalar_f32(static_cast<float>(level - p.zero_point) * p.scale));
      };
      Node* clip = g->add_node("Clip", {v, bound(p.level_low()), bound(p.level_high())}, 1,
                               g->unique_node_name(a.value + "_Clip"));
      x = clip->output(0);
      g->rename_value(x, g->unique_value_name(a.value + "_clipped"));
      x->set_type(v->type());
    }
    Node* qn = g->add_node("QuantizeLinear", {x, s, z}, 1,
                           g->unique_node_name(a.value + "_QuantizeLinear"));
    Value* qv = qn->output(0);
    g->rename_value(qv, g->unique_value_name(a.value + "_quantized"));
    qv->set_type(TensorType{p.is_unsigned ? DType::kUInt8 : DType::kInt8, v->type().shape});
    Node* dq = g->add_node("DequantizeLinear", {qv, s, z}, 1,
                           g->unique_node_name(a.value + "_DequantizeLinear"));
    Value* dv = dq->output(0);
    g->rename_value(dv, g->unique_value_name(a.value + "_dequantized"));
    dv->set_type(TensorType{DType::kFloat32, v->type().shape});
    for (auto& [node, index] : consumers) {
      TREX_ASSERT(node && node->input(index) == v);
      node->set_input(index, dv);
    }
    if (a.model_output) {  // the output keeps its name; the float value gets a new one
      for (size_t i = 0; i < g->outputs().size(); ++i)
        if (g->outputs()[i] == v) g->set_output(i, dv);
      const std::string name = v->name();
      g->rename_value(v, g->unique_value_name(name + "_float"));
      g->rename_value(dv, name);
    }
  }
  g->remove_unused_constants();  // the float weights and biases the rewiring orphaned
  g->sort_topologically();
  bool found = false;
  for (auto& [k, v] : g->metadata)
    if (k == kQuantizedMetadataKey) v = "ptq", found = true;
  if (!found) g->metadata.emplace_back(kQuantizedMetadataKey, "ptq");
  return g;
}

}  // namespace trex::quant
