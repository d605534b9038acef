// BatchNorm adaptation (see bn_adaptation.h).
#include "compress/bn_adaptation.h"

#include <map>

#include "util/error.h"

namespace trex::compress {

int adapt_batch_norm(train::GraphModule& module, const Graph& graph,
                     const std::function<bool(torch::Tensor&)>& next) {
  // Running statistic -> libtorch momentum (the weight of a new batch) of its layer.
  std::map<std::string, double> momentum;
  for (const Node* n : graph.nodes()) {
    if (n->op_type() != "BatchNormalization" || !n->domain().empty()) continue;
    double m = 1.0 - n->attr_float("momentum", 0.9f);
    if (m <= 1e-6)
      throw_unsupported(n->describe() +
                        ": momentum 1 never updates the statistics; BatchNorm adaptation "
                        "cannot run (set num_bn_adaptation_samples to 0)");
    momentum[n->input(3)->name()] = m;
    momentum[n->input(4)->name()] = m;
  }
  std::vector<std::pair<torch::Tensor, double>> stats;  // (running tensor, momentum)
  for (const auto& [name, t] : module.named_state())
    if (auto m = momentum.find(name); m != momentum.end()) stats.emplace_back(t, m->second);

  torch::NoGradGuard no_grad;
  module.train();
  std::vector<torch::Tensor> sums(stats.size());
  for (size_t i = 0; i < stats.size(); ++i) sums[i] = torch::zeros_like(stats[i].first);
  int batches = 0;
  int64_t images = 0;
  torch::Tensor x;
  while (!stats.empty() && next(x)) {
    const int64_t n = x.size(0);
    if (n < 2) continue;  // one image has no batch variance (and libtorch refuses it)
    // Zeroed first, the layer stores m x the batch statistic: divided by m it is exact to
    // float rounding whatever m is.
    for (auto& [t, m] : stats) t.zero_();
    try {
      module.forward(x);
    } catch (const c10::Error& e) {
      throw_invalid("BatchNorm adaptation: " +
                    std::string(e.what_without_backtrace()).substr(0, 200));
    }
    // Weighted by the batch's size.
    for (size_t i = 0; i < stats.size(); ++i)
      sums[i] += stats[i].first / stats[i].second * static_cast<double>(n);
    ++batches;
    images += n;
  }
  for (size_t i = 0; i < stats.size() && images > 0; ++i)
    stats[i].first.copy_(sums[i] / static_cast<double>(images));
  module.eval();
  return batches;
}

}  // namespace trex::compress
