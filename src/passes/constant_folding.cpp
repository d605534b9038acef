// Constant folding: a node whose inputs are all constants is evaluated once and replaced
// by constants. Constant nodes themselves become constants (initializers).
#include "passes/fold_eval.h"
#include "passes/passes.h"

namespace trex {

namespace {

class ConstantFolding : public GraphPass {
 public:
  std::string name() const override { return "constant_folding"; }

  bool run(Graph& g) override {
    bool changed = false;
    for (Node* n : g.topological_order()) {
      if (!n->domain().empty()) continue;
      std::vector<const Tensor*> inputs;
      bool all_constant = true;
      for (Value* in : n->inputs()) {
        if (in && !in->is_constant()) {
          all_constant = false;
          break;
        }
        inputs.push_back(in ? &in->constant() : nullptr);
      }
      if (!all_constant) continue;
      std::optional<std::vector<Tensor>> values = evaluate_constant_node(*n, inputs);
      if (!values) continue;
      replace_node_with_constants(g, n, std::move(*values));
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_constant_folding() {
  return std::make_unique<ConstantFolding>();
}

}  // namespace trex
