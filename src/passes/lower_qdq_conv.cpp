// QDQ lowering: Conv or trex.FusedConv (without a Sum input) whose input and weights come from
// DequantizeLinear (int8 weights, per-channel scales, int32 or float bias) becomes trex.QConv,
// an integer convolution. A per-tensor QuantizeLinear that alone reads the result joins it
// (requantization in the kernel); otherwise QConv writes f32. Runs after fuse_activation, so
// the activation is already an attribute.
#include <unordered_set>

#include "passes/passes.h"
#include "passes/qdq_lowering.h"
#include "passes/runtime_fusion.h"

namespace trex {

namespace {

struct ConvMatch {
  QuantInfo x;
  QuantWeights w;
  Tensor bias;
  std::optional<QuantInfo> y;
};

std::optional<ConvMatch> match_conv(const Node& n) {
  bool plain = n.op_type() == "Conv" && n.domain().empty();
  bool fused = n.op_type() == kFusedConv && n.domain() == kTrexDomain && !n.input(3);
  if (!(plain || fused) || !n.output(0)) return std::nullopt;
  ConvMatch m;
  auto x = dequantize_producer(n.input(0));
  auto w = dequantized_weights(n.input(1), 0);
  if (!x || !w || w->values->rank() < 3 || w->values->rank() > 5) return std::nullopt;
  auto b = accumulator_bias(n.input(2), x->scale, w->scales);
  if (!b) return std::nullopt;
  m.x = *x;
  m.w = *w;
  m.bias = std::move(*b);
  m.y = sole_quantize_reader(n.output(0));
  return m;
}

class LowerQdqConv : public GraphPass {
 public:
  std::string name() const override { return "lower_qdq_conv"; }

  bool run(Graph& g) override {
    bool changed = false;
    std::unordered_set<Node*> removed;
    for (Node* n : g.topological_order()) {
      if (removed.count(n)) continue;
      auto m = match_conv(*n);
      if (!m) continue;
      std::vector<Value*> inputs = {m->x.integer, n->input(1)->producer()->input(0)};
      if (!m->bias.empty())
        inputs.push_back(g.add_constant(n->name() + "_bias_acc", std::move(m->bias)));
      Node* q = g.add_node(kQConv, inputs, 1, n->name() + "_q", kTrexDomain);
      for (const auto& [k, a] : n->attrs()) q->set_attr(k, a);
      replace_with_integer_op(g, n, q, m->x, m->w, m->y, removed);
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_lower_qdq_conv() {
  return std::make_unique<LowerQdqConv>();
}

}  // namespace trex
