// Magnitude sparsity: the weights of convolutions and fully connected layers with the
// smallest importance (|w|, or |w| / ||W||_2 of their layer with normed_abs) are held at
// zero; one threshold over all covered weights gives the requested level. Masks are
// recomputed when the level changes and re-applied after every optimizer step, so zeroed
// weights stay zero in the exported model.
#pragma once

#include <string>
#include <vector>

#include "compress/compression_config.h"
#include "ir/graph.h"
#include "train/graph_module.h"

namespace trex::compress {

class MagnitudeSparsity {
 public:
  /// The covered weights of `module` (compiled from `graph`): constant weight inputs of
  /// Conv and Gemm/MatMul nodes within `config`'s scopes. None is an error.
  MagnitudeSparsity(train::GraphModule& module, const Graph& graph, SparsityConfig config);

  /// Masks for `level` (fraction of covered weights zeroed), applied now.
  void set_level(double level);
  /// const_sparsity: masks fixed to the weights that are zero now.
  void keep_current_zeros();
  /// Zeroes the masked weights again (after an optimizer step).
  void apply();

  double level() const { return level_; }
  struct Layer {
    std::string node, weight;
    int64_t size = 0, zeros = 0;
  };
  /// Per covered layer: its weight and how many of its values are zero now.
  std::vector<Layer> layers() const;
  /// Fraction of covered weights that are zero now.
  double sparsity() const;

 private:
  struct Target {
    std::string node, weight;
    torch::Tensor w, mask;
  };
  SparsityConfig config_;
  std::vector<Target> targets_;
  double level_ = 0;
};

}  // namespace trex::compress
