// Magnitude sparsity (see magnitude_sparsity.h).
#include "compress/magnitude_sparsity.h"

#include <map>

#include "compress/qat_graph.h"
#include "util/error.h"

namespace trex::compress {

MagnitudeSparsity::MagnitudeSparsity(train::GraphModule& module, const Graph& graph,
                                     SparsityConfig config)
    : config_(std::move(config)) {
  std::map<std::string, torch::Tensor> weights(module.named_weights().begin(),
                                               module.named_weights().end());
  for (const Node* n : graph.nodes()) {
    const std::string& op = n->op_type();
    if (!n->domain().empty() || (op != "Conv" && op != "Gemm" && op != "MatMul")) continue;
    if (!config_.scopes.covers(n->name())) continue;
    // Through a fake quantizer (QAT): the float weight it reads.
    const Value* w = weight_source(n->input(1));
    if (!w || !w->is_constant()) continue;
    auto it = weights.find(w->name());
    if (it == weights.end()) continue;
    targets_.push_back({n->name(), w->name(), it->second, torch::ones_like(it->second)});
  }
  if (targets_.empty())
    throw_invalid(config_.algorithm + ": no convolution or fully connected weight in scope");
}

void MagnitudeSparsity::set_level(double level) {
  level_ = level;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> importance;
  for (const Target& t : targets_) {
    torch::Tensor a = t.w.abs();
    if (config_.weight_importance == "normed_abs") a = a / t.w.norm().clamp_min(1e-12);
    importance.push_back(a.flatten());
  }
  torch::Tensor all = torch::cat(importance);
  const int64_t k = static_cast<int64_t>(std::floor(level * static_cast<double>(all.numel())));
  // The k smallest go: sort once (stable, so ties break by position: deterministic).
  torch::Tensor order = std::get<1>(all.sort(/*stable=*/true, 0, false));
  torch::Tensor keep = torch::ones({all.numel()}, torch::kBool);
  if (k > 0) keep.index_put_({order.slice(0, 0, k)}, false);
  int64_t offset = 0;
  for (Target& t : targets_) {
    const int64_t n = t.w.numel();
    t.mask = keep.slice(0, offset, offset + n).view(t.w.sizes()).to(t.w.dtype());
    offset += n;
  }
  apply();
}

void MagnitudeSparsity::keep_current_zeros() {
  torch::NoGradGuard no_grad;
  for (Target& t : targets_) t.mask = (t.w != 0).to(t.w.dtype());
  level_ = sparsity();
}

void MagnitudeSparsity::apply() {
  torch::NoGradGuard no_grad;
  for (Target& t : targets_) t.w.mul_(t.mask);
}

std::vector<MagnitudeSparsity::Layer> MagnitudeSparsity::layers() const {
  std::vector<Layer> out;
  for (const Target& t : targets_)
    out.push_back({t.node, t.weight, t.w.numel(), (t.w == 0).sum().item<int64_t>()});
  return out;
}

double MagnitudeSparsity::sparsity() const {
  int64_t size = 0, zeros = 0;
  for (const Layer& l : layers()) size += l.size, zeros += l.zeros;
  return size > 0 ? static_cast<double>(zeros) / size : 0;
}

}  // namespace trex::compress
