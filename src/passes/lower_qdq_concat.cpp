// QDQ lowering: Concat whose inputs all come from per-tensor DequantizeLinear nodes with one
// type, scale and zero point becomes a Concat of the 8-bit tensors followed by one
// DequantizeLinear (exact: concatenation commutes with the shared elementwise map).
#include <unordered_set>

#include "passes/passes.h"
#include "passes/qdq_lowering.h"

namespace trex {

namespace {

class LowerQdqConcat : public GraphPass {
 public:
  std::string name() const override { return "lower_qdq_concat"; }

  bool run(Graph& g) override {
    bool changed = false;
    std::unordered_set<Node*> removed;
    for (Node* n : g.topological_order()) {
      if (removed.count(n) || n->op_type() != "Concat" || !n->domain().empty() || !n->output(0) ||
          n->num_inputs() == 0)
        continue;
      std::vector<Value*> integers;
      std::optional<QuantInfo> first;
      for (Value* in : n->inputs()) {
        auto dq = dequantize_producer(in);
        if (!dq || (first && !same_quantization(*first, *dq))) {
          integers.clear();
          break;
        }
        if (!first) first = dq;
        integers.push_back(dq->integer);
      }
      if (integers.empty()) continue;
      Node* cat = g.add_node("Concat", integers, 1, n->name() + "_int");
      for (const auto& [k, a] : n->attrs()) cat->set_attr(k, a);
      TensorType t = n->output(0)->type();
      t.dtype = first->dtype;
      cat->output(0)->set_type(t);
      Node* dq = g.add_node("DequantizeLinear",
                            {cat->output(0), first->node->input(1), first->node->input(2)}, 1,
                            n->name() + "_dequantize");
      replace_value_and_remove(g, n->output(0), dq->output(0), DType::kFloat32, {n});
      removed.insert(n);
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_lower_qdq_concat() {
  return std::make_unique<LowerQdqConcat>();
}

}  // namespace trex
