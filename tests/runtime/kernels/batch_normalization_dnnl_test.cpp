// Differential test: the oneDNN BatchNormalization against the reference kernel on random,
// odd-sized shapes (rank 2 to 5), also between oneDNN convolutions so its input and output
// are channels-last in every combination.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "ir/builder.h"
#include "runtime/session.h"

namespace trex {
namespace {

Tensor random_f32(const std::vector<int64_t>& dims, uint32_t seed, float lo = -1.0f,
                  float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t(DType::kFloat32, dims);
  for (int64_t i = 0; i < t.numel(); ++i) t.mutable_data<float>()[i] = d(rng);
  return t;
}

/// BatchNormalization of X (with `dims`) by random constant statistics.
Value* add_bn(GraphBuilder& b, Value* x, int64_t channels, const std::string& name) {
  return b.op("BatchNormalization",
              {x, b.constant(name + "_scale", random_f32({channels}, 1)),
               b.constant(name + "_b", random_f32({channels}, 2)),
               b.constant(name + "_mean", random_f32({channels}, 3)),
               b.constant(name + "_var", random_f32({channels}, 4, 0.1f, 2.0f))},
              {{"epsilon", 1e-3f}}, name);
}

void expect_match(const std::shared_ptr<Graph>& g, const std::vector<int64_t>& x_dims,
                  const std::vector<std::string>& choices, const std::string& what) {
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  Session ref(g, ref_opts), fast(g, {});
  ASSERT_EQ(fast.kernel_choices(), choices) << what;
  Tensor x = random_f32(x_dims, 42);
  Tensor want = ref.run({{"x", x}})[0], got = fast.run({{"x", x}})[0];
  ASSERT_EQ(want.dims(), got.dims()) << what;
  float scale = 1.0f, diff = 0.0f;
  for (int64_t k = 0; k < want.numel(); ++k) {
    scale = std::max(scale, std::fabs(want.data<float>()[k]));
    diff = std::max(diff, std::fabs(want.data<float>()[k] - got.data<float>()[k]));
  }
  EXPECT_LE(diff, 1e-5f * scale) << what;
}

TEST(BatchNormalizationDnnl, MatchesReferenceOnOddShapes) {
  const std::vector<std::vector<int64_t>> shapes = {
      {3, 7}, {2, 5, 11}, {1, 3, 7, 9}, {2, 17, 5, 3}, {1, 4, 3, 5, 7}};
  for (const auto& dims : shapes) {
    auto g = std::make_shared<Graph>();
    GraphBuilder b(*g);
    Value* x = b.input("x", DType::kFloat32, Shape::from_static(dims));
    b.output(add_bn(b, x, dims[1], "bn"), "y");
    expect_match(g, dims, {"bn (BatchNormalization): dnnl"}, Shape::from_static(dims).to_string());
  }
}

/// x -> [Conv] -> BN -> [Conv] -> y, with the convolutions present or not, so BN sees each
/// combination of plain and channels-last input and output.
TEST(BatchNormalizationDnnl, ChannelsLastBetweenConvolutions) {
  const std::vector<int64_t> dims = {2, 6, 7, 5};
  for (bool conv_before : {false, true})
    for (bool conv_after : {false, true}) {
      auto g = std::make_shared<Graph>();
      GraphBuilder b(*g);
      Value* v = b.input("x", DType::kFloat32, Shape::from_static(dims));
      std::vector<std::string> choices;
      auto conv = [&](Value* in, const std::string& name) {
        Value* out =
            b.op("Conv", {in, b.constant(name + "_w", random_f32({6, 6, 1, 1}, 9))}, {}, name);
        out->set_type({DType::kFloat32, Shape::from_static(dims)});
        return out;
      };
      if (conv_before) v = conv(v, "c1");
      v = add_bn(b, v, 6, "bn");
      v->set_type({DType::kFloat32, Shape::from_static(dims)});
      if (conv_after) v = conv(v, "c2");
      b.output(v, "y");
      if (conv_before) choices.push_back("c1 (Conv): dnnl, channels-last");
      choices.push_back(std::string("bn (BatchNormalization): dnnl") +
                        (conv_after ? ", channels-last" : ""));
      if (conv_after) choices.push_back("c2 (Conv): dnnl");
      expect_match(
          g, dims, choices,
          "before=" + std::to_string(conv_before) + " after=" + std::to_string(conv_after));
    }
}

TEST(BatchNormalizationDnnl, NonConstantStatisticsUseReference) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape{1, 3, 4, 4});
  Value* s = b.input("s", DType::kFloat32, Shape{3});
  b.output(b.op("BatchNormalization",
                {x, s, b.constant("b", random_f32({3}, 2)), b.constant("m", random_f32({3}, 3)),
                 b.constant("v", random_f32({3}, 4, 0.1f, 1.0f))},
                {}, "bn"),
           "y");
  Session fast(g, {});
  EXPECT_EQ(fast.kernel_choices()[0], "bn (BatchNormalization): reference");
}

}  // namespace
}  // namespace trex
