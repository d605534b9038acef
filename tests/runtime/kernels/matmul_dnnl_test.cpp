// Differential test: the oneDNN MatMul against the reference kernel on random, odd-sized
// shapes: 2-D, batched, broadcast batch dims on either side, different ranks, 1-D operands,
// B constant (pre-packed) or not, and shapes the reference kernel takes over (empty dims).
#include <gtest/gtest.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "ir/builder.h"
#include "runtime/session.h"
#include "util/error.h"

namespace trex {
namespace {

Tensor random_f32(const std::vector<int64_t>& dims, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  Tensor t(DType::kFloat32, dims);
  for (int64_t i = 0; i < t.numel(); ++i) t.mutable_data<float>()[i] = d(rng);
  return t;
}

void expect_match(const std::vector<int64_t>& a_dims, const std::vector<int64_t>& b_dims,
                  bool b_constant, const std::vector<int64_t>& want_dims) {
  const std::string what = Shape::from_static(a_dims).to_string() + " x " +
                           Shape::from_static(b_dims).to_string() +
                           (b_constant ? " (constant B)" : "");
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* a = b.input("a", DType::kFloat32, Shape::from_static(a_dims));
  Tensor bt = random_f32(b_dims, 5);
  Value* bv =
      b_constant ? b.constant("b", bt) : b.input("b", DType::kFloat32, Shape::from_static(b_dims));
  b.output(b.op("MatMul", {a, bv}, {}, "mm"), "y");
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  Session ref(g, ref_opts), fast(g, {});
  ASSERT_EQ(fast.kernel_choices()[0], "mm (MatMul): dnnl") << what;
  std::map<std::string, Tensor> feeds = {{"a", random_f32(a_dims, 6)}};
  if (!b_constant) feeds["b"] = bt;
  for (int rep = 0; rep < 2; ++rep) {  // the second run reuses the cached primitive
    Tensor want = ref.run(feeds)[0];
    dnnl::set_verbose(1);
    testing::internal::CaptureStdout();
    Tensor got = fast.run(feeds)[0];
    const std::string log = testing::internal::GetCapturedStdout();
    dnnl::set_verbose(0);
    // Empty operands are the reference kernel's (inside the oneDNN kernel).
    const bool empty =
        std::count(a_dims.begin(), a_dims.end(), 0) + std::count(b_dims.begin(), b_dims.end(), 0) >
        0;
    EXPECT_EQ(log.find("matmul") != std::string::npos, !empty) << what << "\n" << log;
    ASSERT_EQ(got.dims(), want_dims) << what;
    ASSERT_EQ(want.dims(), got.dims()) << what;
    for (int64_t k = 0; k < want.numel(); ++k)
      ASSERT_NEAR(want.data<float>()[k], got.data<float>()[k], 1e-4f) << what << " element " << k;
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
  b.output(b.op("MatMul", {a, b.constant("b", random_f32({5, 3}, 1))}, {}, "mm"), "y");
  Session fast(g, {});
  ASSERT_EQ(fast.kernel_choices()[0], "mm (MatMul): dnnl");
  try {
    fast.run({{"a", random_f32({2, 4}, 2)}});
    FAIL() << "no error for mismatched inner dims";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'mm' (MatMul)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace trex
