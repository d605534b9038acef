// Regularization-based sparsity (rb_sparsity): every covered weight gets a trainable mask
// logit (a trex RBSparsify node between the weight and its reader, initialized to
// logit(0.99): all kept). Training samples the mask ([logit + logistic noise > 0]) with
// gradients straight through the threshold, and adds the loss
//   ((sum of the deterministic masks / N - (1 - level)) / 0.05)^2
// (the masks' gradient as if they were sigmoid(logit)), so the kept fraction is pulled to
// 1 - level while the task loss decides which weights go. The logits train with their own
// Adam optimizer (their gradients are O(1/N); an SGD step at the weights' rate would not
// move them). After sparsity_freeze_epoch the masks are fixed. The export multiplies each
// weight by [logit > 0] and removes the nodes.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "compress/compression_config.h"
#include "ir/graph.h"
#include "train/graph_module.h"

namespace trex::compress {

/// Op type (domain "trex") of a mask: inputs (weight, logits of the weight's shape).
inline constexpr const char* kRBSparsify = "RBSparsify";

/// Puts an RBSparsify node on the constant weight of every Conv / Gemm / MatMul within
/// `config`'s scopes (under a weight fake quantizer when there is one). None is an error.
void add_rb_masks(Graph& g, const SparsityConfig& config);

/// Replaces every RBSparsify node by the constant weight * [logits > 0].
void bake_rb_masks(Graph& g);

class RBSparsity {
 public:
  /// The masks of `module` (compiled from `graph`, which has the RBSparsify nodes); their
  /// optimizer is Adam at `learning_rate`.
  RBSparsity(train::GraphModule& module, const Graph& graph, double learning_rate);

  /// The value names of the logits (the weights' optimizer leaves them out).
  const std::set<std::string>& logit_names() const { return names_; }
  /// The sparsity loss for `level` (0 once frozen).
  torch::Tensor loss(double level) const;
  /// After an optimizer step: the logits' own step (not once frozen).
  void step();
  /// Fixes the masks as they are: logits saturated to +-20 and no longer trained.
  void freeze();
  bool frozen() const { return frozen_; }
  /// Fraction of covered weights whose mask is 0 now.
  double sparsity() const;

  torch::optim::Optimizer& optimizer() { return *opt_; }

 private:
  std::vector<torch::Tensor> logits_;
  std::set<std::string> names_;
  int64_t count_ = 0;
  std::unique_ptr<torch::optim::Adam> opt_;
  bool frozen_ = false;
};

}  // namespace trex::compress
