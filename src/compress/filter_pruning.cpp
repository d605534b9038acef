// Filter pruning (see filter_pruning.h).
#include "compress/filter_pruning.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "compress/qat_graph.h"
#include "ir/model_summary.h"
#include "util/error.h"

namespace trex::compress {

namespace {

/// Per output channel importance of one producer's filters `w` ([C, ...]).
torch::Tensor filter_importance(const torch::Tensor& w, const std::string& criterion) {
  torch::Tensor f = w.reshape({w.size(0), -1}).to(torch::kFloat64);
  if (criterion == "L1") return f.abs().sum(1);
  if (criterion == "L2") return f.pow(2).sum(1).sqrt();
  // geometric_median: filters near the others' geometric median are the replaceable ones;
  // a filter's importance is its summed distance to all filters.
  return torch::cdist(f.unsqueeze(0), f.unsqueeze(0)).squeeze(0).sum(1);
}

}  // namespace

FilterPruning::FilterPruning(train::GraphModule& module, const Graph& graph,
                             FilterPruningConfig config)
    : config_(std::move(config)), graph_(graph.clone()) {
  macs_ = summarize(*graph_).macs;
  groups_ = find_pruning_groups(*graph_, config_);
  std::map<std::string, torch::Tensor> tensors(module.named_weights().begin(),
                                               module.named_weights().end());
  std::string why;
  for (const PruningGroup& p : groups_) {
    if (!p.prunable) {
      why += "\n  " + p.name + ": " + p.reason;
      continue;
    }
    for (const PruningGroup::Slice& s : p.slices) {
      if (!s.masked) continue;
      auto it = tensors.find(s.value);
      if (it == tensors.end())
        throw_invalid("filter pruning: '" + s.value + "' (group '" + p.name +
                      "') is not a trained weight");
      masks_[p.name].push_back({it->second, s.axis});
    }
    for (const std::string& node : p.producers) {
      const Value* w = weight_source(graph_->find_node(node)->input(1));
      auto it = tensors.find(w->name());
      if (it == tensors.end())
        throw_invalid("filter pruning: the weight of node '" + node + "' is not trained");
      producer_weights_[p.name].push_back(it->second);
    }
  }
  if (masks_.empty()) throw_invalid("filter_pruning: no convolution can be pruned:" + why);
  if (config_.pruning_flops_target) check_reachable(*config_.pruning_flops_target);
}

void FilterPruning::check_reachable(double flops_level) const {
  if (const double most = max_level(); most < flops_level) {
    char what[200];
    std::snprintf(what, sizeof what,
                  "filter_pruning: pruning_flops_target %g is out of reach: pruning all but one "
                  "filter of every prunable group removes %.4f of the FLOPs",
                  flops_level, most);
    throw_invalid(what);
  }
}

int64_t FilterPruning::pruned_count(const PruningGroup& p, double fraction) {
  // Kept channels round up to a multiple of 8 (vector width friendly); one at least.
  const auto kept = static_cast<int64_t>(
      8 * std::ceil((1 - fraction) * static_cast<double>(p.channels) / 8 - 1e-9));
  return std::clamp<int64_t>(p.channels - kept, 0, p.channels - 1);
}

PrunedChannels FilterPruning::first_channels(double fraction) const {
  PrunedChannels out;
  for (const PruningGroup& p : groups_)
    if (p.prunable) {
      std::vector<int64_t> c(static_cast<size_t>(pruned_count(p, fraction)));
      std::iota(c.begin(), c.end(), 0);
      out[p.name] = std::move(c);
    }
  return out;
}

PrunedChannels FilterPruning::choose(double fraction) const {
  torch::NoGradGuard no_grad;
  PrunedChannels out;
  for (const PruningGroup& p : groups_) {
    if (!p.prunable) continue;
    const int64_t n = pruned_count(p, fraction);
    if (n <= 0) continue;
    torch::Tensor score = torch::zeros({p.channels}, torch::kFloat64);
    for (const torch::Tensor& w : producer_weights_.at(p.name)) {
      torch::Tensor imp = filter_importance(w, config_.filter_importance);
      const double top = imp.max().item<double>();
      score += top > 0 ? imp / top : imp;
    }
    // The n least important go (stable sort: ties break by channel index).
    torch::Tensor order = std::get<1>(score.sort(/*stable=*/true, 0, false));
    std::vector<int64_t> drop(order.data_ptr<int64_t>(), order.data_ptr<int64_t>() + n);
    std::sort(drop.begin(), drop.end());
    out[p.name] = std::move(drop);
  }
  return out;
}

double FilterPruning::macs_removed(const PrunedChannels& p) const {
  if (macs_ <= 0) return 0;
  std::unique_ptr<Graph> g = graph_->clone();
  remove_pruned_channels(*g, groups_, p);
  return 1.0 - static_cast<double>(summarize(*g).macs) / static_cast<double>(macs_);
}

void FilterPruning::set_level(double level) {
  level_ = level;
  if (!config_.pruning_flops_target) {
    fraction_ = level;
  } else if (level <= 0) {
    fraction_ = 0;
  } else {
    // The removed MACs grow with the fraction (channel counts are whole): bisect for the
    // smallest fraction reaching the level (which channels does not matter for the count).
    check_reachable(level);
    double lo = 0, hi = 1;
    for (int i = 0; i < 30; ++i) {
      const double mid = (lo + hi) / 2;
      (macs_removed(first_channels(mid)) >= level ? hi : lo) = mid;
    }
    fraction_ = hi;
  }
  pruned_ = choose(fraction_);
  apply();
}

void FilterPruning::set_pruned(const PrunedChannels& pruned, double level, double fraction) {
  for (const auto& [name, channels] : pruned) {
    auto it = std::find_if(groups_.begin(), groups_.end(),
                           [&](const PruningGroup& p) { return p.name == name; });
    if (it == groups_.end() || !it->prunable)
      throw_invalid("filter pruning: '" + name + "' is not a prunable group of this model");
    for (int64_t c : channels)
      if (c < 0 || c >= it->channels)
        throw_invalid("filter pruning: group '" + name + "' has no channel " + std::to_string(c));
  }
  pruned_ = pruned;
  level_ = level;
  fraction_ = fraction;
  apply();
}

void FilterPruning::apply() {
  torch::NoGradGuard no_grad;
  for (const auto& [name, channels] : pruned_) {
    if (channels.empty()) continue;
    torch::Tensor idx = torch::tensor(channels, torch::kInt64);
    for (Mask& m : masks_.at(name)) m.tensor.index_fill_(m.axis, idx, 0.0);
  }
}

double FilterPruning::max_level() const {
  return config_.pruning_flops_target ? macs_removed(first_channels(1.0)) : 1.0;
}

std::map<std::string, int64_t> FilterPruning::pruned_filters(const PrunedChannels& pruned) const {
  std::map<std::string, int64_t> out;
  for (const PruningGroup& p : groups_)
    for (const std::string& node : p.producers) {
      auto it = pruned.find(p.name);
      out[node] = it == pruned.end() ? 0 : static_cast<int64_t>(it->second.size());
    }
  return out;
}

}  // namespace trex::compress
