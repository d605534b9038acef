// QuantizeLinear and DequantizeLinear reference kernels against hand-computed values: rounding
// half to even, saturation, the default uint8 output, per-axis parameters, int32 input.
#include <gtest/gtest.h>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using kernel_test::f32;
using kernel_test::run_node;
using kernel_test::values;

Tensor u8(std::vector<int64_t> dims, const std::vector<uint8_t>& v) {
  return Tensor::from_vector<uint8_t>(DType::kUInt8, std::move(dims), v);
}
Tensor s8(std::vector<int64_t> dims, const std::vector<int8_t>& v) {
  return Tensor::from_vector<int8_t>(DType::kInt8, std::move(dims), v);
}

TEST(QuantizeLinearRef, RoundsHalfToEvenAndSaturates) {
  // x / 0.5 = 1, 3, 5, -1, -3, 1000, -1000, 0.4 -> ties to even: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2.
  Tensor x = f32({8}, {0.25f, 0.75f, 1.25f, -0.25f, -0.75f, 500.0f, -500.0f, 0.2f});
  std::vector<Tensor> y = run_node("QuantizeLinear", {x, f32({}, {0.5f}), s8({}, {0})});
  ASSERT_EQ(y[0].dtype(), DType::kInt8);
  EXPECT_EQ(values<int8_t>(y[0]), (std::vector<int8_t>{0, 2, 2, 0, -2, 127, -128, 0}));
  // uint8 with zero point 10: round(x / 0.5) + 10, clamped to [0, 255].
  y = run_node("QuantizeLinear", {x, f32({}, {0.5f}), u8({}, {10})});
  EXPECT_EQ(values<uint8_t>(y[0]), (std::vector<uint8_t>{10, 12, 12, 10, 8, 255, 0, 10}));
}

TEST(QuantizeLinearRef, WithoutZeroPointIsUint8) {
  std::vector<Tensor> y =
      run_node("QuantizeLinear", {f32({3}, {-1.0f, 2.0f, 3.7f}), f32({}, {1.0f})});
  ASSERT_EQ(y[0].dtype(), DType::kUInt8);
  EXPECT_EQ(values<uint8_t>(y[0]), (std::vector<uint8_t>{0, 2, 4}));
}

TEST(QuantizeLinearRef, PerAxis) {
  // [2, 3] with scales per column (axis 1) and per row (axis 0).
  Tensor x = f32({2, 3}, {1.0f, 2.0f, 3.0f, -1.0f, -2.0f, -3.0f});
  std::vector<Tensor> y = run_node(
      "QuantizeLinear", {x, f32({3}, {1.0f, 0.5f, 0.25f}), s8({3}, {0, 1, -1})}, {{"axis", 1}});
  EXPECT_EQ(values<int8_t>(y[0]), (std::vector<int8_t>{1, 5, 11, -1, -3, -13}));
  y = run_node("QuantizeLinear", {x, f32({2}, {1.0f, 2.0f}), s8({2}, {0, 0})}, {{"axis", 0}});
  EXPECT_EQ(values<int8_t>(y[0]), (std::vector<int8_t>{1, 2, 3, 0, -1, -2}));  // -0.5 -> 0
}

TEST(DequantizeLinearRef, PerTensorPerAxisAndInt32) {
  std::vector<Tensor> y =
      run_node("DequantizeLinear", {u8({4}, {0, 10, 128, 255}), f32({}, {0.5f}), u8({}, {10})});
  kernel_test::expect_f32(y[0], {4}, {-5.0f, 0.0f, 59.0f, 122.5f});
  y = run_node("DequantizeLinear",
               {s8({2, 2}, {-128, 127, 4, -4}), f32({2}, {0.5f, 2.0f}), s8({2}, {0, 0})},
               {{"axis", 0}});
  kernel_test::expect_f32(y[0], {2, 2}, {-64.0f, 63.5f, 8.0f, -8.0f});
  y = run_node("DequantizeLinear", {kernel_test::i32({3}, {-70000, 0, 123}), f32({}, {0.01f})});
  kernel_test::expect_f32(y[0], {3}, {-700.0f, 0.0f, 1.23f});
}

TEST(DequantizeLinearRef, RejectsMismatchedScale) {
  EXPECT_NE(kernel_test::error_of([&] {
              run_node("DequantizeLinear", {s8({2, 3}, {0, 0, 0, 0, 0, 0}), f32({2}, {1.0f, 1.0f})},
                       {{"axis", 1}});
            }).find("does not match axis 1"),
            std::string::npos);
}

}  // namespace
}  // namespace trex
