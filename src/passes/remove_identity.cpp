// Removes Identity, and Dropout in inference mode: both pass their input through.
#include "passes/passes.h"
#include "util/error.h"

namespace trex {

namespace {

class RemoveIdentity : public LocalRewrite {
 public:
  std::string name() const override { return "remove_identity"; }
  std::vector<std::string> op_types() const override { return {"Identity", "Dropout"}; }

  bool match(const Graph& g, const Node& n) const override {
    if (n.num_inputs() < 1 || !n.input(0) || !n.output(0)) return false;
    if (n.op_type() == "Dropout") {
      // Opset 12+: training_mode is an input; only a constant false is inference.
      Value* training = n.input(2);
      if (training && (!training->is_constant() || training->constant().numel() != 1 ||
                       training->constant().get_int64(0) != 0))
        return false;
    }
    for (size_t i = 1; i < n.num_outputs(); ++i)  // Dropout's mask must be unused
      if (n.output(i) && (!n.output(i)->uses().empty() || n.output(i)->is_graph_output()))
        return false;
    Value* out = n.output(0);
    Value* in = n.input(0);
    if (out->is_graph_output() && (!in->producer() || in->is_graph_output())) return false;
    return true;
  }

  void rewrite(Graph& g, Node& n) override {
    bool done = bypass_node(g, &n, 0, n.input(0));
    TREX_ASSERT(done);  // match() checked what bypass_node needs
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_remove_identity() {
  return std::make_unique<RewritePass>(std::make_unique<RemoveIdentity>());
}

}  // namespace trex
