// CumSum reference kernel: exclusive and reverse together along axis 0 of a matrix, with
// the axis as an int32 tensor.
#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(CumSumRef, ExclusiveReverseAlongRows) {
  auto out = run_node("CumSum", {f32({3, 2}, {1, 2, 3, 4, 5, 6}), i32({}, {0})},
                      {{"exclusive", 1}, {"reverse", 1}});
  expect_f32(out[0], {3, 2}, {8, 10, 5, 6, 0, 0});
}

TEST(CumSumRef, NegativeAxisInt64) {
  auto out = run_node("CumSum", {i64({2, 2}, {1, 2, 3, 4}), i64({1}, {-1})});
  EXPECT_EQ(values<int64_t>(out[0]), (std::vector<int64_t>{1, 3, 3, 7}));
}

}  // namespace
}  // namespace trex
