// Split reference kernel: sizes from the opset-13 input including an empty piece, and an
// axis that does not divide evenly.
#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(SplitRef, SizesInputWithAnEmptyPiece) {
  auto out = run_node("Split", {f32({2, 3}, {1, 2, 3, 4, 5, 6}), i64({3}, {1, 0, 2})},
                      {{"axis", 1}}, 13, 3);
  expect_f32(out[0], {2, 1}, {1, 4});
  expect_f32(out[1], {2, 0}, {});
  expect_f32(out[2], {2, 2}, {2, 3, 5, 6});
}

TEST(SplitRef, UnevenEqualSplitIsAnError) {
  EXPECT_EQ(error_of([] {
              run_node("Split", {f32({5}, {1, 2, 3, 4, 5})}, {}, 13, 2);
            }),
            "node 'n' (Split): axis of size 5 does not split evenly into 2 outputs");
}

}  // namespace
}  // namespace trex
