// MaxPool reference kernel: ceil_mode (and its dropped all-padding window), the Indices
// output in row- and column-major storage order across channels, and uint8 input.
#include <gtest/gtest.h>

#include <numeric>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

std::vector<int64_t> indices(const Tensor& t) {
  return std::vector<int64_t>(t.data<int64_t>(), t.data<int64_t>() + t.numel());
}

Tensor two_ramps() {  // 1x2x4x4: channel 0 holds 1..16, channel 1 holds 17..32
  std::vector<float> v(32);
  std::iota(v.begin(), v.end(), 1.0f);
  return f32({1, 2, 4, 4}, v);
}

TEST(MaxPoolRef, CeilModeWithRowMajorIndices) {
  AttrList attrs{{"kernel_shape", ints({3, 3})}, {"strides", ints({2, 2})}, {"ceil_mode", 1}};
  auto out = run_node("MaxPool", {two_ramps()}, attrs, 17, 2);
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{1, 2, 2, 2}));
  EXPECT_EQ(values(out[0]), (std::vector<float>{11, 12, 15, 16, 27, 28, 31, 32}));
  EXPECT_EQ(out[1].dtype(), DType::kInt64);
  EXPECT_EQ(indices(out[1]), (std::vector<int64_t>{10, 11, 14, 15, 26, 27, 30, 31}));
  // Without ceil_mode only the first window fits.
  auto floor_out = run_node("MaxPool", {two_ramps()},
                            {{"kernel_shape", ints({3, 3})}, {"strides", ints({2, 2})}});
  EXPECT_EQ(values(floor_out[0]), (std::vector<float>{11, 27}));
}

TEST(MaxPoolRef, ColumnMajorIndices) {
  AttrList attrs{{"kernel_shape", ints({3, 3})},
                 {"strides", ints({2, 2})},
                 {"ceil_mode", 1},
                 {"storage_order", 1}};
  auto out = run_node("MaxPool", {two_ramps()}, attrs, 17, 2);
  // (h, w) maps to w * 4 + h within a plane; plane 1 starts at 16.
  EXPECT_EQ(indices(out[1]), (std::vector<int64_t>{10, 14, 11, 15, 26, 30, 27, 31}));
}

TEST(MaxPoolRef, CeilModeDropsAWindowStartingInTheEndPad) {
  auto out = run_node("MaxPool", {f32({1, 1, 4}, {1, 2, 3, 4})},
                      {{"kernel_shape", ints({2})},
                       {"strides", ints({2})},
                       {"pads", ints({0, 1})},
                       {"ceil_mode", 1}});
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{1, 1, 2}));
  EXPECT_EQ(values(out[0]), (std::vector<float>{2, 4}));
}

TEST(MaxPoolRef, Uint8WithDilation) {
  Tensor x = Tensor::from_vector<uint8_t>(DType::kUInt8, {1, 1, 5}, {9, 200, 3, 7, 250});
  auto out = run_node("MaxPool", {x}, {{"kernel_shape", ints({2})}, {"dilations", ints({2})}});
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{1, 1, 3}));
  const uint8_t* y = out[0].data<uint8_t>();
  EXPECT_EQ(y[0], 9);    // max(9, 3)
  EXPECT_EQ(y[1], 200);  // max(200, 7)
  EXPECT_EQ(y[2], 250);  // max(3, 250)
}

}  // namespace
}  // namespace trex
