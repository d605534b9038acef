// QDQ lowering: Gemm, trex.FusedGemm or MatMul whose A comes from a per-tensor
// DequantizeLinear and whose B is DequantizeLinear of int8 constants (per output column)
// becomes trex.QGemm, an integer matrix product; Gemm's C (f32, or int32 behind a
// DequantizeLinear) becomes a bias in accumulator units. A QuantizeLinear that alone reads the
// result joins it; otherwise QGemm writes f32. Gemm needs transA = 0 and alpha = beta = 1.
#include <unordered_set>

#include "passes/passes.h"
#include "passes/qdq_lowering.h"
#include "passes/runtime_fusion.h"

namespace trex {

namespace {

struct GemmMatch {
  QuantInfo x;
  QuantWeights w;
  Tensor bias;
  bool trans_b = false;
  std::optional<QuantInfo> y;
};

std::optional<GemmMatch> match_gemm(const Node& n) {
  const bool matmul = n.op_type() == "MatMul" && n.domain().empty();
  const bool gemm = (n.op_type() == "Gemm" && n.domain().empty()) ||
                    (n.op_type() == kFusedGemm && n.domain() == kTrexDomain);
  if (!(matmul || gemm) || !n.output(0)) return std::nullopt;
  GemmMatch m;
  if (gemm) {
    if (n.attr_int("transA", 0) != 0 || n.attr_float("alpha", 1.0f) != 1.0f) return std::nullopt;
    if (n.input(2) && n.attr_float("beta", 1.0f) != 1.0f) return std::nullopt;
    m.trans_b = n.attr_int("transB", 0) != 0;
  } else {
    const Shape* a = n.input(0) ? n.input(0)->shape() : nullptr;
    if (!a || a->rank() < 2) return std::nullopt;
  }
  auto x = dequantize_producer(n.input(0));
  auto w = dequantized_weights(n.input(1), m.trans_b ? 0 : 1);
  if (!x || !w || w->values->rank() != 2) return std::nullopt;
  auto b = accumulator_bias(gemm ? n.input(2) : nullptr, x->scale, w->scales);
  if (!b) return std::nullopt;
  m.x = *x;
  m.w = *w;
  m.bias = std::move(*b);
  m.y = sole_quantize_reader(n.output(0));
  return m;
}

class LowerQdqGemm : public GraphPass {
 public:
  std::string name() const override { return "lower_qdq_gemm"; }

  bool run(Graph& g) override {
    bool changed = false;
    std::unordered_set<Node*> removed;
    for (Node* n : g.topological_order()) {
      if (removed.count(n)) continue;
      auto m = match_gemm(*n);
      if (!m) continue;
      std::vector<Value*> inputs = {m->x.integer, n->input(1)->producer()->input(0)};
      if (!m->bias.empty())
        inputs.push_back(g.add_constant(n->name() + "_bias_acc", std::move(m->bias)));
      Node* q = g.add_node(kQGemm, inputs, 1, n->name() + "_q", kTrexDomain);
      q->set_attr("transB", int64_t{m->trans_b ? 1 : 0});
      if (n->has_attr("activation")) q->set_attr("activation", *n->find_attr("activation"));
      if (n->has_attr("activation_params"))
        q->set_attr("activation_params", *n->find_attr("activation_params"));
      replace_with_integer_op(g, n, q, m->x, m->w, m->y, removed);
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_lower_qdq_gemm() {
  return std::make_unique<LowerQdqGemm>();
}

}  // namespace trex
