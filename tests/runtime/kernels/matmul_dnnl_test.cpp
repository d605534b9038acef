// Differential test: the oneDNN MatMul against the reference kernel on random, odd-sized
// shapes: 2-D, batched, broadcast batch dims on either side, different ranks, 1-D operands,
// B constant (pre-packed) or not, and shapes the reference kernel takes over (empty dims).
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"
#include "util/error.h"

namespace trex {
namespace {

using dnnl_test::random_f32;

void expect_match(const std::vector<int64_t>& a_dims, const std::vector<int64_t>& b_dims,
                  bool b_constant, const std::vector<int64_t>& want_dims) {
  const std::string what = Shape::from_static(a_dims).to_string() + " x " +
                           Shape::from_static(b_dims).to_string() +
                           (b_constant ? " (constant B)" : "");
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* a = b.input("a", DType::kFloat32, Shape::from_static(a_dims));
  Tensor bt = random_f32(b_dims, 5, -1.0f, 1.0f);
  Value* bv =
      b_constant ? b.constant("b", bt) : b.input("b", DType::kFloat32, Shape::from_static(b_dims));
  b.output(b.op("MatMul", {a, bv}, {}, "mm"), "y");
  dnnl_test::DifferentialSessions s(g);
  ASSERT_EQ(s.optimized.kernel_choices()[0], "mm (MatMul): dnnl") << what;
  std::map<std::string, Tensor> feeds = {{"a", random_f32(a_dims, 6, -1.0f, 1.0f)}};
  if (!b_constant) feeds["b"] = bt;
  // Empty operands are the reference kernel's (inside the oneDNN kernel).
  const bool empty =
      std::count(a_dims.begin(), a_dims.end(), 0) + std::count(b_dims.begin(), b_dims.end(), 0) > 0;
  for (int rep = 0; rep < 2; ++rep) {  // the second run reuses the cached primitive
    std::string log;
    std::vector<Tensor> got =
        s.expect_match(feeds, what, dnnl_test::Tolerance::absolute(1e-4f), &log);
    EXPECT_EQ(log.find("matmul") != std::string::npos, !empty) << what << "\n" << log;
    ASSERT_EQ(got.size(), 1u) << what;
    ASSERT_EQ(got[0].dims(), want_dims) << what;
  }
}

TEST(MatMulDnnl, MatchesReferenceOnOddShapes) {
  for (bool c : {false, true}) {
    expect_match({7, 13}, {13, 5}, c, {7, 5});
    expect_match({3, 7, 13}, {3, 13, 5}, c, {3, 7, 5});
    expect_match({3, 7, 13}, {13, 5}, c, {3, 7, 5});            // B broadcast over batch
    expect_match({7, 13}, {2, 3, 13, 5}, c, {2, 3, 7, 5});      // A broadcast
    expect_match({2, 1, 7, 9}, {1, 3, 9, 4}, c, {2, 3, 7, 4});  // both broadcast
    expect_match({13}, {13, 5}, c, {5});                        // 1-D A
    expect_match({3, 7, 13}, {13}, c, {3, 7});                  // 1-D B
    expect_match({13}, {13}, c, {});                            // dot product
    expect_match({2, 3, 1, 4, 5, 6}, {3, 7, 1, 6, 2}, c, {2, 3, 7, 4, 5, 2});  // rank 6
    expect_match({3, 0, 13}, {13, 5}, c, {3, 0, 5});                           // empty: reference
    expect_match({3, 4, 0}, {0, 5}, c, {3, 4, 5});                             // K = 0: zeros
  }
}

TEST(MatMulDnnl, BadShapesNameTheNode) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* a = b.input("a", DType::kFloat32, Shape({Dim::symbolic("M"), 4}));
  b.output(b.op("MatMul", {a, b.constant("b", random_f32({5, 3}, 1, -1.0f, 1.0f))}, {}, "mm"), "y");
  Session fast(g, {});
  ASSERT_EQ(fast.kernel_choices()[0], "mm (MatMul): dnnl");
  try {
    fast.run({{"a", random_f32({2, 4}, 2, -1.0f, 1.0f)}});
    FAIL() << "no error for mismatched inner dims";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'mm' (MatMul)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace trex
