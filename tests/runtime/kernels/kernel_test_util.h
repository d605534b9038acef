// Helpers for the reference kernel tests: run one node over given tensors in a Session with
// reference kernels only and read typed results back, so each test states only the op, its
// inputs and the expected values.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/builder.h"
#include "runtime/session.h"
#include "test_util.h"
#include "util/error.h"

namespace trex {
namespace kernel_test {

/// A float32 tensor with `dims` holding `v`.
inline Tensor f32(std::vector<int64_t> dims, const std::vector<float>& v) {
  return Tensor::from_vector<float>(DType::kFloat32, std::move(dims), v);
}
/// An int32 tensor with `dims` holding `v`.
inline Tensor i32(std::vector<int64_t> dims, const std::vector<int32_t>& v) {
  return Tensor::from_vector<int32_t>(DType::kInt32, std::move(dims), v);
}
/// An int64 tensor with `dims` holding `v`.
inline Tensor i64(std::vector<int64_t> dims, const std::vector<int64_t>& v) {
  return Tensor::from_vector<int64_t>(DType::kInt64, std::move(dims), v);
}

/// One node `op` (named "n") at `opset` whose inputs are graph inputs x0, x1, ... (an empty
/// Tensor leaves that optional input out) and whose `num_outputs` outputs are all graph
/// outputs, run with reference kernels only.
inline std::vector<Tensor> run_node(const std::string& op, const std::vector<Tensor>& inputs,
                                    const AttrList& attrs = {}, int64_t opset = 17,
                                    size_t num_outputs = 1) {
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
  opts.threads = 2;            // fixed, so kernels that split work do so on any machine
  Session s(g, opts);
  return s.run(feeds);
}

/// The elements of `t` as T (which must be its element type).
template <typename T = float>
std::vector<T> values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

/// Expects `t` to be float32 with `dims` and elements within 1e-5 of `want`.
inline void expect_f32(const Tensor& t, const std::vector<int64_t>& dims,
                       const std::vector<float>& want) {
  ASSERT_EQ(t.dtype(), DType::kFloat32);
  ASSERT_EQ(t.dims(), dims);
  ASSERT_EQ(t.numel(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(t.data<float>()[i], want[i], 1e-5) << "element " << i;
}

using ::trex::testing::error_of;

}  // namespace kernel_test
}  // namespace trex
