// BatchNormalization reference kernel: per-channel inference, opset 7 spatial = 0 (one
// statistic per position), and training mode refused at load naming the node.
#include <gtest/gtest.h>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(BatchNormalizationRef, PerChannelInference) {
  auto out = run_node("BatchNormalization",
                      {f32({1, 2, 2}, {1, 2, 3, 4}), f32({2}, {2, 0.5f}), f32({2}, {1, -1}),
                       f32({2}, {1.5f, 3}), f32({2}, {0.25f, 4})},
                      {{"epsilon", 0.0f}}, 15);
  // (x - mean) / sqrt(var) * scale + B
  EXPECT_EQ(values(out[0]), (std::vector<float>{-1, 3, -1, -0.75f}));
}

TEST(BatchNormalizationRef, Opset7SpatialZeroHasStatisticsPerPosition) {
  auto out =
      run_node("BatchNormalization",
               {f32({1, 2, 2}, {1, 2, 3, 4}), f32({2, 2}, {1, 2, 3, 4}), f32({2, 2}, {0, 0, 0, 1}),
                f32({2, 2}, {0, 1, 2, 3}), f32({2, 2}, {1, 1, 1, 1})},
               {{"epsilon", 0.0f}, {"spatial", 0}}, 7);
  EXPECT_EQ(values(out[0]), (std::vector<float>{1, 2, 3, 5}));
}

TEST(BatchNormalizationRef, TrainingModeIsUnsupportedAtLoad) {
  std::string err = error_of([] {
    run_node("BatchNormalization",
             {f32({1, 1, 1}, {1}), f32({1}, {1}), f32({1}, {0}), f32({1}, {0}), f32({1}, {1})},
             {{"training_mode", 1}}, 15, 3);
  });
  EXPECT_EQ(err,
            "node 'n' (BatchNormalization): training mode (statistics outputs) is not supported; "
            "export the model in inference mode");
}

}  // namespace
}  // namespace trex
