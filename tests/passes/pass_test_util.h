// Test helpers: a plain reference interpreter for small graphs, so pass tests can run a
// graph with and without a pass and compare outputs, and seeded random tensors.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace trex::testing {

/// Runs `g` on `inputs` (by graph-input name) with naive kernels: Conv, BatchNormalization,
/// Relu, Clip, MaxPool, AveragePool, GlobalAveragePool, Gemm, MatMul, Dropout/Identity, Softmax,
/// plus everything constant folding can evaluate (elementwise, shape ops, Concat, ...).
std::vector<Tensor> run_reference(const Graph& g, const std::map<std::string, Tensor>& inputs);

/// A float tensor with values uniform in [lo, hi), from a fixed-seed generator.
Tensor random_tensor(const std::vector<int64_t>& dims, uint64_t seed, float lo = -1.0f,
                     float hi = 1.0f);

/// Largest absolute difference between two f32 tensors of equal shape (inf on mismatch).
float max_abs_diff(const Tensor& a, const Tensor& b);

/// How many nodes of `op_type` the graph has.
int count_ops(const Graph& g, const std::string& op_type);

}  // namespace trex::testing
