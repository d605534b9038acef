// Differential test: the oneDNN ConvTranspose against the reference kernel on random,
// odd-sized shapes (groups, strides, dilations, asymmetric pads, output_padding,
// output_shape, auto_pad, 1-D and 3-D), channels-last between convolutions, and the forms
// left to the reference kernel.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "ir/builder.h"
#include "runtime/session.h"

namespace trex {
namespace {

Tensor random_f32(const std::vector<int64_t>& dims, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  Tensor t(DType::kFloat32, dims);
  for (int64_t i = 0; i < t.numel(); ++i) t.mutable_data<float>()[i] = d(rng);
  return t;
}

struct Case {
  std::vector<int64_t> x;  // N, C, spatial...
  int64_t out_per_group, kernel, group;
  AttrList attrs;
  bool bias;
};

Value* add_deconv(GraphBuilder& b, Value* x, const Case& c) {
  std::vector<int64_t> wd = {c.x[1], c.out_per_group};
  for (size_t i = 2; i < c.x.size(); ++i) wd.push_back(c.kernel);
  std::vector<Value*> ins = {x, b.constant("w", random_f32(wd, 7))};
  if (c.bias) ins.push_back(b.constant("b", random_f32({c.out_per_group * c.group}, 8)));
  AttrList attrs = c.attrs;
  attrs.push_back({"group", c.group});
  return b.op("ConvTranspose", ins, attrs, "deconv");
}

void expect_match(const std::shared_ptr<Graph>& g, const std::vector<int64_t>& x_dims,
                  const std::vector<std::string>& choices, const std::string& what) {
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  Session ref(g, ref_opts), fast(g, {});
  ASSERT_EQ(fast.kernel_choices(), choices) << what;
  Tensor in = random_f32(x_dims, 21);
  Tensor want = ref.run({{"x", in}})[0], got = fast.run({{"x", in}})[0];
  ASSERT_EQ(want.dims(), got.dims()) << what;
  float scale = 1.0f, diff = 0.0f;
  for (int64_t k = 0; k < want.numel(); ++k) {
    scale = std::max(scale, std::fabs(want.data<float>()[k]));
    diff = std::max(diff, std::fabs(want.data<float>()[k] - got.data<float>()[k]));
  }
  EXPECT_LE(diff, 1e-5f * scale) << what;
}

TEST(ConvTransposeDnnl, MatchesReferenceOnOddShapes) {
  const std::vector<Case> cases = {
      {{1, 3, 5, 7}, 4, 3, 1, {}, true},
      {{2, 4, 5, 6}, 3, 3, 2, {{"strides", ints({2, 2})}, {"pads", ints({1, 0, 0, 1})}}, false},
      {{1, 6, 4, 5}, 1, 3, 6, {{"strides", ints({2, 3})}, {"dilations", ints({2, 1})}}, true},
      {{1, 3, 5, 5},
       2,
       3,
       1,
       {{"strides", ints({2, 2})}, {"pads", ints({1, 1, 1, 1})}, {"output_padding", ints({1, 0})}},
       true},
      {{1, 3, 5, 4}, 2, 3, 1, {{"strides", ints({3, 2})}, {"output_shape", ints({14, 8})}}, true},
      {{1, 2, 4, 5}, 3, 4, 1, {{"strides", ints({2, 2})}, {"auto_pad", "SAME_UPPER"}}, true},
      {{1, 2, 4, 5}, 3, 3, 1, {{"strides", ints({2, 2})}, {"auto_pad", "SAME_LOWER"}}, false},
      {{2, 3, 9}, 2, 3, 1, {{"strides", ints({2})}, {"pads", ints({0, 2})}}, true},  // 1-D
      {{1, 2, 3, 4, 3}, 2, 3, 1, {{"strides", ints({2, 1, 2})}}, true},              // 3-D
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto g = std::make_shared<Graph>();
    GraphBuilder b(*g);
    Value* x = b.input("x", DType::kFloat32, Shape::from_static(cases[i].x));
    b.output(add_deconv(b, x, cases[i]), "y");
    expect_match(g, cases[i].x, {"deconv (ConvTranspose): dnnl"}, "case " + std::to_string(i));
  }
}

TEST(ConvTransposeDnnl, ChannelsLastBetweenConvolutions) {
  const Case c{{1, 4, 5, 6}, 3, 3, 1, {{"strides", ints({2, 2})}, {"pads", ints({1, 1, 0, 0})}},
               true};
  const std::vector<int64_t> out_dims = {1, 3, 10, 12};
  for (bool conv_before : {false, true})
    for (bool conv_after : {false, true}) {
      auto g = std::make_shared<Graph>();
      GraphBuilder b(*g);
      Value* v = b.input("x", DType::kFloat32, Shape::from_static(c.x));
      std::vector<std::string> choices;
      if (conv_before) {
        v = b.op("Conv", {v, b.constant("w1", random_f32({4, 4, 1, 1}, 3))}, {}, "c1");
        v->set_type({DType::kFloat32, Shape::from_static(c.x)});
        choices.push_back("c1 (Conv): dnnl, channels-last");
      }
      v = add_deconv(b, v, c);
      v->set_type({DType::kFloat32, Shape::from_static(out_dims)});
      choices.push_back(std::string("deconv (ConvTranspose): dnnl") +
                        (conv_after ? ", channels-last" : ""));
      if (conv_after) {
        v = b.op("Conv", {v, b.constant("w2", random_f32({2, 3, 3, 3}, 4))}, {}, "c2");
        choices.push_back("c2 (Conv): dnnl");
      }
      b.output(v, "y");
      expect_match(
          g, c.x, choices,
          "before=" + std::to_string(conv_before) + " after=" + std::to_string(conv_after));
    }
}

TEST(ConvTransposeDnnl, UnmappableFormsUseReference) {
  // output_padding larger than the end pad would need a negative oneDNN pad; a non-constant
  // weight cannot be packed at load.
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape{1, 2, 4, 4});
  b.output(add_deconv(b, x,
                      {{1, 2, 4, 4},
                       2,
                       3,
                       1,
                       {{"strides", ints({2, 2})}, {"output_padding", ints({1, 1})}},
                       false}),
           "y");
  Value* w = b.input("w_in", DType::kFloat32, Shape{2, 2, 3, 3});
  b.output(b.op("ConvTranspose", {x, w}, {}, "deconv2"), "y2");
  Session fast(g, {});
  EXPECT_EQ(fast.kernel_choices(),
            (std::vector<std::string>{"deconv (ConvTranspose): reference",
                                      "deconv2 (ConvTranspose): reference"}));
}

}  // namespace
}  // namespace trex
