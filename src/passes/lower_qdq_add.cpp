// QDQ lowering: Add of two per-tensor DequantizeLinear outputs of one known shape (no
// broadcasting; symbolic dims match by name), optionally followed by a Relu that alone reads it,
// becomes trex.QAdd, an integer add with exact requantization. A QuantizeLinear that alone reads
// the result joins it; otherwise QAdd writes f32. The residual joins of ResNet/MobileNet blocks
// stay separate integer ops rather than becoming a convolution's sum post-op, which would round
// differently.
#include <unordered_set>

#include "passes/passes.h"
#include "passes/qdq_lowering.h"
#include "passes/runtime_fusion.h"

namespace trex {

namespace {

struct AddMatch {
  QuantInfo a, b;
  Node* relu = nullptr;
  std::optional<QuantInfo> y;
};

std::optional<AddMatch> match_add(const Node& n) {
  if (n.op_type() != "Add" || !n.domain().empty() || !n.output(0)) return std::nullopt;
  if (!same_known_shape(n.input(0), n.input(1))) return std::nullopt;
  if (n.output(0)->shape() && !same_known_shape(n.input(0), n.output(0))) return std::nullopt;
  auto a = dequantize_producer(n.input(0));
  auto b = dequantize_producer(n.input(1));
  if (!a || !b) return std::nullopt;
  AddMatch m;
  m.a = *a;
  m.b = *b;
  Value* out = n.output(0);
  if (out->uses().size() == 1 && !out->is_graph_output()) {
    Node* r = out->uses()[0].node;
    if (r->op_type() == "Relu" && r->domain().empty() && r->output(0)) {
      m.relu = r;
      out = r->output(0);
    }
  }
  m.y = sole_quantize_reader(out);
  return m;
}

class LowerQdqAdd : public GraphPass {
 public:
  std::string name() const override { return "lower_qdq_add"; }

  bool run(Graph& g) override {
    bool changed = false;
    std::unordered_set<Node*> removed;
    for (Node* n : g.topological_order()) {
      if (removed.count(n)) continue;
      auto m = match_add(*n);
      if (!m) continue;
      Node* q = g.add_node(kQAdd, {m->a.integer, m->b.integer}, 1, n->name() + "_q", kTrexDomain);
      q->set_attr("a_scale", m->a.scale);
      q->set_attr("a_zero_point", m->a.zero_point);
      q->set_attr("b_scale", m->b.scale);
      q->set_attr("b_zero_point", m->b.zero_point);
      q->set_attr("activation", m->relu ? "Relu" : "");
      set_output_quantization(q, m->y);
      std::vector<Node*> dead;
      if (m->y) dead.push_back(m->y->node);
      if (m->relu) dead.push_back(m->relu);
      dead.push_back(n);
      Value* old = m->y ? m->y->integer : m->relu ? m->relu->output(0) : n->output(0);
      for (Node* d : dead) removed.insert(d);
      replace_value_and_remove(g, old, q->output(0), output_dtype(m->y), dead);
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_lower_qdq_add() {
  return std::make_unique<LowerQdqAdd>();
}

}  // namespace trex
