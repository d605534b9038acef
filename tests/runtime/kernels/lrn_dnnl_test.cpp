// Differential test: the oneDNN LRN against the reference kernel on random, odd-sized shapes
// (rank 2 to 5, odd window sizes, size beyond the channel count), between convolutions so
// its input and output are channels-last, and even sizes staying on the reference kernel.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ir/builder.h"
#include "runtime/session.h"

namespace trex {
namespace {

Tensor random_f32(const std::vector<int64_t>& dims, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-3.0f, 3.0f);
  Tensor t(DType::kFloat32, dims);
  for (int64_t i = 0; i < t.numel(); ++i) t.mutable_data<float>()[i] = d(rng);
  return t;
}

AttrList lrn_attrs(int64_t size) {
  return {{"size", size}, {"alpha", 0.3f}, {"beta", 0.6f}, {"bias", 1.5f}};
}

void expect_match(const std::shared_ptr<Graph>& g, const std::vector<int64_t>& dims,
                  const std::vector<std::string>& choices, const std::string& what) {
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  Session ref(g, ref_opts), fast(g, {});
  ASSERT_EQ(fast.kernel_choices(), choices) << what;
  Tensor in = random_f32(dims, 11);
  Tensor want = ref.run({{"x", in}})[0], got = fast.run({{"x", in}})[0];
  ASSERT_EQ(want.dims(), got.dims()) << what;
  for (int64_t k = 0; k < want.numel(); ++k)
    ASSERT_NEAR(want.data<float>()[k], got.data<float>()[k],
                1e-5f * std::max(1.0f, std::fabs(want.data<float>()[k])))
        << what << " element " << k;
}

TEST(LrnDnnl, MatchesReferenceOnOddShapes) {
  const std::vector<std::pair<std::vector<int64_t>, int64_t>> cases = {
      {{3, 7}, 3},        {{2, 5, 11}, 5},      {{1, 9, 7, 5}, 3},
      {{2, 17, 5, 3}, 7}, {{1, 4, 3, 5, 7}, 1}, {{1, 3, 4, 5}, 9}};
  for (const auto& [dims, size] : cases) {
    auto g = std::make_shared<Graph>();
    GraphBuilder b(*g);
    Value* x = b.input("x", DType::kFloat32, Shape::from_static(dims));
    b.output(b.op("LRN", {x}, lrn_attrs(size), "lrn"), "y");
    expect_match(g, dims, {"lrn (LRN): dnnl"},
                 Shape::from_static(dims).to_string() + " size " + std::to_string(size));
  }
}

TEST(LrnDnnl, ChannelsLastBetweenConvolutions) {
  const std::vector<int64_t> dims = {2, 6, 7, 5};
  for (bool conv_before : {false, true})
    for (bool conv_after : {false, true}) {
      auto g = std::make_shared<Graph>();
      GraphBuilder b(*g);
      Value* v = b.input("x", DType::kFloat32, Shape::from_static(dims));
      auto conv = [&](Value* in, const std::string& name) {
        Value* out =
            b.op("Conv", {in, b.constant(name + "_w", random_f32({6, 6, 1, 1}, 9))}, {}, name);
        out->set_type({DType::kFloat32, Shape::from_static(dims)});
        return out;
      };
      std::vector<std::string> choices;
      if (conv_before) v = conv(v, "c1");
      v = b.op("LRN", {v}, lrn_attrs(5), "lrn");
      v->set_type({DType::kFloat32, Shape::from_static(dims)});
      if (conv_after) v = conv(v, "c2");
      b.output(v, "y");
      if (conv_before) choices.push_back("c1 (Conv): dnnl, channels-last");
      choices.push_back(std::string("lrn (LRN): dnnl") + (conv_after ? ", channels-last" : ""));
      if (conv_after) choices.push_back("c2 (Conv): dnnl");
      expect_match(
          g, dims, choices,
          "before=" + std::to_string(conv_before) + " after=" + std::to_string(conv_after));
    }
}

TEST(LrnDnnl, EvenSizeUsesReference) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  b.output(b.op("LRN", {b.input("x", DType::kFloat32, Shape{1, 5, 2, 2})}, lrn_attrs(4), "lrn"),
           "y");
  Session fast(g, {});
  EXPECT_EQ(fast.kernel_choices()[0], "lrn (LRN): reference");
}

}  // namespace
}  // namespace trex
