// Gemm reference kernel: C broadcast from [1, N] and [M, 1], alpha and beta, transposed
// operands, and a C that cannot broadcast.
#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

// A = [[1,2,3],[4,5,6]], B = [[1,0],[0,1],[1,1]]: A*B = [[4,5],[10,11]].
const Tensor kA = f32({2, 3}, {1, 2, 3, 4, 5, 6});
const Tensor kB = f32({3, 2}, {1, 0, 0, 1, 1, 1});

TEST(GemmRef, RowBiasBroadcastsOverRows) {
  auto out = run_node("Gemm", {kA, kB, f32({1, 2}, {10, 20})});
  expect_f32(out[0], {2, 2}, {14, 25, 20, 31});
}

TEST(GemmRef, ColumnBiasWithAlphaAndBeta) {
  auto out = run_node("Gemm", {kA, kB, f32({2, 1}, {100, 200})}, {{"alpha", 2.0f}, {"beta", 0.5f}});
  expect_f32(out[0], {2, 2}, {58, 60, 120, 122});
}

TEST(GemmRef, TransposedOperandsWithoutC) {
  auto out = run_node("Gemm", {f32({3, 2}, {1, 4, 2, 5, 3, 6}), f32({2, 3}, {1, 0, 1, 0, 1, 1})},
                      {{"transA", 1}, {"transB", 1}});
  expect_f32(out[0], {2, 2}, {4, 5, 10, 11});
}

TEST(GemmRef, CThatDoesNotBroadcastIsAnError) {
  EXPECT_EQ(error_of([] {
              run_node("Gemm", {kA, kB, f32({3}, {1, 2, 3})});
            }),
            "node 'n' (Gemm): C does not broadcast to [2,2]");
}

}  // namespace
}  // namespace trex
