// Differential test: oneDNN ReduceMean/Sum/Max/Min against the reference kernel on random,
// odd-sized shapes: single and several axes (adjacent or not), negative axes, all axes,
// keepdims on and off, axes as an input (opset 18), and forms left to the reference kernel
// (noop_with_empty_axes, empty tensors).
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"

namespace trex {
namespace {

using dnnl_test::random_f32;

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
  dnnl_test::DifferentialSessions s(g);
  ASSERT_EQ(s.optimized.kernel_choices()[0], "r (" + op + "): dnnl") << what;
  // Equal infinities agree, so the empty max's -inf matches.
  std::string log;
  s.expect_match({{"x", random_f32(dims, 8)}}, what, dnnl_test::Tolerance::relative(1e-5f), &log);
  EXPECT_EQ(log.find("reduction") != std::string::npos, on_dnnl) << what << "\n" << log;
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
