// Runtime fusion: Add(Conv(x), r) with r of the Conv output's shape becomes trex.FusedConv
// with r as its Sum input (a oneDNN binary post-op), the residual connection of ResNet and
// MobileNet blocks. An activation after the Add fuses afterwards (fuse_activation).
#include "passes/passes.h"
#include "passes/runtime_fusion.h"

namespace trex {

namespace {

/// Static, equal shapes. (Symbolic dims would be safe too, but then PTQ calibration, which
/// observes Conv outputs and keeps them as graph outputs when a fusion removes them, loses
/// their channels-last layout: 5x slower statistics. Pinning values without making them
/// graph outputs would lift this.)
bool same_static_shape(const Value* a, const Value* b) {
  return a->has_static_shape() && b->has_static_shape() && same_known_shape(a, b);
}

/// The Conv (plain, or fused without sum or activation yet) producing `v` alone, or null.
Node* fusable_conv(Value* v) {
  Node* p = v ? v->producer() : nullptr;
  if (!p || v->uses().size() != 1 || v->is_graph_output() || v->dtype() != DType::kFloat32)
    return nullptr;
  if (p->op_type() == "Conv" && p->domain().empty()) return p;
  if (p->op_type() == kFusedConv && p->domain() == kTrexDomain && !p->input(3) &&
      p->attr_string("activation", "").empty())
    return p;
  return nullptr;
}

class FuseConvAdd : public LocalRewrite {
 public:
  std::string name() const override { return "fuse_conv_add"; }
  std::vector<std::string> op_types() const override { return {"Add"}; }

  bool match(const Graph& g, const Node& add) const override {
    for (size_t i = 0; i < 2; ++i) {
      Node* conv = fusable_conv(add.input(i));
      Value* other = add.input(1 - i);
      // Same shape on both sides, so the Add broadcasts nothing; and the residual must not
      // depend on the Conv itself.
      if (conv && other && other->producer() != conv && same_static_shape(add.input(i), other) &&
          same_static_shape(add.input(i), add.output(0)))
        return true;
    }
    return false;
  }

  void rewrite(Graph& g, Node& add) override {
    size_t i = fusable_conv(add.input(0)) && same_static_shape(add.input(0), add.input(1)) ? 0 : 1;
    Node* conv = fusable_conv(add.input(i));
    Value* residual = add.input(1 - i);
    Node* fused = conv->domain().empty() ? make_fused(g, conv, kFusedConv) : conv;
    while (fused->num_inputs() < 3) fused->add_input(nullptr);
    fused->add_input(residual);
    const std::string name = add.output(0)->name();
    bypass_node(g, &add, 0, fused->output(0));
    keep_name(g, fused->output(0), name);
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_fuse_conv_add() {
  return std::make_unique<RewritePass>(std::make_unique<FuseConvAdd>());
}

}  // namespace trex
