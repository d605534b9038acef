// MeanVarianceNormalization reference kernel: statistics per channel over axes 0, 2, 3;
// a constant channel maps to 0 (the 1e-9 keeps it finite).
#include <gtest/gtest.h>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(MeanVarianceNormalizationRef, PerChannelDefaultAxes) {
  // Channel 0 holds 1, 3 (batch 0) and 1, 3 (batch 1): mean 2, std 1. Channel 1 is constant.
  auto out = run_node("MeanVarianceNormalization",
                      {f32({2, 2, 1, 2}, {1, 3, 10, 10, 1, 3, 10, 10})}, {}, 13);
  std::vector<float> y = values(out[0]);
  const std::vector<float> want{-1, 1, 0, 0, -1, 1, 0, 0};
  for (size_t i = 0; i < y.size(); ++i) EXPECT_FLOAT_EQ(y[i], want[i]) << i;
}

}  // namespace
}  // namespace trex
