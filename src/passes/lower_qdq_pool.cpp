// QDQ lowering: GlobalAveragePool of a per-tensor DequantizeLinear output becomes
// trex.QGlobalAveragePool, which sums the 8-bit values in int32 and requantizes once. A
// QuantizeLinear that alone reads the result joins it (the DQ -> pool -> Q that closes a
// ResNet/MobileNet before its classifier); otherwise it writes f32. AveragePool of a DQ output
// read by a sole QuantizeLinear becomes trex.QAveragePool (the cross-resolution pooling of
// Lite-HRNet), unless it averages pads in (count_include_pad with pads: a pad is a real 0,
// which the 8-bit average would take for the zero point).
#include <unordered_set>

#include "passes/passes.h"
#include "passes/qdq_lowering.h"
#include "passes/runtime_fusion.h"

namespace trex {

namespace {

/// Whether AveragePool `n` averages input elements only: no include-pad, or no pads at all.
bool averages_input_only(const Node& n) {
  if (n.attr_int("count_include_pad", 0) == 0) return true;
  const std::string pad = n.attr_string("auto_pad", "NOTSET");
  if (pad != "NOTSET" && pad != "VALID") return false;
  if (n.attr_int("ceil_mode", 0) != 0) return false;
  for (int64_t p : n.attr_ints("pads"))
    if (p != 0) return false;
  return true;
}

class LowerQdqPool : public GraphPass {
 public:
  std::string name() const override { return "lower_qdq_pool"; }

  bool run(Graph& g) override {
    bool changed = false;
    std::unordered_set<Node*> removed;
    for (Node* n : g.topological_order()) {
      if (removed.count(n)) continue;
      if (!n->domain().empty() || !n->output(0)) continue;
      const bool global = n->op_type() == "GlobalAveragePool";
      if (!global && !(n->op_type() == "AveragePool" && averages_input_only(*n))) continue;
      auto x = dequantize_producer(n->input(0));
      if (!x) continue;
      const auto& shape = n->input(0)->shape();
      if (shape && shape->rank() < 3) continue;
      auto y = sole_quantize_reader(n->output(0));
      if (!global && !y) continue;  // oneDNN pools 8-bit to 8-bit only
      Node* q = g.add_node(global ? kQGlobalAveragePool : kQAveragePool, {x->integer}, 1,
                           n->name() + "_q", kTrexDomain);
      if (!global)
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

std::unique_ptr<GraphPass> make_lower_qdq_pool() {
  return std::make_unique<LowerQdqPool>();
}

}  // namespace trex
