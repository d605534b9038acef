// Dropout reference kernel: identity with an all-true mask in inference, a ones mask of the
// input's type before opset 10, training with ratio 0 allowed, random training refused.
#include <gtest/gtest.h>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

Tensor flag(bool v) {
  return Tensor::from_vector<uint8_t>(DType::kBool, {}, {uint8_t(v)});
}

TEST(DropoutRef, InferenceIsIdentityWithTrueMask) {
  auto out = run_node("Dropout", {f32({3}, {1, -2, 3}), Tensor::scalar_f32(0.3f)}, {}, 13, 2);
  EXPECT_EQ(values(out[0]), (std::vector<float>{1, -2, 3}));
  ASSERT_EQ(out[1].dtype(), DType::kBool);
  EXPECT_EQ(out[1].get_int64(0) + out[1].get_int64(1) + out[1].get_int64(2), 3);
}

TEST(DropoutRef, Opset7MaskHasTheInputType) {
  auto out = run_node("Dropout", {f32({2}, {4, 5})}, {{"ratio", 0.5f}}, 7, 2);
  ASSERT_EQ(out[1].dtype(), DType::kFloat32);
  EXPECT_EQ(values(out[1]), (std::vector<float>{1, 1}));
}

TEST(DropoutRef, TrainingOnlyWithZeroRatio) {
  auto out = run_node("Dropout", {f32({2}, {4, 5}), Tensor::scalar_f32(0), flag(true)}, {}, 13);
  EXPECT_EQ(values(out[0]), (std::vector<float>{4, 5}));
  EXPECT_EQ(error_of([] {
              run_node("Dropout", {f32({2}, {4, 5}), Tensor::scalar_f32(0.5f), flag(true)}, {}, 13);
            }),
            "node 'n' (Dropout): training mode (random dropout) is not supported");
}

}  // namespace
}  // namespace trex
