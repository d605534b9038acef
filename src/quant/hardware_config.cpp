// The CPU target's op table. Conv (incl. grouped and depthwise), MatMul and Gemm take
// quantized activations and per-channel weights; elementwise arithmetic, average pooling,
// ReduceMean, Resize and Concat take quantized activations; MaxPool and pure data movement
// pass quantizers through. Everything else stays in float.
#include "quant/hardware_config.h"

#include <set>

namespace trex::quant {

namespace {

bool is_constant(const Value* v) {
  return v && v->is_constant();
}

/// x * Sigmoid(x): SiLU written out by exporters. It is an activation that fuses into the
/// preceding op, not an arithmetic Mul to quantize.
bool is_silu(const Node& mul) {
  for (size_t i = 0; i < 2; ++i) {
    const Value* s = mul.input(i);
    const Node* sig = s ? s->producer() : nullptr;
    if (sig && sig->op_type() == "Sigmoid" && sig->domain().empty() &&
        sig->input(0) == mul.input(1 - i))
      return true;
  }
  return false;
}

}  // namespace

OpRole cpu_op_role(const Node& n, bool transformer) {
  using Kind = OpRole::Kind;
  static const std::set<std::string> kAgnostic = {"MaxPool",   "Reshape",   "Flatten", "Squeeze",
                                                  "Unsqueeze", "Transpose", "Slice",   "Identity"};
  static const std::set<std::string> kElementwise = {"Add", "Mul", "Sub", "Div"};
  static const std::set<std::string> kSingleInput = {"AveragePool", "GlobalAveragePool",
                                                     "ReduceMean", "Resize", "Upsample"};
  OpRole r;
  const std::string& op = n.op_type();
  if (!n.domain().empty()) {
    r.why = "op of domain '" + n.domain() + "'";
    return r;
  }
  if (op == "Conv") {
    if (!is_constant(n.input(1))) {
      r.why = "weight is not a constant";
      return r;
    }
    r.kind = Kind::kQuantizable;
    r.activation_inputs = {0};
    r.weight_input = 1;
    r.weight_axis = 0;
    return r;
  }
  if (op == "Gemm" || op == "MatMul") {
    const Value* b = n.input(1);
    r.kind = Kind::kQuantizable;
    r.activation_inputs = {0};
    bool trans_a = op == "Gemm" && n.attr_int("transA", 0) != 0;
    if (trans_a) {
      r.kind = Kind::kFloat;
      r.why = "Gemm with transA";
      return r;
    }
    if (is_constant(b) && b->constant().rank() == 2) {
      r.weight_input = 1;
      r.weight_axis = op == "Gemm" && n.attr_int("transB", 0) != 0 ? 0 : 1;
    } else {
      r.activation_inputs.push_back(1);
    }
    return r;
  }
  if (kElementwise.count(op)) {
    if (transformer) {
      r.why = "model_type transformer: elementwise arithmetic stays float";
      return r;
    }
    if (op == "Mul" && is_silu(n)) {
      r.why = "SiLU activation (fuses into its producer)";
      return r;
    }
    r.kind = Kind::kQuantizable;
    r.activation_inputs = {0, 1};
    return r;
  }
  if (kSingleInput.count(op)) {
    r.kind = Kind::kQuantizable;
    r.activation_inputs = {0};
    return r;
  }
  if (op == "Concat") {
    r.kind = Kind::kQuantizable;
    for (size_t i = 0; i < n.num_inputs(); ++i) r.activation_inputs.push_back(i);
    r.unified_scales = true;
    return r;
  }
  if (kAgnostic.count(op)) {
    r.kind = Kind::kAgnostic;
    return r;
  }
  static const std::set<std::string> kActivations = {
      "Relu", "Clip", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Elu", "Gelu"};
  if (kActivations.count(op)) {
    r.why = "activation: runs fused with its producer; its output is quantized where read";
    return r;
  }
  r.why = "not quantized on the CPU target";
  return r;
}

}  // namespace trex::quant
