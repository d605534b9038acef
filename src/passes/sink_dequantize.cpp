// QDQ lowering: moves a per-tensor DequantizeLinear past ops that commute with it, so they
// run on the 8-bit tensor: MaxPool (max commutes with a monotone map; pads are never taken),
// Reshape, Flatten, Squeeze, Unsqueeze and Transpose (they only move elements). A Relu after
// a DequantizeLinear whose zero point is the type's minimum sees no negative value and goes.
// The DequantizeLinear stays for its other readers; the moved one can then reach a lowered op.
#include <unordered_set>

#include "passes/passes.h"
#include "passes/qdq_lowering.h"

namespace trex {

namespace {

bool movable(const Node& n) {
  static const std::unordered_set<std::string> kOps = {"MaxPool", "Reshape",   "Flatten",
                                                       "Squeeze", "Unsqueeze", "Transpose"};
  if (!n.domain().empty() || !kOps.count(n.op_type()) || !n.output(0)) return false;
  for (size_t i = 1; i < n.num_outputs(); ++i)  // MaxPool's Indices
    if (n.output(i) && (!n.output(i)->uses().empty() || n.output(i)->is_graph_output()))
      return false;
  return true;
}

class SinkDequantize : public GraphPass {
 public:
  std::string name() const override { return "sink_dequantize"; }

  bool run(Graph& g) override {
    bool changed = false;
    std::unordered_set<Node*> removed;
    for (Node* n : g.topological_order()) {
      if (removed.count(n)) continue;
      auto dq = dequantize_producer(n->input(0));
      if (!dq) continue;
      if (n->op_type() == "Relu" && n->domain().empty()) {
        if (static_cast<float>(dq->zero_point) != quant_min_of(dq->dtype)) continue;
        if (bypass_node(g, n, 0, n->input(0))) {
          removed.insert(n);
          changed = true;
        }
        continue;
      }
      if (!movable(*n)) continue;
      std::vector<Value*> inputs = n->inputs();
      inputs[0] = dq->integer;
      Node* moved = g.add_node(n->op_type(), inputs, 1, n->name() + "_int", "");
      for (const auto& [k, a] : n->attrs()) moved->set_attr(k, a);
      TensorType t = n->output(0)->type();
      t.dtype = dq->dtype;
      moved->output(0)->set_type(t);
      Node* after =
          g.add_node("DequantizeLinear", {moved->output(0), dq->node->input(1), dq->node->input(2)},
                     1, dq->node->name() + "_moved");
      replace_value_and_remove(g, n->output(0), after->output(0), DType::kFloat32, {n});
      removed.insert(n);
      changed = true;
    }
    return changed;
  }

 private:
  static float quant_min_of(DType t) { return t == DType::kUInt8 ? 0.0f : -128.0f; }
};

}  // namespace

std::unique_ptr<GraphPass> make_sink_dequantize() {
  return std::make_unique<SinkDequantize>();
}

}  // namespace trex
