// QAT graph construction and export (see qat_graph.h).
#include "compress/qat_graph.h"

#include <algorithm>
#include <cmath>

#include "compress/plan_transfer.h"
#include "passes/passes.h"
#include "passes/runtime_fusion.h"
#include "quant/insert_qdq.h"
#include "util/error.h"

namespace trex::compress {

namespace {

using quant::ActivationParams;
using quant::QuantizationPlan;

/// Dims of a per-channel parameter for a weight of rank `rank`: C at `axis`, 1 elsewhere.
std::vector<int64_t> channel_dims(size_t rank, int axis, int64_t channels) {
  std::vector<int64_t> d(rank, 1);
  d[axis] = channels;
  return d;
}

std::string activation_fq_name(const std::string& value) {
  return value + "_fq";
}
std::string weight_fq_name(const std::string& node) {
  return node + "_weight_fq";
}

/// Adds or removes the opset import of the trex domain.
void set_trex_opset(Graph& g, bool on) {
  if (on)
    g.opset_imports.emplace(kTrexDomain, 1);
  else
    g.opset_imports.erase(kTrexDomain);
}

}  // namespace

const Value* weight_source(const Value* v) {
  for (const char* op : {kFakeQuantize, "RBSparsify"}) {  // (compress/rb_sparsity.h)
    const Node* p = v ? v->producer() : nullptr;
    if (p && p->op_type() == op && p->domain() == kTrexDomain) v = p->input(0);
  }
  return v;
}

std::shared_ptr<Graph> build_qat_graph(const Graph& fp32, const QuantizationPlan& plan) {
  std::shared_ptr<Graph> g = fp32.clone();
  set_trex_opset(*g, true);  // so a checkpoint of the graph is a valid ONNX model

  for (const auto& [name, wq] : plan.weights) {
    if (plan.is_reverted(name)) continue;
    Node* n = g->find_node(name);
    if (!n) throw_invalid("QAT: the quantization plan names node '" + name + "', not in the model");
    if (auto b = plan.biases.find(name); b != plan.biases.end())
      n->set_input(2, g->add_constant(n->input(2)->name() + "_corrected", b->second));
    const size_t index = plan.weight_input(name);
    Value* w = n->input(index);
    const size_t rank = w->constant().rank();
    // Per-tensor: one scale over this graph's weight (the plan's may be of a folded one).
    Tensor scales =
        wq.per_channel
            ? Tensor::from_vector<float>(
                  DType::kFloat32,
                  channel_dims(rank, wq.axis, static_cast<int64_t>(wq.scales.size())), wq.scales)
            : Tensor::scalar_f32(
                  quant::quantize_weight(w->constant(), wq.axis, wq.max_level, false).scales.at(0));
    Value* s = g->add_constant(name + "_weight_fq_scale", std::move(scales));
    Node* fq = g->add_node(kFakeQuantize, {w, s}, 1, g->unique_node_name(weight_fq_name(name)),
                           kTrexDomain);
    fq->set_attr("mode", "symmetric");
    fq->set_attr("level_low", int64_t{-wq.max_level});
    fq->set_attr("level_high", int64_t{wq.max_level});
    fq->output(0)->set_type(w->type());
    n->set_input(index, fq->output(0));
  }

  for (const quant::ActivationQuantizer& a : plan.setup.activations) {
    std::vector<std::pair<Node*, size_t>> consumers = plan.live_consumers(a, *g);
    if (consumers.empty() && !a.model_output) continue;
    Value* v = g->find_value(a.value);
    TREX_ASSERT(v);
    const ActivationParams& p = plan.activations.at(a.value);
    std::vector<Value*> inputs = {v};
    const bool asym = !p.symmetric;
    const int64_t lo = p.level_low(), hi = p.level_high();
    if (asym) {
      inputs.push_back(
          g->add_constant(a.value + "_fq_input_low",
                          Tensor::scalar_f32(-static_cast<float>(p.zero_point) * p.scale)));
      inputs.push_back(g->add_constant(a.value + "_fq_input_range",
                                       Tensor::scalar_f32(static_cast<float>(hi - lo) * p.scale)));
    } else {
      inputs.push_back(g->add_constant(a.value + "_fq_scale", Tensor::scalar_f32(p.scale)));
    }
    Node* fq = g->add_node(kFakeQuantize, inputs, 1,
                           g->unique_node_name(activation_fq_name(a.value)), kTrexDomain);
    fq->set_attr("mode", asym ? "asymmetric" : "symmetric");
    fq->set_attr("level_low", lo);
    fq->set_attr("level_high", hi);
    fq->output(0)->set_type(v->type());
    for (auto& [node, index] : consumers) {
      TREX_ASSERT(node && node->input(index) == v);
      node->set_input(index, fq->output(0));
    }
    if (a.model_output)  // the QAT graph's output is the quantizer's (export restores it)
      for (size_t i = 0; i < g->outputs().size(); ++i)
        if (g->outputs()[i] == v) g->set_output(i, fq->output(0));
  }
  g->remove_unused_constants();
  g->sort_topologically();
  return g;
}

void use_log_scales(Graph& qat, bool weights, bool activations) {
  for (Node* n : qat.nodes()) {
    if (n->op_type() != kFakeQuantize || n->domain() != kTrexDomain) continue;
    const bool weight = weight_source(n->output(0))->is_constant();
    if (!(weight ? weights : activations) || n->attr_int("log_scale", 0)) continue;
    const bool asym = n->attr_string("mode", "symmetric") == "asymmetric";
    Value* v = n->input(asym ? 2 : 1);
    TREX_ASSERT(v && v->is_constant() && v->dtype() == DType::kFloat32);
    Tensor t = v->constant();
    float* d = t.mutable_data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) d[i] = std::log(std::max(std::fabs(d[i]), 1e-12f));
    v->set_constant(std::move(t));
    n->set_attr("log_scale", int64_t{1});
  }
}

QatExport export_qat_graph(const Graph& qat, const QuantizationPlan& initial) {
  QatExport out;
  out.plan = initial;
  out.plan.biases.clear();
  std::shared_ptr<Graph> g = qat.clone();
  auto param = [&](const Node& fq, size_t i) -> const Tensor& {
    const Value* v = fq.input(i);
    if (!v || !v->is_constant())
      throw_invalid("QAT export: " + fq.describe() + " input " + std::to_string(i) +
                    " is not a constant");
    return v->constant();
  };
  std::vector<Node*> fqs;
  for (Node* n : g->nodes())
    if (n->op_type() == kFakeQuantize && n->domain() == kTrexDomain) fqs.push_back(n);
  for (Node* fq : fqs) {
    Value* x = fq->input(0);
    const int64_t lo = fq->attr_int("level_low", -128), hi = fq->attr_int("level_high", 127);
    // The trained scale (symmetric) or range (asymmetric), stored as its log or as itself.
    const bool log_scale = fq->attr_int("log_scale", 0) != 0;
    auto magnitude = [&](size_t i, int64_t k) {
      const float v = param(*fq, i).data<float>()[k];
      return std::max(log_scale ? std::exp(v) : std::fabs(v), 1e-12f);
    };
    if (x->is_constant()) {  // a weight: find its node in the plan
      std::string node;
      for (const auto& [name, wq] : initial.weights)
        if (fq->name().rfind(weight_fq_name(name), 0) == 0) node = name;
      if (node.empty())
        throw_invalid("QAT export: " + fq->describe() + " matches no weight quantizer");
      quant::QuantizedWeight& wq = out.plan.weights.at(node);
      const Tensor& s = param(*fq, 1);
      const Tensor& w = x->constant();
      // Channels of a pruned graph are fewer than the plan's: the weight's count. A per-tensor
      // quantizer's one scale goes to every channel.
      const int64_t channels = w.dims()[wq.axis];
      if (s.numel() != channels && !(!wq.per_channel && s.numel() == 1))
        throw_invalid("QAT export: " + fq->describe() + " has " + std::to_string(s.numel()) +
                      " scales for " + std::to_string(channels) + " weight channels");
      wq.scales.resize(static_cast<size_t>(channels));
      for (int64_t c = 0; c < channels; ++c)
        wq.scales[static_cast<size_t>(c)] = magnitude(1, s.numel() == 1 ? 0 : c);
      // int8 values with the trained scales, as the fake quantizer rounded them.
      wq.values = quant::round_weight(w, wq.axis, wq.scales, wq.max_level);
    } else {
      std::string value;
      for (const auto& a : initial.setup.activations)
        if (fq->name().rfind(activation_fq_name(a.value), 0) == 0 &&
            fq->input(0)->name() == a.value)
          value = a.value;
      if (value.empty())
        throw_invalid("QAT export: " + fq->describe() + " matches no activation quantizer");
      ActivationParams& p = out.plan.activations.at(value);
      if (fq->attr_string("mode", "symmetric") == "asymmetric") {
        const float low = param(*fq, 1).data<float>()[0];
        p.scale = magnitude(2, 0) / static_cast<float>(hi - lo);
        p.zero_point = static_cast<int32_t>(
            std::min<float>(std::max<float>(std::nearbyint(-low / p.scale) + lo, lo), hi));
      } else {
        p.scale = magnitude(1, 0);
        p.zero_point = 0;
      }
      p.range = {(lo - p.zero_point) * p.scale, (hi - p.zero_point) * p.scale};
    }
    // Bypass the quantizer: its readers read x again.
    g->replace_all_uses(fq->output(0), x);
    g->remove_node(fq);
  }
  set_trex_opset(*g, false);
  g->remove_unused_constants();
  g->sort_topologically();
  out.fp32 = std::move(g);
  return out;
}

std::shared_ptr<Graph> export_qdq_model(const Graph& qat, const QuantizationPlan& initial,
                                        QuantizationPlan* folded_plan) {
  QatExport e = export_qat_graph(qat, initial);
  std::shared_ptr<Graph> folded = e.fp32->clone();
  canonicalize(*folded);
  QuantizationPlan plan = transfer_plan(e.plan, *e.fp32, *folded);
  std::shared_ptr<Graph> m = quant::build_qdq_model(*folded, plan);
  for (auto& [k, v] : m->metadata)
    if (k == quant::kQuantizedMetadataKey) v = "qat";
  if (folded_plan) *folded_plan = std::move(plan);
  return m;
}

}  // namespace trex::compress
