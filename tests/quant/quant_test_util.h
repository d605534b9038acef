// Shared pieces of the quant tests: a small CNN built in code and calibration data made of
// seeded random images.
#pragma once

#include <memory>

#include "ir/builder.h"
#include "passes/pass_test_util.h"
#include "quant/calibration_data.h"

namespace trex::testing {

/// input [N,3,12,12] -> Conv(8) -> Relu -> MaxPool -> {Conv(8) -> Relu, skip} -> Add -> Relu
/// -> GlobalAveragePool -> Flatten -> Gemm(4) -> logits. Seeded weights, biases non-zero.
std::shared_ptr<Graph> small_cnn(uint64_t seed = 1);

/// small_cnn(5) with a BatchNormalization after each convolution; conv1's has a negative
/// gamma on channel 2 (the fold flips that channel's sign).
std::shared_ptr<Graph> small_cnn_with_batch_norm();

/// `count` random images [3,12,12] in [0, 1), batched on demand.
class RandomImages : public quant::CalibrationData {
 public:
  RandomImages(size_t count, std::vector<int64_t> sample_dims = {3, 12, 12},
               std::string input = "input")
      : count_(count), dims_(std::move(sample_dims)), input_(std::move(input)) {}
  size_t size() const override { return count_; }
  void for_each_batch(const std::vector<size_t>& indices, int batch_size,
                      const std::function<void(const quant::InputBatch&)>& fn) override;
  size_t samples_served = 0;

 private:
  size_t count_;
  std::vector<int64_t> dims_;
  std::string input_;
};

}  // namespace trex::testing
