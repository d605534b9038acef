// LayerNormalization reference kernel: normalization over the last axis with Scale and B,
// and the Mean and InvStdDev outputs with their kept-rank shape.
#include <gtest/gtest.h>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(LayerNormalizationRef, LastAxisWithStatisticsOutputs) {
  // Row 0: mean 2, variance 1; row 1: mean 4, variance 4.
  auto out = run_node("LayerNormalization",
                      {f32({2, 2}, {1, 3, 2, 6}), f32({2}, {2, 3}), f32({2}, {0.5f, 0})},
                      {{"epsilon", 0.0f}}, 17, 3);
  EXPECT_EQ(values(out[0]), (std::vector<float>{-1.5f, 3, -1.5f, 3}));
  ASSERT_EQ(out[1].dims(), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(out[1].dtype(), DType::kFloat32);
  EXPECT_EQ(values(out[1]), (std::vector<float>{2, 4}));
  EXPECT_EQ(values(out[2]), (std::vector<float>{1, 0.5f}));
}

TEST(LayerNormalizationRef, AxisZeroNormalizesEverythingWithBroadcastScale) {
  // All four values: mean 2, variance 4; Scale [2] broadcasts to [2, 2].
  auto out = run_node("LayerNormalization", {f32({2, 2}, {0, 4, 0, 4}), f32({1}, {2})},
                      {{"axis", 0}, {"epsilon", 0.0f}});
  EXPECT_EQ(values(out[0]), (std::vector<float>{-2, 2, -2, 2}));
}

}  // namespace
}  // namespace trex
