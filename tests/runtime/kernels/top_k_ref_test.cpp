// TopK reference kernel: ties keep the lower index first for largest and smallest, k as an
// attribute before opset 10, and k larger than the axis.
#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

const Tensor kX = f32({4}, {1, 3, 3, 2});

TEST(TopKRef, LargestTiesKeepLowerIndexFirst) {
  auto out = run_node("TopK", {kX, i64({1}, {2})}, {}, 13, 2);
  expect_f32(out[0], {2}, {3, 3});
  EXPECT_EQ(values<int64_t>(out[1]), (std::vector<int64_t>{1, 2}));
}

TEST(TopKRef, Smallest) {
  auto out = run_node("TopK", {kX, i64({1}, {3})}, {{"largest", 0}}, 13, 2);
  expect_f32(out[0], {3}, {1, 2, 3});
  EXPECT_EQ(values<int64_t>(out[1]), (std::vector<int64_t>{0, 3, 1}));
}

TEST(TopKRef, Opset9TakesKAsAttribute) {
  auto out = run_node("TopK", {kX}, {{"k", 1}}, 9, 2);
  expect_f32(out[0], {1}, {3});
  EXPECT_EQ(values<int64_t>(out[1]), (std::vector<int64_t>{1}));
}

TEST(TopKRef, KLargerThanTheAxis) {
  EXPECT_EQ(error_of([] {
              run_node("TopK", {kX, i64({1}, {5})}, {}, 13, 2);
            }),
            "node 'n' (TopK): k = 5 is outside [0, 4] (the size of axis -1)");
}

}  // namespace
}  // namespace trex
