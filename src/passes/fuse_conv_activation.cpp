// Runtime fusion: Conv followed by an activation (Relu, Clip, LeakyRelu, Sigmoid,
// HardSigmoid, HardSwish, Tanh, Elu) becomes one trex.FusedConv node whose kernel applies the
// activation as a oneDNN post-op. Runs only on the runtime's private copy of a graph: the
// trex domain never reaches an exported file.
#include "passes/passes.h"
#include "passes/runtime_fusion.h"

namespace trex {

namespace {

/// The activation a FusedConv can absorb, with its parameters, or "" when none.
std::string fusable_activation(const Node& act, std::vector<float>& params) {
  const std::string& op = act.op_type();
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish") return op;
  if (op == "LeakyRelu") {
    params = {act.attr_float("alpha", 0.01f)};
    return op;
  }
  if (op == "Elu") {
    params = {act.attr_float("alpha", 1.0f)};
    return op;
  }
  if (op == "HardSigmoid") {
    params = {act.attr_float("alpha", 0.2f), act.attr_float("beta", 0.5f)};
    return op;
  }
  if (op == "Clip") {
    // Opset 11+: min/max are inputs; only constant scalars can become a post-op.
    float lo = act.attr_float("min", -3.402823e38f), hi = act.attr_float("max", 3.402823e38f);
    for (size_t i = 1; i <= 2; ++i) {
      Value* v = act.input(i);
      if (!v) continue;
      if (!v->is_constant() || v->constant().numel() != 1 || v->dtype() != DType::kFloat32)
        return "";
      (i == 1 ? lo : hi) = v->constant().data<float>()[0];
    }
    params = {lo, hi};
    return op;
  }
  return "";
}

class FuseConvActivation : public LocalRewrite {
 public:
  std::string name() const override { return "fuse_conv_activation"; }
  std::vector<std::string> op_types() const override {
    return {"Relu", "Clip", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Elu"};
  }

  bool match(const Graph& g, const Node& act) const override {
    Value* x = act.input(0);
    Node* conv = x ? x->producer() : nullptr;
    if (!conv || x->uses().size() != 1 || x->is_graph_output()) return false;
    bool is_conv = (conv->op_type() == "Conv" && conv->domain().empty()) ||
                   (conv->op_type() == kFusedConv && conv->domain() == kTrexDomain &&
                    conv->attr_string("activation", "") == "");
    if (!is_conv || x->dtype() != DType::kFloat32) return false;
    std::vector<float> params;
    return !fusable_activation(act, params).empty();
  }

  void rewrite(Graph& g, Node& act) override {
    Node* conv = act.input(0)->producer();
    std::vector<float> params;
    std::string kind = fusable_activation(act, params);
    Node* fused = conv;
    if (conv->domain().empty()) fused = make_fused_conv(g, conv);
    fused->set_attr("activation", kind);
    if (!params.empty()) fused->set_attr("activation_params", params);
    bypass_node(g, &act, 0, fused->output(0));
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_fuse_conv_activation() {
  return std::make_unique<RewritePass>(std::make_unique<FuseConvActivation>());
}

}  // namespace trex
