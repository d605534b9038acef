// Reduction reference kernels: axes as an input (ReduceSum, opset 13) with
// noop_with_empty_axes, integer means, empty reductions, the norm and log variants, and
// repeated axes.
#include <cmath>
#include <limits>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

const Tensor kX = f32({2, 3}, {1, 2, 3, 4, 5, 6});

TEST(ReduceRef, SumWithAxesInput) {
  auto out = run_node("ReduceSum", {kX, i64({1}, {-1})}, {{"keepdims", 0}});
  expect_f32(out[0], {2}, {6, 15});
}

TEST(ReduceRef, EmptyAxesReduceAllUnlessNoop) {
  auto all = run_node("ReduceSum", {kX, i64({0}, {})});
  expect_f32(all[0], {1, 1}, {21});
  auto noop = run_node("ReduceSum", {kX, i64({0}, {})}, {{"noop_with_empty_axes", 1}});
  expect_f32(noop[0], {2, 3}, {1, 2, 3, 4, 5, 6});
}

TEST(ReduceRef, IntegerMeanTruncates) {
  auto out = run_node("ReduceMean", {i32({2, 3}, {1, 2, 3, 4, 5, 6})}, {{"axes", ints({0})}});
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(values<int32_t>(out[0]), (std::vector<int32_t>{2, 3, 4}));
}

TEST(ReduceRef, MaxOverAnEmptyAxisIsMinusInfinity) {
  auto out = run_node("ReduceMax", {f32({2, 0}, {})}, {{"axes", ints({1})}, {"keepdims", 0}});
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{2}));
  EXPECT_EQ(out[0].data<float>()[0], -std::numeric_limits<float>::infinity());
  EXPECT_EQ(out[0].data<float>()[1], -std::numeric_limits<float>::infinity());
}

TEST(ReduceRef, NormsProductsAndLogs) {
  expect_f32(run_node("ReduceL2", {f32({2}, {3, 4})})[0], {1}, {5});
  expect_f32(run_node("ReduceL1", {f32({2}, {-3, 4})})[0], {1}, {7});
  expect_f32(run_node("ReduceProd", {f32({3}, {2, 3, 4})})[0], {1}, {24});
  expect_f32(run_node("ReduceSumSquare", {f32({2}, {1, -2})})[0], {1}, {5});
  expect_f32(run_node("ReduceLogSum", {f32({2}, {1, 2})})[0], {1}, {std::log(3.0f)});
  // 1000 would overflow exp() without subtracting the max first.
  auto lse = run_node("ReduceLogSumExp", {f32({2}, {1000, 1000})});
  EXPECT_NEAR(lse[0].data<float>()[0], 1000.0f + std::log(2.0f), 1e-3);
}

TEST(ReduceRef, RepeatedAxisIsAnError) {
  EXPECT_EQ(error_of([] {
              run_node("ReduceSum", {kX}, {{"axes", ints({0, -2})}}, 11);
            }),
            "node 'n' (ReduceSum): axis -2 is repeated");
}

}  // namespace
}  // namespace trex
