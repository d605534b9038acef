// ScatterElements reference kernel: duplicate indices combined by add and mul (opset 16),
// and an index out of range.
#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(ScatterElementsRef, DuplicatesCombine) {
  const Tensor data = f32({3}, {1, 1, 1});
  const Tensor idx = i64({3}, {1, 1, 2});
  const Tensor upd = f32({3}, {2, 3, 4});
  expect_f32(run_node("ScatterElements", {data, idx, upd}, {{"reduction", "add"}}, 16)[0], {3},
             {1, 6, 5});
  expect_f32(run_node("ScatterElements", {data, idx, upd}, {{"reduction", "mul"}}, 16)[0], {3},
             {1, 6, 4});
}

TEST(ScatterElementsRef, IndexOutOfRange) {
  EXPECT_EQ(error_of([] {
              run_node("ScatterElements", {f32({2}, {0, 0}), i64({1}, {2}), f32({1}, {5})});
            }),
            "node 'n' (ScatterElements): index 2 is out of range for axis 0 of size 2");
}

}  // namespace
}  // namespace trex
