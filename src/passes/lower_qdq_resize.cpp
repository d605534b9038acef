// QDQ lowering: Resize (opset 11+) of a per-tensor DequantizeLinear output becomes
// trex.QResize, which interpolates the 8-bit tensor and requantizes once. A QuantizeLinear
// that alone reads the result joins it (the fusion branches of HRNet-style networks, whose
// upsampled maps are quantized for the Add); otherwise it writes f32 (a segmentation head's
// final upsampling of the class scores).
#include <unordered_set>

#include "passes/passes.h"
#include "passes/qdq_lowering.h"
#include "passes/runtime_fusion.h"

namespace trex {

namespace {

class LowerQdqResize : public GraphPass {
 public:
  std::string name() const override { return "lower_qdq_resize"; }

  bool run(Graph& g) override {
    if (g.opset() < 11) return false;  // the older Resize/Upsample read scales elsewhere
    bool changed = false;
    std::unordered_set<Node*> removed;
    for (Node* n : g.topological_order()) {
      if (removed.count(n)) continue;
      if (n->op_type() != "Resize" || !n->domain().empty() || !n->output(0)) continue;
      auto x = dequantize_producer(n->input(0));
      if (!x) continue;
      auto y = sole_quantize_reader(n->output(0));
      std::vector<Value*> inputs = n->inputs();
      inputs[0] = x->integer;
      Node* q = g.add_node(kQResize, inputs, 1, n->name() + "_q", kTrexDomain);
      for (const auto& [k, a] : n->attrs()) q->set_attr(k, a);
      q->set_attr("x_scale", x->scale);
      q->set_attr("x_zero_point", x->zero_point);
      replace_absorbing_quantize(g, n, q, y, removed);
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_lower_qdq_resize() {
  return std::make_unique<LowerQdqResize>();
}

}  // namespace trex
