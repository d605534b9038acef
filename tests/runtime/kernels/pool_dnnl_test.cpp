// Differential test: oneDNN pooling against the reference pooling kernels on odd shapes
// (asymmetric pads, ceil_mode, count_include_pad, auto_pad, 1-D and 3-D, global pools).
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"

namespace trex {
namespace {

using dnnl_test::expect_matches_reference;
using dnnl_test::random_f32;
using dnnl_test::Tolerance;

void expect_same(const std::string& op, const std::vector<int64_t>& dims, const AttrList& attrs,
                 int id) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  b.output(b.op(op, {b.input("x", DType::kFloat32, Shape::from_static(dims))}, attrs, "pool"), "y");
  const std::string what = "case " + std::to_string(id);
  auto choices = expect_matches_reference(g, {{"x", random_f32(dims, static_cast<uint32_t>(id))}},
                                          what, Tolerance::absolute(1e-5f));
  EXPECT_EQ(choices[0], "pool (" + op + "): dnnl") << what;
}

TEST(PoolDnnl, MatchesReferenceOnOddShapes) {
  int id = 0;
  expect_same(
      "MaxPool", {1, 3, 9, 7},
      {{"kernel_shape", ints({3, 3})}, {"strides", ints({2, 2})}, {"pads", ints({1, 0, 0, 1})}},
      id++);
  expect_same(
      "MaxPool", {2, 2, 8, 8},
      {{"kernel_shape", ints({3, 3})}, {"strides", ints({2, 2})}, {"ceil_mode", int64_t{1}}}, id++);
  expect_same(
      "MaxPool", {1, 4, 10, 5},
      {{"kernel_shape", ints({2, 3})}, {"auto_pad", "SAME_UPPER"}, {"strides", ints({2, 2})}},
      id++);
  expect_same("AveragePool", {1, 3, 9, 7},
              {{"kernel_shape", ints({3, 3})}, {"pads", ints({1, 1, 1, 1})}}, id++);
  expect_same("AveragePool", {1, 3, 9, 7},
              {{"kernel_shape", ints({3, 3})},
               {"pads", ints({1, 2, 0, 1})},
               {"count_include_pad", int64_t{1}}},
              id++);
  expect_same(
      "AveragePool", {2, 3, 7, 7},
      {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}, {"ceil_mode", int64_t{1}}}, id++);
  expect_same("MaxPool", {2, 3, 11},
              {{"kernel_shape", ints({4})}, {"strides", ints({3})}, {"pads", ints({1, 2})}}, id++);
  expect_same("AveragePool", {1, 2, 5, 6, 7},
              {{"kernel_shape", ints({2, 3, 2})}, {"pads", ints({0, 1, 1, 1, 1, 0})}}, id++);
  expect_same("GlobalAveragePool", {2, 5, 7, 3}, {}, id++);
  expect_same("GlobalMaxPool", {2, 5, 7, 3}, {}, id++);
}

}  // namespace
}  // namespace trex
