// Layer helpers shared by every task's model builders: they write ONNX nodes with
// PyTorch-style names (`stage1.0.conv1.weight`) and freshly initialized weights (Kaiming
// normal convolutions, unit BatchNorm, small-normal classifier), seeded and deterministic.
#pragma once

#include <cstdint>
#include <string>

#include "ir/builder.h"

namespace trex {

enum class Act { kNone, kRelu, kHardSwish, kSilu };

class LayerBuilder {
 public:
  /// Starts a graph with input "input" [N, channels, height, width] (N symbolic).
  LayerBuilder(Graph& g, int channels, int height, int width, uint64_t seed);

  Value* input() const { return input_; }
  Value* conv(Value* x, const std::string& name, int64_t cin, int64_t cout, int64_t k,
              int64_t stride, int64_t groups = 1, bool bias = false);
  Value* batch_norm(Value* x, const std::string& name, int64_t c);
  Value* act(Value* x, Act a);
  /// conv -> BN -> activation; `name` prefixes `.conv`/`.bn`.
  Value* conv_bn_act(Value* x, const std::string& name, int64_t cin, int64_t cout, int64_t k,
                     int64_t stride, Act a, int64_t groups = 1);
  /// Squeeze-and-excitation: GAP -> 1x1 reduce -> act -> 1x1 expand -> gate -> scale.
  Value* squeeze_excite(Value* x, const std::string& name, int64_t c, int64_t reduced, Act inner,
                        bool hard_gate);
  Value* add(Value* a, Value* b) { return b_.op("Add", {a, b}); }
  Value* mul(Value* a, Value* b) { return b_.op("Mul", {a, b}); }
  Value* sigmoid(Value* x) { return b_.op("Sigmoid", {x}); }
  Value* concat(const std::vector<Value*>& xs) {
    return b_.op("Concat", xs, {{"axis", int64_t{1}}});
  }
  /// AveragePool with kernel = stride = `k` (k = 1: x itself).
  Value* average_pool(Value* x, int64_t k);
  /// Resize by an integer `factor` (> 0) in both spatial axes: bilinear (half-pixel
  /// centres, as PyTorch's align_corners=False) or nearest (asymmetric, floor).
  Value* upsample(Value* x, int64_t factor, bool bilinear);
  Value* global_pool_flatten(Value* x);
  Value* dropout(Value* x, float ratio);
  Value* linear(Value* x, const std::string& name, int64_t cin, int64_t cout);
  /// Marks the logits output [N, classes].
  void output(Value* logits, int64_t classes);
  /// Marks a dense output [N, classes, height, width] (per-pixel class scores).
  void output_map(Value* scores, int64_t classes, int64_t height, int64_t width);

 private:
  Tensor normal(const std::vector<int64_t>& dims, double stddev);
  Tensor filled(const std::vector<int64_t>& dims, float v);

  Graph& g_;
  GraphBuilder b_;
  Value* input_ = nullptr;
  uint64_t rng_;
  int constants_ = 0;  ///< names the unnamed constants (resize scales)
};

}  // namespace trex
