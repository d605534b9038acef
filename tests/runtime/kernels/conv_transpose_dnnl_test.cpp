// Differential test: the oneDNN ConvTranspose against the reference kernel on random,
// odd-sized shapes (groups, strides, dilations, asymmetric pads, output_padding,
// output_shape, auto_pad, 1-D and 3-D), channels-last between convolutions, and the forms
// left to the reference kernel.
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"

namespace trex {
namespace {

using dnnl_test::expect_matches_reference;
using dnnl_test::random_f32;
using dnnl_test::Tolerance;

struct Case {
  std::vector<int64_t> x;  // N, C, spatial...
  int64_t out_per_group, kernel, group;
  AttrList attrs;
  bool bias;
};

Value* add_deconv(GraphBuilder& b, Value* x, const Case& c) {
  std::vector<int64_t> wd = {c.x[1], c.out_per_group};
  for (size_t i = 2; i < c.x.size(); ++i) wd.push_back(c.kernel);
  std::vector<Value*> ins = {x, b.constant("w", random_f32(wd, 7, -1.0f, 1.0f))};
  if (c.bias)
    ins.push_back(b.constant("b", random_f32({c.out_per_group * c.group}, 8, -1.0f, 1.0f)));
  AttrList attrs = c.attrs;
  attrs.push_back({"group", c.group});
  return b.op("ConvTranspose", ins, attrs, "deconv");
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
    const std::string what = "case " + std::to_string(i);
    auto choices = expect_matches_reference(g, {{"x", random_f32(cases[i].x, 21, -1.0f, 1.0f)}},
                                            what, Tolerance::relative_to_largest(1e-5f));
    EXPECT_EQ(choices, std::vector<std::string>{"deconv (ConvTranspose): dnnl"}) << what;
  }
}

TEST(ConvTransposeDnnl, ChannelsLastBetweenConvolutions) {
  const Case c{{1, 4, 5, 6}, 3, 3, 1, {{"strides", ints({2, 2})}, {"pads", ints({1, 1, 0, 0})}},
               true};
  dnnl_test::expect_channels_last_between_convolutions(
      random_f32(c.x, 21, -1.0f, 1.0f),
      [&](GraphBuilder& b, Value* v) { return add_deconv(b, v, c); }, {1, 3, 10, 12},
      "deconv (ConvTranspose): dnnl", random_f32({4, 4, 1, 1}, 3, -1.0f, 1.0f),
      random_f32({2, 3, 3, 3}, 4, -1.0f, 1.0f), Tolerance::relative_to_largest(1e-5f));
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
