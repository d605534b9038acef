// Helpers for the NN reference kernel tests: run one node over given tensors in a Session
// and read results back, so each test states only the op, its inputs and the expected values.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ir/builder.h"
#include "runtime/session.h"
#include "util/error.h"

namespace trex {
namespace nn_test {

/// A float32 tensor with `dims` holding `v`.
inline Tensor f32(std::vector<int64_t> dims, const std::vector<float>& v) {
  return Tensor::from_vector<float>(DType::kFloat32, std::move(dims), v);
}

/// One node `op` (named "n") whose inputs are graph inputs x0, x1, ... (an empty Tensor
/// leaves that optional input out) and whose `num_outputs` outputs are all graph outputs,
/// run with reference kernels only.
inline std::vector<Tensor> run_node(const std::string& op, const std::vector<Tensor>& inputs,
                                    const AttrList& attrs = {}, size_t num_outputs = 1,
                                    int64_t opset = 17) {
  auto g = std::make_shared<Graph>();
  g->opset_imports[""] = opset;
  GraphBuilder b(*g);
  std::vector<Value*> ins;
  std::map<std::string, Tensor> feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].empty()) {
      ins.push_back(nullptr);
      continue;
    }
    const std::string name = "x" + std::to_string(i);
    ins.push_back(b.input(name, inputs[i].dtype(), Shape::from_static(inputs[i].dims())));
    feeds[name] = inputs[i];
  }
  Node* n = b.node(op, ins, num_outputs, attrs, "n");
  for (size_t i = 0; i < num_outputs; ++i) b.output(n->output(i), "y" + std::to_string(i));
  SessionOptions opts;
  opts.reference_only = true;  // these tests are about the reference kernels
  Session s(g, opts);
  return s.run(feeds);
}

/// The float32 elements of `t`.
inline std::vector<float> values(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

/// The message of the trex::Error `f` throws ("" when it does not throw).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace nn_test
}  // namespace trex
