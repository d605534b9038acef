// MatMul reference kernel: numpy batch broadcasting, 1-D operands promoted and their dim
// dropped, integer types, and a clear error for mismatched inner dims.
#include "runtime/kernels/kernel_test_util.h"

namespace trex {
namespace {

using namespace kernel_test;

TEST(MatMulRef, BatchDimsBroadcast) {
  // A[b,0] is (b+1) times the 3x4 "take row i of B" selector, B[c][k][j] = 10c + 2k + j,
  // so Y[b,c,i,j] = (b+1) * (10c + 2i + j).
  std::vector<float> a(2 * 3 * 4, 0), bv(5 * 4 * 2);
  for (int b = 0; b < 2; ++b)
    for (int i = 0; i < 3; ++i)
      a[static_cast<size_t>((b * 3 + i) * 4 + i)] = static_cast<float>(b + 1);
  for (int c = 0; c < 5; ++c)
    for (int k = 0; k < 4; ++k)
      for (int j = 0; j < 2; ++j)
        bv[static_cast<size_t>((c * 4 + k) * 2 + j)] = 10.0f * c + 2 * k + j;
  auto out = run_node("MatMul", {f32({2, 1, 3, 4}, a), f32({5, 4, 2}, bv)});
  ASSERT_EQ(out[0].dims(), (std::vector<int64_t>{2, 5, 3, 2}));
  const float* y = out[0].data<float>();
  for (int b = 0; b < 2; ++b)
    for (int c = 0; c < 5; ++c)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 2; ++j)
          EXPECT_EQ(y[((b * 5 + c) * 3 + i) * 2 + j], (b + 1) * (10.0f * c + 2 * i + j))
              << b << c << i << j;
  EXPECT_EQ(y[((1 * 5 + 4) * 3 + 2) * 2 + 1], 90.0f);
}

TEST(MatMulRef, VectorOperandsLoseTheirAddedDim) {
  auto vm = run_node("MatMul", {f32({3}, {1, 2, 3}), f32({3, 2}, {1, 2, 3, 4, 5, 6})});
  expect_f32(vm[0], {2}, {22, 28});
  auto mv = run_node("MatMul", {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3}, {1, 0, -1})});
  expect_f32(mv[0], {2}, {-2, -2});
  auto vv = run_node("MatMul", {f32({3}, {1, 2, 3}), f32({3}, {4, 5, 6})});
  expect_f32(vv[0], {}, {32});
}

TEST(MatMulRef, Int32) {
  auto out = run_node("MatMul", {i32({2, 2}, {1, 2, 3, 4}), i32({2, 2}, {5, 6, 7, 8})});
  EXPECT_EQ(values<int32_t>(out[0]), (std::vector<int32_t>{19, 22, 43, 50}));
}

TEST(MatMulRef, InnerDimMismatchNamesShapes) {
  EXPECT_EQ(error_of([] {
              run_node("MatMul",
                       {f32({2, 3}, std::vector<float>(6)), f32({4, 2}, std::vector<float>(8))});
            }),
            "node 'n' (MatMul): inner dimensions differ: A is [2,3], B is [4,2]");
}

}  // namespace
}  // namespace trex
