// Regularization-based sparsity (see rb_sparsity.h).
#include "compress/rb_sparsity.h"

#include <cmath>
#include <map>

#include "passes/runtime_fusion.h"
#include "util/error.h"

namespace trex::compress {

void add_rb_masks(Graph& g, const SparsityConfig& config) {
  const float init = std::log(0.99f / 0.01f);  // logit(0.99): every weight kept
  int added = 0;
  for (Node* n : g.nodes()) {
    const std::string& op = n->op_type();
    if (!n->domain().empty() || (op != "Conv" && op != "Gemm" && op != "MatMul")) continue;
    if (!config.scopes.covers(n->name()) || n->num_inputs() < 2) continue;
    // The reader of the constant weight: the node, or its weight fake quantizer.
    Node* reader = n;
    if (Node* p = n->input(1)->producer(); p && p->op_type() == "FakeQuantize") reader = p;
    const size_t index = reader == n ? 1 : 0;
    Value* w = reader->input(index);
    if (!w || !w->is_constant() || w->uses().size() != 1) continue;
    Tensor logits(DType::kFloat32, w->constant().dims());
    for (int64_t i = 0; i < logits.numel(); ++i) logits.mutable_data<float>()[i] = init;
    Value* l = g.add_constant(w->name() + "_rb_logits", std::move(logits));
    Node* m =
        g.add_node(kRBSparsify, {w, l}, 1, g.unique_node_name(n->name() + "_rb_mask"), kTrexDomain);
    m->output(0)->set_type(w->type());
    reader->set_input(index, m->output(0));
    ++added;
  }
  if (added == 0) throw_invalid("rb_sparsity: no convolution or fully connected weight in scope");
  g.opset_imports.emplace(kTrexDomain, 1);
  g.sort_topologically();
}

void bake_rb_masks(Graph& g) {
  std::vector<Node*> masks;
  for (Node* n : g.nodes())
    if (n->op_type() == kRBSparsify && n->domain() == kTrexDomain) masks.push_back(n);
  for (Node* m : masks) {
    Value* w = m->input(0);
    const Value* l = m->input(1);
    if (!w->is_constant() || !l->is_constant() || w->constant().numel() != l->constant().numel())
      throw_invalid(m->describe() + ": weight and logits must be constants of one shape");
    Tensor baked = w->constant().cast(DType::kFloat32);
    float* d = baked.mutable_data<float>();
    const Tensor lf = l->constant().cast(DType::kFloat32);
    for (int64_t i = 0; i < baked.numel(); ++i)
      if (!(lf.data<float>()[i] > 0)) d[i] = 0;
    // The weight keeps its name (filter pruning slices it by name afterwards); a weight
    // shared with another reader gets a masked copy instead.
    Value* c = w;
    if (w->uses().size() == 1)
      w->set_constant(std::move(baked));
    else
      c = g.add_constant(g.unique_value_name(w->name() + "_sparse"), std::move(baked));
    g.replace_all_uses(m->output(0), c);
    g.remove_node(m);
  }
  bool trex_left = false;
  for (const Node* n : g.nodes()) trex_left = trex_left || n->domain() == kTrexDomain;
  if (!trex_left) g.opset_imports.erase(kTrexDomain);
  g.remove_unused_constants();
  g.sort_topologically();
}

RBSparsity::RBSparsity(train::GraphModule& module, const Graph& graph, double learning_rate) {
  std::map<std::string, torch::Tensor> weights(module.named_weights().begin(),
                                               module.named_weights().end());
  for (const Node* n : graph.nodes()) {
    if (n->op_type() != kRBSparsify || n->domain() != kTrexDomain) continue;
    auto it = weights.find(n->input(1)->name());
    if (it == weights.end())
      throw_invalid(n->describe() + ": its logits '" + n->input(1)->name() + "' are not trained");
    logits_.push_back(it->second);
    names_.insert(it->first);
    count_ += it->second.numel();
  }
  if (logits_.empty()) throw_invalid("rb_sparsity: the model has no masks");
  opt_ = std::make_unique<torch::optim::Adam>(logits_, torch::optim::AdamOptions(learning_rate));
}

torch::Tensor RBSparsity::loss(double level) const {
  if (frozen_) return torch::zeros({});
  torch::Tensor kept = torch::zeros({});
  for (const torch::Tensor& l : logits_) {
    torch::Tensor soft = torch::sigmoid(l);
    kept = kept + ((l > 0).to(soft.dtype()) + soft - soft.detach()).sum();
  }
  return torch::pow((kept / static_cast<double>(count_) - (1 - level)) / 0.05, 2);
}

void RBSparsity::step() {
  if (frozen_) return;
  opt_->step();
  opt_->zero_grad();
}

void RBSparsity::freeze() {
  torch::NoGradGuard no_grad;
  for (torch::Tensor& l : logits_) {
    l.copy_(torch::where(l > 0, torch::full_like(l, 20), torch::full_like(l, -20)));
    l.set_requires_grad(false);
  }
  frozen_ = true;
}

double RBSparsity::sparsity() const {
  torch::NoGradGuard no_grad;
  int64_t zeros = 0;
  for (const torch::Tensor& l : logits_) zeros += (l <= 0).sum().item<int64_t>();
  return static_cast<double>(zeros) / static_cast<double>(count_);
}

}  // namespace trex::compress
