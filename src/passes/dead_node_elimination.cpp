// Dead-node elimination: removes nodes none of whose outputs reach a graph output, and
// constants nothing reads. Graph inputs stay: they are the model's interface.
#include <algorithm>

#include "passes/passes.h"

namespace trex {

namespace {

class DeadNodeElimination : public GraphPass {
 public:
  std::string name() const override { return "dead_node_elimination"; }

  bool run(Graph& g) override {
    bool changed = false;
    std::vector<Node*> order = g.topological_order();
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      Node* n = *it;
      bool live = std::any_of(n->outputs().begin(), n->outputs().end(), [](Value* v) {
        return v && (!v->uses().empty() || v->is_graph_output());
      });
      if (live) continue;
      g.remove_node(n);
      changed = true;
    }
    return g.remove_unused_constants() > 0 || changed;
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_dead_node_elimination() {
  return std::make_unique<DeadNodeElimination>();
}

}  // namespace trex
