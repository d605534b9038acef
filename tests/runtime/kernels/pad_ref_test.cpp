// Pad reference kernel: negative pads crop before the mode applies, reflect beyond the
// input's length, edge on 2-D, the pre-opset-11 attributes, and pads that leave no axis.
#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

const Tensor kRow = f32({5}, {1, 2, 3, 4, 5});

TEST(PadRef, NegativePadCropsConstantPadFills) {
  auto out = run_node("Pad", {kRow, i64({2}, {-1, 2}), f32({}, {9})});
  expect_f32(out[0], {6}, {2, 3, 4, 5, 9, 9});
}

TEST(PadRef, ReflectMirrorsTheCroppedAxis) {
  auto out = run_node("Pad", {kRow, i64({2}, {-1, 3})}, {{"mode", "reflect"}});
  expect_f32(out[0], {7}, {2, 3, 4, 5, 4, 3, 2});
}

TEST(PadRef, ReflectFurtherThanTheAxisKeepsMirroring) {
  auto out = run_node("Pad", {f32({3}, {1, 2, 3}), i64({2}, {4, 0})}, {{"mode", "reflect"}});
  expect_f32(out[0], {7}, {1, 2, 3, 2, 1, 2, 3});
}

TEST(PadRef, Edge2D) {
  auto out =
      run_node("Pad", {f32({2, 2}, {1, 2, 3, 4}), i64({4}, {1, 0, 0, 1})}, {{"mode", "edge"}});
  expect_f32(out[0], {3, 3}, {1, 2, 2, 1, 2, 2, 3, 4, 4});
}

TEST(PadRef, Opset2AttributesWithValue) {
  auto out = run_node("Pad", {f32({2}, {1, 2})}, {{"pads", ints({1, 1})}, {"value", 7.0f}}, 2);
  expect_f32(out[0], {4}, {7, 1, 2, 7});
}

TEST(PadRef, CroppingMoreThanTheAxisIsAnError) {
  EXPECT_EQ(error_of([] {
              run_node("Pad", {f32({2}, {1, 2}), i64({2}, {-3, 0})});
            }),
            "node 'n' (Pad): pads -3, 0 leave axis 0 with a negative size");
}

}  // namespace
}  // namespace trex
