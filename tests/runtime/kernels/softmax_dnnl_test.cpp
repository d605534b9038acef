// Differential test: oneDNN Softmax and LogSoftmax against the reference kernel on random,
// odd-sized shapes, for every axis, with opset 13 semantics (one axis) and opset 11 (the
// input coerced to 2-D at the axis, including axis == rank).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ir/builder.h"
#include "runtime/session.h"
#include "util/error.h"

namespace trex {
namespace {

Tensor random_f32(const std::vector<int64_t>& dims, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-4.0f, 4.0f);
  Tensor t(DType::kFloat32, dims);
  for (int64_t i = 0; i < t.numel(); ++i) t.mutable_data<float>()[i] = d(rng);
  return t;
}

void expect_match(const std::string& op, int64_t opset, const std::vector<int64_t>& dims,
                  int64_t axis) {
  const std::string what = op + " opset " + std::to_string(opset) + " " +
                           Shape::from_static(dims).to_string() + " axis " + std::to_string(axis);
  auto g = std::make_shared<Graph>();
  g->opset_imports[""] = opset;
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape::from_static(dims));
  b.output(b.op(op, {x}, {{"axis", axis}}, "sm"), "y");
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  Session ref(g, ref_opts), fast(g, {});
  ASSERT_EQ(fast.kernel_choices()[0], "sm (" + op + "): dnnl") << what;
  Tensor in = random_f32(dims, 3);
  Tensor want = ref.run({{"x", in}})[0], got = fast.run({{"x", in}})[0];
  ASSERT_EQ(want.dims(), got.dims()) << what;
  for (int64_t k = 0; k < want.numel(); ++k)
    ASSERT_NEAR(want.data<float>()[k], got.data<float>()[k], 1e-5f) << what << " element " << k;
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
    fast.run({{"x", random_f32({2, 3}, 1)}});
    FAIL() << "no error for axis 2 of a 2-D input";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'sm' (Softmax)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace trex
