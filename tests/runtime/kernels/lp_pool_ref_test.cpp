// LpPool and GlobalLpPool reference kernel: p-norms over windows and over whole planes.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(LpPoolRef, TwoNormOverWindowsWithPads) {
  // Windows of 2 at stride 2 over [pad, 3, -4, 12, 5]: sqrt(9) = 3, sqrt(16 + 144), 5.
  auto out =
      run_node("LpPool", {f32({1, 1, 4}, {3, -4, 12, 5})},
               {{"kernel_shape", ints({2})}, {"strides", ints({2})}, {"pads", ints({1, 1})}});
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{1, 1, 3}));
  std::vector<float> y = values(out[0]);
  EXPECT_FLOAT_EQ(y[0], 3);
  EXPECT_FLOAT_EQ(y[1], std::sqrt(160.0f));
  EXPECT_FLOAT_EQ(y[2], 5);
}

TEST(LpPoolRef, GlobalOneNorm) {
  auto out = run_node("GlobalLpPool", {f32({1, 2, 2}, {1, -2, 3, -4})}, {{"p", 1}});
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{1, 2, 1}));
  EXPECT_EQ(values(out[0]), (std::vector<float>{3, 7}));
}

}  // namespace
}  // namespace trex
