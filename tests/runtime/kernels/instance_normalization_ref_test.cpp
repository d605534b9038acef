// InstanceNormalization reference kernel: per-plane statistics, per-channel scale and B.
#include <gtest/gtest.h>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(InstanceNormalizationRef, PlanesUseTheirOwnMeanAndVariance) {
  // Plane 0: mean 2, variance 4; plane 1: mean 5, variance 1.
  auto out =
      run_node("InstanceNormalization",
               {f32({1, 2, 4}, {0, 0, 4, 4, 4, 6, 4, 6}), f32({2}, {3, 1}), f32({2}, {1, 0})},
               {{"epsilon", 0.0f}});
  EXPECT_EQ(values(out[0]), (std::vector<float>{-2, -2, 4, 4, -1, 1, -1, 1}));
}

}  // namespace
}  // namespace trex
