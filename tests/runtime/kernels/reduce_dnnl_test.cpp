// Differential test: oneDNN ReduceMean/Sum/Max/Min against the reference kernel on random,
// odd-sized shapes: single and several axes (adjacent or not), negative axes, all axes,
// keepdims on and off, axes as an input (opset 18), and forms left to the reference kernel
// (noop_with_empty_axes, empty tensors).
#include <gtest/gtest.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "ir/builder.h"
#include "runtime/session.h"

namespace trex {
namespace {

Tensor random_f32(const std::vector<int64_t>& dims, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-2.0f, 2.0f);
  Tensor t(DType::kFloat32, dims);
  for (int64_t i = 0; i < t.numel(); ++i) t.mutable_data<float>()[i] = d(rng);
  return t;
}

/// Runs `op` over X with `dims`, reducing `axes` (as an attribute at opset 13, as an input at
/// opset 18), with both kernels and compares.
void expect_match(const std::string& op, const std::vector<int64_t>& dims,
                  const std::vector<int64_t>& axes, bool keepdims, int64_t opset,
                  bool on_dnnl = true, bool noop = false) {
  const std::string what = op + " " + Shape::from_static(dims).to_string() + " axes " +
                           Shape::from_static(axes).to_string() + " keepdims " +
                           std::to_string(keepdims) + " opset " + std::to_string(opset);
  auto g = std::make_shared<Graph>();
  g->opset_imports[""] = opset;
  GraphBuilder b(*g);
  std::vector<Value*> ins = {b.input("x", DType::kFloat32, Shape::from_static(dims))};
  AttrList attrs = {{"keepdims", int64_t{keepdims}}};
  if (noop) attrs.push_back({"noop_with_empty_axes", int64_t{1}});
  const bool axes_input = opset >= 18 || (op == "ReduceSum" && opset >= 13);
  if (axes_input && !axes.empty())
    ins.push_back(b.constant(
        "axes",
        Tensor::from_vector<int64_t>(DType::kInt64, {static_cast<int64_t>(axes.size())}, axes)));
  else if (!axes.empty())
    attrs.push_back({"axes", ints(axes)});
  b.output(b.op(op, ins, attrs, "r"), "y");
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  Session ref(g, ref_opts), fast(g, {});
  ASSERT_EQ(fast.kernel_choices()[0], "r (" + op + "): dnnl") << what;
  Tensor in = random_f32(dims, 8);
  Tensor want = ref.run({{"x", in}})[0];
  dnnl::set_verbose(1);
  testing::internal::CaptureStdout();
  Tensor got = fast.run({{"x", in}})[0];
  const std::string log = testing::internal::GetCapturedStdout();
  dnnl::set_verbose(0);
  EXPECT_EQ(log.find("reduction") != std::string::npos, on_dnnl) << what << "\n" << log;
  ASSERT_EQ(want.dims(), got.dims()) << what;
  for (int64_t k = 0; k < want.numel(); ++k) {
    if (want.data<float>()[k] == got.data<float>()[k]) continue;  // also the empty max's -inf
    ASSERT_NEAR(want.data<float>()[k], got.data<float>()[k],
                1e-5f * std::max(1.0f, std::fabs(want.data<float>()[k])))
        << what << " element " << k;
  }
}

TEST(ReduceDnnl, MatchesReferenceOnOddShapes) {
  for (const char* op : {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin"})
    for (bool keep : {true, false})
      for (int64_t opset : {13, 18}) {
        expect_match(op, {3, 17}, {1}, keep, opset);
        expect_match(op, {2, 5, 7, 3}, {1, 2}, keep, opset);   // adjacent: merged
        expect_match(op, {2, 5, 7, 3}, {0, 2}, keep, opset);   // alternating
        expect_match(op, {2, 5, 7, 3}, {-1, 1}, keep, opset);  // negative, unsorted
        expect_match(op, {2, 5, 7, 3}, {}, keep, opset);       // all axes
        expect_match(op, {3, 2, 3, 2, 3, 2, 3}, {0, 2, 4, 6}, keep, opset,
                     false);  // 7 merged: reference
        expect_match(op, {7}, {0}, keep, opset);
      }
}

TEST(ReduceDnnl, ReferenceForms) {
  expect_match("ReduceSum", {2, 3}, {}, true, 13, false, /*noop=*/true);
  expect_match("ReduceMax", {2, 0, 3}, {1}, true, 13, false);  // empty: -inf identity
  expect_match("ReduceMean", {0, 3}, {1}, false, 18, false);
}

}  // namespace
}  // namespace trex
