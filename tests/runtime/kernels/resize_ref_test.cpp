// Resize / Upsample reference kernel: Upsample-7 attribute scales, Resize-10's legacy
// nearest rounding (up when shrinking, down when enlarging), 1-D half_pixel and 5-D
// align_corners linear, tf_crop_and_resize extrapolation, and a non-positive scale.
#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(ResizeRef, Upsample7NearestFromAttribute) {
  auto out = run_node("Upsample", {f32({1, 1, 2, 2}, {1, 2, 3, 4})},
                      {{"scales", floats({1, 1, 2, 2})}}, 7);
  expect_f32(out[0], {1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
}

TEST(ResizeRef, Resize10ShrinkingNearestRoundsUp) {
  // Output coordinate 1 maps to 1 / 0.6 = 1.67, which opset 10 takes to column 2.
  auto out =
      run_node("Resize",
               {f32({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}), f32({4}, {1, 1, 0.6f, 0.6f})}, {}, 10);
  expect_f32(out[0], {1, 1, 1, 2}, {1, 3});
}

TEST(ResizeRef, Resize10EnlargingNearestTruncates) {
  // Output coordinate 2 maps to 2 / 3 = 0.67, which opset 10 takes to column 0.
  auto out = run_node("Resize", {f32({2}, {1, 2}), f32({1}, {3})}, {}, 10);
  expect_f32(out[0], {6}, {1, 1, 1, 2, 2, 2});
}

TEST(ResizeRef, HalfPixelLinear1D) {
  // Output x maps to (x + 0.5) / 2 - 0.5: -0.25, 0.25, 0.75, 1.25 (clamped at the ends).
  auto out = run_node("Resize", {f32({2}, {1, 3}), Tensor(), Tensor(), i64({1}, {4})},
                      {{"mode", "linear"}});
  expect_f32(out[0], {4}, {1, 1.5f, 2.5f, 3});
}

TEST(ResizeRef, AlignCornersLinear5D) {
  auto out = run_node(
      "Resize", {f32({1, 1, 2, 1, 1}, {0, 10}), Tensor(), Tensor(), i64({5}, {1, 1, 3, 1, 1})},
      {{"mode", "linear"}, {"coordinate_transformation_mode", "align_corners"}});
  expect_f32(out[0], {1, 1, 3, 1, 1}, {0, 5, 10});
}

TEST(ResizeRef, CropAndResizeExtrapolatesOutsideTheInput) {
  // x maps to x * 1.5 * 3 / 2 = 0, 2.25, 4.5; the last is past the input.
  auto out =
      run_node("Resize", {f32({4}, {1, 2, 3, 4}), f32({2}, {0, 1.5f}), Tensor(), i64({1}, {3})},
               {{"mode", "linear"},
                {"coordinate_transformation_mode", "tf_crop_and_resize"},
                {"extrapolation_value", 9.0f}});
  expect_f32(out[0], {3}, {1, 3.25f, 9});
}

TEST(ResizeRef, NonPositiveScaleIsAnError) {
  EXPECT_EQ(error_of([] {
              run_node("Resize", {f32({2}, {1, 2}), Tensor(), f32({1}, {0})});
            }),
            "node 'n' (Resize): scale 0.000000 of axis 0 is not a positive number");
}

}  // namespace
}  // namespace trex
