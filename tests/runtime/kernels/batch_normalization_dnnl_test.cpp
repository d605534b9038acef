// Differential test: the oneDNN BatchNormalization against the reference kernel on random,
// odd-sized shapes (rank 2 to 5), also between oneDNN convolutions so its input and output
// are channels-last in every combination.
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"

namespace trex {
namespace {

using dnnl_test::expect_matches_reference;
using dnnl_test::random_f32;
using dnnl_test::Tolerance;

/// BatchNormalization of X (with `dims`) by random constant statistics.
Value* add_bn(GraphBuilder& b, Value* x, int64_t channels, const std::string& name) {
  return b.op("BatchNormalization",
              {x, b.constant(name + "_scale", random_f32({channels}, 1, -1.0f, 1.0f)),
               b.constant(name + "_b", random_f32({channels}, 2, -1.0f, 1.0f)),
               b.constant(name + "_mean", random_f32({channels}, 3, -1.0f, 1.0f)),
               b.constant(name + "_var", random_f32({channels}, 4, 0.1f, 2.0f))},
              {{"epsilon", 1e-3f}}, name);
}

TEST(BatchNormalizationDnnl, MatchesReferenceOnOddShapes) {
  const std::vector<std::vector<int64_t>> shapes = {
      {3, 7}, {2, 5, 11}, {1, 3, 7, 9}, {2, 17, 5, 3}, {1, 4, 3, 5, 7}};
  for (const auto& dims : shapes) {
    const std::string what = Shape::from_static(dims).to_string();
    auto g = std::make_shared<Graph>();
    GraphBuilder b(*g);
    Value* x = b.input("x", DType::kFloat32, Shape::from_static(dims));
    b.output(add_bn(b, x, dims[1], "bn"), "y");
    auto choices = expect_matches_reference(g, {{"x", random_f32(dims, 42, -1.0f, 1.0f)}}, what,
                                            Tolerance::relative_to_largest(1e-5f));
    EXPECT_EQ(choices, std::vector<std::string>{"bn (BatchNormalization): dnnl"}) << what;
  }
}

/// x -> [Conv] -> BN -> [Conv] -> y, with the convolutions present or not, so BN sees each
/// combination of plain and channels-last input and output.
TEST(BatchNormalizationDnnl, ChannelsLastBetweenConvolutions) {
  const std::vector<int64_t> dims = {2, 6, 7, 5};
  const Tensor w = random_f32({6, 6, 1, 1}, 9, -1.0f, 1.0f);
  dnnl_test::expect_channels_last_between_convolutions(
      random_f32(dims, 42, -1.0f, 1.0f),
      [](GraphBuilder& b, Value* v) { return add_bn(b, v, 6, "bn"); }, dims,
      "bn (BatchNormalization): dnnl", w, w, Tolerance::relative_to_largest(1e-5f));
}

TEST(BatchNormalizationDnnl, NonConstantStatisticsUseReference) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape{1, 3, 4, 4});
  Value* s = b.input("s", DType::kFloat32, Shape{3});
  b.output(b.op("BatchNormalization",
                {x, s, b.constant("b", random_f32({3}, 2, -1.0f, 1.0f)),
                 b.constant("m", random_f32({3}, 3, -1.0f, 1.0f)),
                 b.constant("v", random_f32({3}, 4, 0.1f, 1.0f))},
                {}, "bn"),
           "y");
  Session fast(g, {});
  EXPECT_EQ(fast.kernel_choices()[0], "bn (BatchNormalization): reference");
}

}  // namespace
}  // namespace trex
