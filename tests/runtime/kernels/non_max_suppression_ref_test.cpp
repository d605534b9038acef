// NonMaxSuppression reference kernel: corners given in either order, equal scores kept in
// index order, the strict score threshold, and max_output_boxes_per_class = 0.
#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

// Box 1 is box 0 with its corners swapped; box 2 lies apart from both.
const Tensor kBoxes = f32({1, 3, 4}, {0, 0, 1, 1, 1, 1, 0, 0, 0, 2, 1, 3});

TEST(NonMaxSuppressionRef, FlippedCornersOverlapAndTiesKeepIndexOrder) {
  auto out = run_node("NonMaxSuppression", {kBoxes, f32({1, 1, 3}, {0.5f, 0.5f, 0.5f}),
                                            i64({1}, {3}), f32({1}, {0.5f})});
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<int64_t>(out[0]), (std::vector<int64_t>{0, 0, 0, 0, 0, 2}));
}

TEST(NonMaxSuppressionRef, ScoreThresholdIsStrict) {
  auto out = run_node("NonMaxSuppression", {kBoxes, f32({1, 1, 3}, {0.5f, 0.6f, 0.4f}),
                                            i64({1}, {3}), f32({1}, {0.5f}), f32({1}, {0.5f})});
  EXPECT_EQ(values<int64_t>(out[0]), (std::vector<int64_t>{0, 0, 1}));
}

TEST(NonMaxSuppressionRef, ZeroMaxOutputSelectsNothing) {
  auto out = run_node("NonMaxSuppression", {kBoxes, f32({1, 1, 3}, {0.5f, 0.6f, 0.4f})});
  EXPECT_EQ(out[0].dims(), (std::vector<int64_t>{0, 3}));
}

}  // namespace
}  // namespace trex
