// Shared pieces of the QAT tests: a graph run in the INT8/FP32 runtime on a libtorch batch,
// and the relative error between two outputs.
#pragma once

#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>

#include "runtime/session.h"
#include "train/graph_module.h"

namespace trex::testing {

/// Output 0 of `g` in the runtime, on `x` fed to its first input.
inline torch::Tensor run_runtime(std::shared_ptr<Graph> g, const torch::Tensor& x) {
  std::map<std::string, Tensor> in;
  in.emplace(g->inputs()[0]->name(), train::from_torch(x));
  Session s(std::move(g));
  return train::to_torch(s.run(in).at(0));
}

/// Mean |a - b| relative to the mean |a|.
inline double rel_error(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().mean() / a.abs().mean()).item<double>();
}

}  // namespace trex::testing
