// Differential test: the oneDNN Conv against the reference Conv on random, odd-sized
// shapes (groups, depthwise, dilation, strides, asymmetric pads, auto_pad, 1-D and 3-D).
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"

namespace trex {
namespace {

using dnnl_test::Tolerance;

struct ConvCase {
  std::vector<int64_t> x;  // N, C, spatial...
  int64_t out_channels, kernel, stride, dilation, group;
  std::vector<int64_t> pads;  // begins then ends; empty: auto_pad
  std::string auto_pad;
  bool bias;
};

/// A float32 tensor of `dims` uniform in [-1, 1).
Tensor random_f32(const std::vector<int64_t>& dims, uint32_t seed) {
  return dnnl_test::random_f32(dims, seed, -1.0f, 1.0f);
}

std::shared_ptr<Graph> conv_graph(const ConvCase& c) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  size_t spatial = c.x.size() - 2;
  Value* x = b.input("x", DType::kFloat32, Shape::from_static(c.x));
  std::vector<int64_t> wd = {c.out_channels, c.x[1] / c.group};
  for (size_t i = 0; i < spatial; ++i) wd.push_back(c.kernel);
  std::vector<Value*> ins = {x, b.constant("w", random_f32(wd, 7))};
  if (c.bias) ins.push_back(b.constant("b", random_f32({c.out_channels}, 8)));
  AttrList attrs = {{"strides", ints(std::vector<int64_t>(spatial, c.stride))},
                    {"dilations", ints(std::vector<int64_t>(spatial, c.dilation))},
                    {"group", c.group}};
  if (c.auto_pad.empty())
    attrs.push_back({"pads", ints(c.pads)});
  else
    attrs.push_back({"auto_pad", c.auto_pad});
  b.output(b.op("Conv", ins, attrs, "conv"), "y");
  return g;
}

TEST(ConvDnnl, MatchesReferenceOnOddShapes) {
  const std::vector<ConvCase> cases = {
      {{1, 3, 7, 9}, 5, 3, 1, 1, 1, {1, 1, 1, 1}, "", true},
      {{2, 4, 11, 6}, 6, 3, 2, 1, 2, {0, 1, 2, 0}, "", false},  // grouped, asymmetric pads
      {{1, 8, 9, 9}, 8, 3, 1, 2, 8, {2, 2, 2, 2}, "", true},    // depthwise, dilated
      {{3, 5, 13, 10}, 7, 1, 1, 1, 1, {0, 0, 0, 0}, "", true},  // pointwise
      {{1, 6, 10, 7}, 4, 5, 3, 1, 2, {}, "SAME_UPPER", true},
      {{1, 6, 10, 7}, 4, 4, 2, 1, 1, {}, "SAME_LOWER", false},
      {{2, 3, 8, 8}, 2, 3, 1, 1, 1, {}, "VALID", true},
      {{2, 3, 17}, 4, 3, 2, 1, 1, {1, 0}, "", true},                   // 1-D
      {{1, 2, 5, 6, 7}, 3, 3, 1, 1, 1, {1, 1, 1, 1, 1, 1}, "", true},  // 3-D
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto g = conv_graph(cases[i]);
    const std::string what = "case " + std::to_string(i);
    auto choices = dnnl_test::expect_matches_reference(
        g, {{"x", random_f32(cases[i].x, 100 + static_cast<uint32_t>(i))}}, what,
        Tolerance::relative_to_largest(1e-5f));
    EXPECT_EQ(choices[0], "conv (Conv): dnnl") << what;
  }
}

TEST(ConvDnnl, BatchMayChangeBetweenRuns) {
  auto g = conv_graph({{1, 3, 6, 6}, 4, 3, 1, 1, 1, {1, 1, 1, 1}, "", true});
  // Re-declare the batch as symbolic so runs may differ.
  g->inputs()[0]->set_type({DType::kFloat32, Shape({Dim::symbolic("N"), 3, 6, 6})});
  dnnl_test::DifferentialSessions s(g);
  for (int64_t n : {1, 3, 2}) {
    std::vector<Tensor> got =
        s.expect_match({{"x", random_f32({n, 3, 6, 6}, static_cast<uint32_t>(n))}},
                       "n=" + std::to_string(n), Tolerance::absolute(1e-4f));
    ASSERT_EQ(got.size(), 1u);
    ASSERT_EQ(got[0].dims(), (std::vector<int64_t>{n, 4, 6, 6}));
  }
}

/// Conv -> Add(residual) -> activation: fused into one trex.FusedConv on oneDNN.
TEST(ConvDnnl, FusedSumAndActivationsMatchReference) {
  const std::vector<std::pair<std::string, AttrList>> acts = {
      {"Relu", {}},
      {"Clip", {{"min", 0.0f}, {"max", 6.0f}}},
      {"LeakyRelu", {{"alpha", 0.1f}}},
      {"Sigmoid", {}},
      {"HardSigmoid", {{"alpha", 0.25f}, {"beta", 0.4f}}},
      {"HardSwish", {}},
      {"Tanh", {}},
      {"Elu", {{"alpha", 0.7f}}},
      {"Silu", {}},   // built as x * Sigmoid(x) below
      {"Gelu", {}}};  // built as 0.5 * x * (1 + Erf(x / sqrt 2)) below
  for (bool with_sum : {false, true})
    for (const auto& [act, attrs] : acts) {
      auto g = std::make_shared<Graph>();
      g->opset_imports[""] = 10;  // Clip with attributes
      GraphBuilder b(*g);
      Value* x = b.input("x", DType::kFloat32, {2, 4, 6, 5});
      Value* y = b.op(
          "Conv",
          {x, b.constant("w", random_f32({4, 4, 3, 3}, 3)), b.constant("b", random_f32({4}, 4))},
          {{"pads", ints({1, 1, 1, 1})}}, "conv");
      y->set_type({DType::kFloat32, Shape{2, 4, 6, 5}});
      if (with_sum) {
        y = b.op("Add", {y, x});
        y->set_type({DType::kFloat32, Shape{2, 4, 6, 5}});
      }
      Value* out;
      if (act == "Silu") {
        out = b.op("Mul", {y, b.op("Sigmoid", {y})});
      } else if (act == "Gelu") {
        Value* e =
            b.op("Erf", {b.op("Div", {y, b.constant("s2", Tensor::scalar_f32(1.41421356f))})});
        out = b.op("Mul",
                   {b.op("Mul", {y, b.op("Add", {e, b.constant("one", Tensor::scalar_f32(1.0f))})}),
                    b.constant("half", Tensor::scalar_f32(0.5f))});
      } else {
        out = b.op(act, {y}, attrs);
      }
      b.output(out, "out");
      auto choices = dnnl_test::expect_matches_reference(g, {{"x", random_f32({2, 4, 6, 5}, 9)}},
                                                         act + " sum=" + std::to_string(with_sum),
                                                         Tolerance::absolute(1e-4f));
      ASSERT_EQ(choices.size(), 1u) << act << ": not fused";
      EXPECT_EQ(choices[0], "conv_fused (FusedConv): dnnl");
    }
}

}  // namespace
}  // namespace trex
