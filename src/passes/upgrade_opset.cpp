// Opset upgrade for quantization: QDQ needs opset 13 (per-axis DequantizeLinear). A graph
// of an older opset (7 or later) moves to the target when every op in it means the same
// there; Clip's min/max attributes (before opset 11) become constant inputs. Any other op
// blocks the upgrade, and the caller names it.
#include <set>

#include "passes/passes.h"

namespace trex {

bool upgrade_opset(Graph& g, int64_t target, std::string* blocker) {
  if (g.opset() >= target) return true;
  // Ops whose definition (for the forms they take in canonical graphs) did not change
  // between opset 7 and 13: numpy broadcasting since 7, no attribute-to-input moves.
  static const std::set<std::string> kStable = {"Conv",          "Relu",        "LeakyRelu",
                                                "Sigmoid",       "Tanh",        "HardSigmoid",
                                                "MaxPool",       "AveragePool", "GlobalAveragePool",
                                                "GlobalMaxPool", "Add",         "Sub",
                                                "Mul",           "Div",         "Gemm",
                                                "MatMul",        "Flatten",     "Reshape",
                                                "Concat",        "Transpose",   "Identity",
                                                "PRelu",         "Sum",         "Clip"};
  if (g.opset() < 7) {
    if (blocker) *blocker = "opset " + std::to_string(g.opset()) + " (before numpy broadcasting)";
    return false;
  }
  for (const Node* n : g.nodes())
    if (!n->domain().empty() || !kStable.count(n->op_type())) {
      if (blocker) *blocker = n->describe();
      return false;
    }
  for (Node* n : g.nodes()) {
    if (n->op_type() != "Clip" || g.opset() >= 11) continue;
    float lo = n->attr_float("min", -3.402823466e38f), hi = n->attr_float("max", 3.402823466e38f);
    n->remove_attr("min");
    n->remove_attr("max");
    n->truncate_inputs(1);
    n->add_input(g.add_constant(n->name() + "_min", Tensor::scalar_f32(lo)));
    n->add_input(g.add_constant(n->name() + "_max", Tensor::scalar_f32(hi)));
  }
  g.opset_imports[""] = target;
  return true;
}

}  // namespace trex
