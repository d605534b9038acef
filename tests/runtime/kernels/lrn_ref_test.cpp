// LRN reference kernel: the channel window is asymmetric for an even size (one channel
// before c is floor((size-1)/2) = 0, after is 1) and clipped at the last channel.
#include <gtest/gtest.h>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(LrnRef, EvenSizeWindowLooksAhead) {
  // Squares summed: c0 = 1 + 4, c1 = 4 + 9, c2 = 9; denominators 1 + 2 / 2 * sum.
  auto out = run_node("LRN", {f32({1, 3, 1, 1}, {1, 2, 3})},
                      {{"size", 2}, {"alpha", 2.0f}, {"beta", 1.0f}, {"bias", 1.0f}});
  std::vector<float> y = values(out[0]);
  EXPECT_FLOAT_EQ(y[0], 1.0f / 6);
  EXPECT_FLOAT_EQ(y[1], 2.0f / 14);
  EXPECT_FLOAT_EQ(y[2], 3.0f / 10);
}

}  // namespace
}  // namespace trex
