// ConvTranspose reference kernel: hand-computed 1-D cases for strides with output_padding,
// pads, output_shape overriding pads (also with a negative total padding), and groups.
#include <gtest/gtest.h>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

// x = [1, 2, 3] scattered with kernel [1, 1, 1] at stride 2 gives the full output
// [1, 1, 3, 2, 5, 3, 3] (length 2 * (3 - 1) + 3 = 7).
const Tensor kX = f32({1, 1, 3}, {1, 2, 3});
const Tensor kW = f32({1, 1, 3}, {1, 1, 1});

TEST(ConvTransposeRef, StrideWithOutputPadding) {
  auto out =
      run_node("ConvTranspose", {kX, kW}, {{"strides", ints({2})}, {"output_padding", ints({1})}});
  EXPECT_EQ(values(out[0]), (std::vector<float>{1, 1, 3, 2, 5, 3, 3, 0}));
}

TEST(ConvTransposeRef, PadsCropTheFullOutput) {
  auto out = run_node("ConvTranspose", {kX, kW}, {{"strides", ints({2})}, {"pads", ints({1, 2})}});
  EXPECT_EQ(values(out[0]), (std::vector<float>{1, 3, 2, 5}));
}

TEST(ConvTransposeRef, OutputShapeOverridesPads) {
  // total padding 7 - 4 = 3: the odd one goes first unless auto_pad is SAME_UPPER.
  auto notset =
      run_node("ConvTranspose", {kX, kW},
               {{"strides", ints({2})}, {"pads", ints({0, 0})}, {"output_shape", ints({4})}});
  EXPECT_EQ(values(notset[0]), (std::vector<float>{3, 2, 5, 3}));
  auto upper = run_node(
      "ConvTranspose", {kX, kW},
      {{"strides", ints({2})}, {"output_shape", ints({4})}, {"auto_pad", Attribute("SAME_UPPER")}});
  EXPECT_EQ(values(upper[0]), (std::vector<float>{1, 3, 2, 5}));
  // A longer output_shape (total padding -1) extends the end with positions no input reaches.
  auto longer =
      run_node("ConvTranspose", {kX, kW}, {{"strides", ints({2})}, {"output_shape", ints({8})}});
  EXPECT_EQ(values(longer[0]), (std::vector<float>{1, 1, 3, 2, 5, 3, 3, 0}));
}

TEST(ConvTransposeRef, GroupsWithBias) {
  // Channel 0 [1, 2] * [1, 1] -> [1, 3, 2]; channel 1 [3, 4] * [1, -1] -> [3, 1, -4].
  auto out =
      run_node("ConvTranspose",
               {f32({1, 2, 2}, {1, 2, 3, 4}), f32({2, 1, 2}, {1, 1, 1, -1}), f32({2}, {10, 20})},
               {{"group", 2}});
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(values(out[0]), (std::vector<float>{11, 13, 12, 23, 21, 16}));
}

TEST(ConvTransposeRef, WeightChannelMismatchNamesTheNode) {
  EXPECT_EQ(error_of([] {
              run_node("ConvTranspose", {f32({1, 2, 2}, {1, 2, 3, 4}), f32({1, 1, 2}, {1, 1})});
            }),
            "node 'n' (ConvTranspose): X has 2 channels, W has 1");
}

}  // namespace
}  // namespace trex
