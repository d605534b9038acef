// Runtime fusion: an activation after a Conv or Gemm joins it as a oneDNN post-op, making
// trex.FusedConv / trex.FusedGemm. Single ops (Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid,
// HardSwish, Tanh, Elu) and the exporters' decompositions of SiLU (x * Sigmoid(x)) and exact
// GELU (0.5 * x * (1 + Erf(x / sqrt 2))) are recognized. Runs only on a session's private
// copy of a graph: the trex domain never reaches an exported file.
#include <algorithm>
#include <cmath>

#include "passes/passes.h"
#include "passes/runtime_fusion.h"

namespace trex {

namespace {

/// An activation pattern ending at some node: what it computes and the nodes it spans.
struct ActivationMatch {
  std::string kind;
  std::vector<float> params;
  Value* x = nullptr;        ///< the pre-activation value
  std::vector<Node*> nodes;  ///< in topological order; the last produces the result
};

bool is_scalar_constant(const Value* v, float want, float tol) {
  return v && v->is_constant() && v->dtype() == DType::kFloat32 && v->constant().numel() == 1 &&
         std::fabs(v->constant().data<float>()[0] - want) <= tol;
}

/// The producer of `v` when `v` has exactly one reader, else null.
Node* sole_producer(const Value* v, const char* op) {
  if (!v || v->uses().size() != 1 || v->is_graph_output()) return nullptr;
  Node* p = v->producer();
  return p && p->op_type() == op && p->domain().empty() ? p : nullptr;
}

bool single_op(const Node& act, ActivationMatch& m) {
  const std::string& op = act.op_type();
  m.x = act.input(0);
  m.nodes = {const_cast<Node*>(&act)};
  m.kind = op;
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish") return true;
  if (op == "LeakyRelu") return m.params = {act.attr_float("alpha", 0.01f)}, true;
  if (op == "Elu") return m.params = {act.attr_float("alpha", 1.0f)}, true;
  if (op == "HardSigmoid")
    return m.params = {act.attr_float("alpha", 0.2f), act.attr_float("beta", 0.5f)}, true;
  if (op == "Clip") {
    // Opset 11+: min/max are inputs; only constant scalars can become a post-op.
    float lo = act.attr_float("min", -3.402823e38f), hi = act.attr_float("max", 3.402823e38f);
    for (size_t i = 1; i <= 2; ++i) {
      Value* v = act.input(i);
      if (!v) continue;
      if (!v->is_constant() || v->constant().numel() != 1 || v->dtype() != DType::kFloat32)
        return false;
      (i == 1 ? lo : hi) = v->constant().data<float>()[0];
    }
    m.params = {lo, hi};
    return true;
  }
  return false;
}

/// x * Sigmoid(x), either operand order.
bool silu(const Node& mul, ActivationMatch& m) {
  for (size_t i = 0; i < 2; ++i) {
    Node* sig = sole_producer(mul.input(i), "Sigmoid");
    if (!sig || mul.input(1 - i) != sig->input(0)) continue;
    m = ActivationMatch{"Swish", {}, sig->input(0), {sig, const_cast<Node*>(&mul)}};
    return true;
  }
  return false;
}

/// 0.5 * (x * (1 + Erf(x / sqrt 2))) as PyTorch exports nn.GELU() (either operand orders).
bool gelu(const Node& outer, ActivationMatch& m) {
  for (size_t i = 0; i < 2; ++i) {
    if (!is_scalar_constant(outer.input(1 - i), 0.5f, 1e-6f)) continue;
    Node* inner = sole_producer(outer.input(i), "Mul");
    if (!inner) continue;
    for (size_t j = 0; j < 2; ++j) {
      Node* add = sole_producer(inner->input(j), "Add");
      Value* x = inner->input(1 - j);
      if (!add) continue;
      for (size_t k = 0; k < 2; ++k) {
        Node* erf = sole_producer(add->input(k), "Erf");
        if (!erf || !is_scalar_constant(add->input(1 - k), 1.0f, 1e-6f)) continue;
        Node* div = sole_producer(erf->input(0), "Div");
        if (!div || div->input(0) != x || !is_scalar_constant(div->input(1), 1.41421356f, 1e-4f))
          continue;
        m = ActivationMatch{"Gelu", {}, x, {div, erf, add, inner, const_cast<Node*>(&outer)}};
        return true;
      }
    }
  }
  return false;
}

bool find_activation(const Node& n, ActivationMatch& m) {
  if (n.op_type() == "Mul") return silu(n, m) || gelu(n, m);
  return single_op(n, m);
}

/// The Conv or Gemm (plain, or fused without an activation yet) producing `x`.
Node* fusable_producer(const Value* x, size_t readers) {
  Node* p = x ? x->producer() : nullptr;
  if (!p || x->uses().size() != readers || x->is_graph_output() || x->dtype() != DType::kFloat32)
    return nullptr;
  if ((p->op_type() == "Conv" || p->op_type() == "Gemm") && p->domain().empty()) return p;
  bool fused =
      p->domain() == kTrexDomain && (p->op_type() == kFusedConv || p->op_type() == kFusedGemm);
  return fused && p->attr_string("activation", "").empty() ? p : nullptr;
}

/// A Clip after a Conv or Gemm fused with Relu or Clip narrows that activation: Relu then
/// Clip(lo, hi) is Clip(max(lo, 0), hi), Clip(a, b) then Clip(lo, hi) is Clip(max(a, lo),
/// min(b, hi)) when the ranges overlap. The combined bounds, or false.
bool narrowed_clip(const ActivationMatch& m, std::vector<float>* bounds) {
  if (m.kind != "Clip" || m.nodes.size() != 1) return false;
  Node* p = m.x ? m.x->producer() : nullptr;
  if (!p || m.x->uses().size() != 1 || m.x->is_graph_output() || p->domain() != kTrexDomain ||
      (p->op_type() != kFusedConv && p->op_type() != kFusedGemm))
    return false;
  const std::string a = p->attr_string("activation", "");
  float lo = 0, hi = 3.402823e38f;
  if (a == "Clip") {
    const std::vector<float> ab = p->attr_floats("activation_params");
    if (ab.size() != 2) return false;
    lo = ab[0], hi = ab[1];
  } else if (a != "Relu") {
    return false;
  }
  lo = std::max(lo, m.params[0]);
  hi = std::min(hi, m.params[1]);
  if (lo > hi) return false;
  *bounds = {lo, hi};
  return true;
}

/// How many readers of x the pattern accounts for (SiLU and GELU read x twice).
size_t readers_in_pattern(const ActivationMatch& m) {
  size_t n = 0;
  for (Node* node : m.nodes)
    for (Value* in : node->inputs()) n += in == m.x;
  return n;
}

class FuseActivation : public LocalRewrite {
 public:
  std::string name() const override { return "fuse_activation"; }
  std::vector<std::string> op_types() const override {
    return {"Relu",      "Clip", "LeakyRelu", "Sigmoid", "HardSigmoid",
            "HardSwish", "Tanh", "Elu",       "Mul"};
  }

  bool match(const Graph& g, const Node& n) const override {
    ActivationMatch m;
    std::vector<float> bounds;
    return find_activation(n, m) &&
           (fusable_producer(m.x, readers_in_pattern(m)) || narrowed_clip(m, &bounds));
  }

  void rewrite(Graph& g, Node& n) override {
    ActivationMatch m;
    find_activation(n, m);
    if (std::vector<float> bounds; narrowed_clip(m, &bounds)) m.params = bounds;
    Node* p = m.x->producer();
    Node* fused = p;
    if (p->domain().empty())
      fused = make_fused(g, p, p->op_type() == "Conv" ? kFusedConv : kFusedGemm);
    fused->set_attr("activation", m.kind);
    if (!m.params.empty()) fused->set_attr("activation_params", m.params);
    Node* last = m.nodes.back();
    const std::string name = last->output(0)->name();
    bypass_node(g, last, 0, fused->output(0));
    for (size_t i = m.nodes.size() - 1; i-- > 0;) g.remove_node(m.nodes[i]);  // now unread
    keep_name(g, fused->output(0), name);
  }
};

}  // namespace

std::unique_ptr<GraphPass> make_fuse_activation() {
  return std::make_unique<RewritePass>(std::make_unique<FuseActivation>());
}

}  // namespace trex
