// Softmax, LogSoftmax and Hardmax reference kernels: the 2-D coercion before opset 13 versus
// the single axis from 13, Hardmax's first-maximum tie rule, and a bad axis.
#include <cmath>

#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

// exp() of these is [1, 3, 2, 2].
const Tensor kX = f32({2, 2}, {0.0f, std::log(3.0f), std::log(2.0f), std::log(2.0f)});

TEST(SoftmaxRef, Opset11Axis0NormalizesEverythingFromTheAxisOn) {
  auto out = run_node("Softmax", {kX}, {{"axis", 0}}, 11);
  expect_f32(out[0], {2, 2}, {0.125f, 0.375f, 0.25f, 0.25f});
}

TEST(SoftmaxRef, Opset13Axis0NormalizesColumns) {
  auto out = run_node("Softmax", {kX}, {{"axis", 0}}, 13);
  expect_f32(out[0], {2, 2}, {1.0f / 3, 0.6f, 2.0f / 3, 0.4f});
}

TEST(SoftmaxRef, Opset11DefaultAxisIsOne) {
  auto out = run_node("Softmax", {kX.reshaped({2, 1, 2})}, {}, 11);
  expect_f32(out[0], {2, 1, 2}, {0.25f, 0.75f, 0.5f, 0.5f});
}

TEST(SoftmaxRef, LogSoftmax) {
  auto out = run_node("LogSoftmax", {f32({2}, {0.0f, std::log(3.0f)})});
  expect_f32(out[0], {2}, {std::log(0.25f), std::log(0.75f)});
}

TEST(SoftmaxRef, HardmaxTiesGoToTheFirstMaximum) {
  auto out = run_node("Hardmax", {f32({2, 3}, {3, 1, 3, 0, 2, 2})});
  expect_f32(out[0], {2, 3}, {1, 0, 0, 0, 1, 0});
}

TEST(SoftmaxRef, AxisOutOfRange) {
  EXPECT_EQ(error_of([] {
              run_node("Softmax", {kX}, {{"axis", 2}});
            }),
            "node 'n' (Softmax): axis 2 is out of range for rank 2");
}

}  // namespace
}  // namespace trex
