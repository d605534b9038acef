// QDQ lowering: Mul of two per-tensor DequantizeLinear outputs becomes trex.QMul, an integer
// product with one requantization, when both have one known shape or one of them is a
// per-channel gate of shape [N or 1, C, 1, ...] over the other (squeeze-excitation and the
// attention weightings of Lite-HRNet-style networks). A QuantizeLinear that alone reads the
// result joins it; otherwise QMul writes f32.
#include <unordered_set>

#include "passes/passes.h"
#include "passes/qdq_lowering.h"
#include "passes/runtime_fusion.h"

namespace trex {

namespace {

/// Whether two dims are known to be equal: one size, or one symbol.
bool same_dim(const Dim& a, const Dim& b) {
  return (a.is_static() || a.is_symbolic()) && a == b;
}

/// Whether `gate` broadcasts over `full` one value per (batch, channel): full is N x C x
/// spatial, gate [N or 1, C, 1, ...] of the same rank (N and C equal as sizes or symbols).
bool per_channel_gate(const Value* full, const Value* gate) {
  const auto& f = full->shape();
  const auto& c = gate->shape();
  if (!f || !c || f->rank() < 3 || c->rank() != f->rank()) return false;
  if (!same_dim((*c)[0], (*f)[0]) && !((*c)[0].is_static() && (*c)[0].value() == 1)) return false;
  if (!same_dim((*c)[1], (*f)[1])) return false;
  for (size_t d = 2; d < c->rank(); ++d)
    if (!(*c)[d].is_static() || (*c)[d].value() != 1) return false;
  return true;
}

struct MulMatch {
  QuantInfo a, b;  ///< a: the full-shape input
  std::optional<QuantInfo> y;
};

std::optional<MulMatch> match_mul(const Node& n) {
  if (n.op_type() != "Mul" || !n.domain().empty() || !n.output(0)) return std::nullopt;
  const Value* x0 = n.input(0);
  const Value* x1 = n.input(1);
  bool swap = false;
  if (!same_known_shape(x0, x1)) {
    if (per_channel_gate(x0, x1))
      swap = false;
    else if (per_channel_gate(x1, x0))
      swap = true;
    else
      return std::nullopt;
  }
  const Value* full = swap ? x1 : x0;
  if (n.output(0)->shape() && !same_known_shape(full, n.output(0))) return std::nullopt;
  auto a = dequantize_producer(full);
  auto b = dequantize_producer(swap ? x0 : x1);
  if (!a || !b) return std::nullopt;
  return MulMatch{*a, *b, sole_quantize_reader(n.output(0))};
}

class LowerQdqMul : public GraphPass {
 public:
  std::string name() const override { return "lower_qdq_mul"; }

  bool run(Graph& g) override {
    bool changed = false;
    std::unordered_set<Node*> removed;
    for (Node* n : g.topological_order()) {
      if (removed.count(n)) continue;
      auto m = match_mul(*n);
      if (!m) continue;
      Node* q = g.add_node(kQMul, {m->a.integer, m->b.integer}, 1, n->name() + "_q", kTrexDomain);
      q->set_attr("a_scale", m->a.scale);
      q->set_attr("a_zero_point", m->a.zero_point);
      q->set_attr("b_scale", m->b.scale);
      q->set_attr("b_zero_point", m->b.zero_point);
      replace_absorbing_quantize(g, n, q, m->y, removed);
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_lower_qdq_mul() {
  return std::make_unique<LowerQdqMul>();
}

}  // namespace trex
