// Differential test: oneDNN Softmax and LogSoftmax against the reference kernel on random,
// odd-sized shapes, for every axis, with opset 13 semantics (one axis) and opset 11 (the
// input coerced to 2-D at the axis, including axis == rank).
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"
#include "util/error.h"

namespace trex {
namespace {

using dnnl_test::expect_matches_reference;
using dnnl_test::random_f32;
using dnnl_test::Tolerance;

void expect_match(const std::string& op, int64_t opset, const std::vector<int64_t>& dims,
                  int64_t axis) {
  const std::string what = op + " opset " + std::to_string(opset) + " " +
                           Shape::from_static(dims).to_string() + " axis " + std::to_string(axis);
  auto g = std::make_shared<Graph>();
  g->opset_imports[""] = opset;
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape::from_static(dims));
  b.output(b.op(op, {x}, {{"axis", axis}}, "sm"), "y");
  auto choices = expect_matches_reference(g, {{"x", random_f32(dims, 3, -4.0f, 4.0f)}}, what,
                                          Tolerance::absolute(1e-5f));
  EXPECT_EQ(choices[0], "sm (" + op + "): dnnl") << what;
}

TEST(SoftmaxDnnl, MatchesReferenceOnOddShapes) {
  const std::vector<std::vector<int64_t>> shapes = {{7}, {3, 11}, {2, 5, 7}, {2, 3, 5, 7}};
  for (const char* op : {"Softmax", "LogSoftmax"})
    for (const auto& dims : shapes) {
      const int64_t rank = static_cast<int64_t>(dims.size());
      for (int64_t axis = -rank; axis < rank; ++axis) expect_match(op, 13, dims, axis);
      for (int64_t axis = -rank; axis <= rank; ++axis) expect_match(op, 11, dims, axis);
    }
}

TEST(SoftmaxDnnl, EmptyInputAndBadAxis) {
  expect_match("Softmax", 13, {3, 0, 4}, 1);
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  b.output(
      b.op("Softmax", {b.input("x", DType::kFloat32, Shape{2, 3})}, {{"axis", int64_t{2}}}, "sm"),
      "y");
  Session fast(g, {});
  try {
    fast.run({{"x", random_f32({2, 3}, 1, -4.0f, 4.0f)}});
    FAIL() << "no error for axis 2 of a 2-D input";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'sm' (Softmax)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace trex
