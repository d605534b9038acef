// Differential test: oneDNN pooling against the reference pooling kernels on odd shapes
// (asymmetric pads, ceil_mode, count_include_pad, auto_pad, 1-D and 3-D, global pools).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ir/builder.h"
#include "runtime/session.h"

namespace trex {
namespace {

Tensor random_input(const std::vector<int64_t>& dims, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-2.0f, 2.0f);
  Tensor t(DType::kFloat32, dims);
  for (int64_t i = 0; i < t.numel(); ++i) t.mutable_data<float>()[i] = d(rng);
  return t;
}

void expect_same(const std::string& op, const std::vector<int64_t>& dims, const AttrList& attrs,
                 int id) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  b.output(b.op(op, {b.input("x", DType::kFloat32, Shape::from_static(dims))}, attrs, "pool"), "y");
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  Session ref(g, ref_opts), fast(g, {});
  ASSERT_EQ(fast.kernel_choices()[0], "pool (" + op + "): dnnl") << "case " << id;
  Tensor x = random_input(dims, static_cast<uint32_t>(id));
  Tensor want = ref.run({{"x", x}})[0], got = fast.run({{"x", x}})[0];
  ASSERT_EQ(want.dims(), got.dims()) << "case " << id;
  for (int64_t k = 0; k < want.numel(); ++k)
    ASSERT_NEAR(want.data<float>()[k], got.data<float>()[k], 1e-5f)
        << "case " << id << " element " << k;
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
