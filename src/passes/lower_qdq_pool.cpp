// QDQ lowering: GlobalAveragePool of a per-tensor DequantizeLinear output becomes
// trex.QGlobalAveragePool, which sums the 8-bit values in int32 and requantizes once. A
// QuantizeLinear that alone reads the result joins it (the DQ -> pool -> Q that closes a
// ResNet/MobileNet before its classifier); otherwise it writes f32.
#include <unordered_set>

#include "passes/passes.h"
#include "passes/qdq_lowering.h"
#include "passes/runtime_fusion.h"

namespace trex {

namespace {

class LowerQdqPool : public GraphPass {
 public:
  std::string name() const override { return "lower_qdq_pool"; }

  bool run(Graph& g) override {
    bool changed = false;
    std::unordered_set<Node*> removed;
    for (Node* n : g.topological_order()) {
      if (removed.count(n)) continue;
      if (n->op_type() != "GlobalAveragePool" || !n->domain().empty() || !n->output(0)) continue;
      auto x = dequantize_producer(n->input(0));
      if (!x) continue;
      const auto& shape = n->input(0)->shape();
      if (shape && shape->rank() < 3) continue;
      auto y = sole_quantize_reader(n->output(0));
      Node* q = g.add_node(kQGlobalAveragePool, {x->integer}, 1, n->name() + "_q", kTrexDomain);
      q->set_attr("x_scale", x->scale);
      q->set_attr("x_zero_point", x->zero_point);
      set_output_quantization(q, y);
      std::vector<Node*> dead;
      if (y) dead.push_back(y->node);
      dead.push_back(n);
      for (Node* d : dead) removed.insert(d);
      replace_value_and_remove(g, y ? y->integer : n->output(0), q->output(0), output_dtype(y),
                               dead);
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_lower_qdq_pool() {
  return std::make_unique<LowerQdqPool>();
}

}  // namespace trex
