// Filter pruning: in every prunable group (pruning_groups.h) the same fraction of channels
// is pruned (the kept count rounded up to a multiple of 8), the ones whose filters matter
// least (L1 or L2 norm, or geometric median
// distance, of each producer's filters, normalized per producer by its largest value and
// summed over the group's producers). During training pruned channels are held at zero
// (producer filters and biases, BatchNorm scale and bias, depthwise filters), re-applied
// after every optimizer step; the export removes them (remove_pruned_channels).
// A level is a filter fraction (pruning_target) or, with pruning_flops_target, the
// fraction of the model's multiply-accumulates removed: the smallest uniform filter
// fraction that removes at least that much.
#pragma once

#include <string>
#include <vector>

#include "compress/compression_config.h"
#include "compress/pruning_groups.h"
#include "ir/graph.h"
#include "train/graph_module.h"

namespace trex::compress {

class FilterPruning {
 public:
  /// The groups of `graph` (which `module` was compiled from). No prunable group is an
  /// error naming why each group is kept whole.
  FilterPruning(train::GraphModule& module, const Graph& graph, FilterPruningConfig config);

  /// Chooses the pruned channels for `level` from the current weights and applies them.
  /// A FLOPs level no filter fraction reaches is an error naming pruning_flops_target.
  void set_level(double level);
  /// Restores pruned channels chosen earlier for `level` at filter fraction `fraction` (a
  /// resumed run), applied now.
  void set_pruned(const PrunedChannels& pruned, double level, double fraction);
  /// Zeroes the pruned channels again (after an optimizer step).
  void apply();

  double level() const { return level_; }
  /// The uniform fraction of filters pruned per group now.
  double filter_fraction() const { return fraction_; }
  const PrunedChannels& pruned() const { return pruned_; }
  const std::vector<PruningGroup>& groups() const { return groups_; }
  /// Fraction of the graph's multiply-accumulates the pruned channels remove (now, or
  /// with `pruned`).
  double macs_removed() const { return macs_removed(pruned_); }
  double macs_removed(const PrunedChannels& pruned) const;
  /// The highest level there is: a filter fraction of 1, or the FLOPs fraction removed
  /// when every prunable group keeps one channel.
  double max_level() const;
  /// Channels pruned per producer node of `pruned` (for the report).
  std::map<std::string, int64_t> pruned_filters(const PrunedChannels& pruned) const;

 private:
  struct Mask {
    torch::Tensor tensor;
    int axis;
  };
  /// Throws naming pruning_flops_target when no fraction removes `flops_level`.
  void check_reachable(double flops_level) const;
  static int64_t pruned_count(const PruningGroup& p, double fraction);
  /// The channels the current weights rank lowest, `fraction` of each prunable group.
  PrunedChannels choose(double fraction) const;
  /// As many channels as choose() prunes, the first ones (for counting FLOPs).
  PrunedChannels first_channels(double fraction) const;

  FilterPruningConfig config_;
  std::unique_ptr<Graph> graph_;
  int64_t macs_ = 0;
  std::vector<PruningGroup> groups_;
  std::map<std::string, std::vector<Mask>> masks_;                      ///< by group
  std::map<std::string, std::vector<torch::Tensor>> producer_weights_;  ///< by group
  PrunedChannels pruned_;
  double level_ = 0, fraction_ = 0;
};

}  // namespace trex::compress
