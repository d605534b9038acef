// OneHot reference kernel: float indices truncated, a negative index counted from the end,
// and the new axis placed first.
#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(OneHotRef, FloatAndNegativeIndicesOnAxis0) {
  auto out =
      run_node("OneHot", {f32({2}, {1.7f, -1}), f32({}, {3}), f32({2}, {0, 5})}, {{"axis", 0}}, 11);
  expect_f32(out[0], {3, 2}, {0, 0, 5, 0, 0, 5});
}

}  // namespace
}  // namespace trex
