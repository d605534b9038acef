// Differential test: the oneDNN eltwise kernel against the reference unary kernel on random,
// odd-sized shapes (rank 0 to 5, empty), every op it takes, the forms it leaves to the
// reference, and channels-last activations between convolutions.
#include <gtest/gtest.h>

#include <limits>

#include "runtime/kernels/dnnl_test_util.h"

namespace trex {
namespace {

using dnnl_test::expect_matches_reference;
using dnnl_test::random_f32;

struct EltCase {
  std::string op;
  AttrList attrs;
  float lo = -3.0f, hi = 3.0f;  // input range
};

/// One node `op` (named "n") over input x, with constant extra inputs, at `opset`.
std::shared_ptr<Graph> unary_graph(const std::string& op, const AttrList& attrs,
                                   const std::vector<int64_t>& dims,
                                   const std::vector<Tensor>& extra = {}, int64_t opset = 17,
                                   DType dtype = DType::kFloat32) {
  auto g = std::make_shared<Graph>();
  g->opset_imports[""] = opset;
  GraphBuilder b(*g);
  std::vector<Value*> ins = {b.input("x", dtype, Shape::from_static(dims))};
  for (size_t i = 0; i < extra.size(); ++i)
    ins.push_back(extra[i].empty() ? nullptr : b.constant("c" + std::to_string(i), extra[i]));
  b.output(b.op(op, ins, attrs, "n"), "y");
  return g;
}

Tensor scalar(float v) {
  return Tensor::from_vector<float>(DType::kFloat32, {}, {v});
}

TEST(EltwiseDnnl, MatchesReferenceOnOddShapes) {
  const std::vector<EltCase> cases = {
      {"Relu", {}},
      {"LeakyRelu", {{"alpha", 0.13f}}},
      {"LeakyRelu", {}},
      {"Elu", {{"alpha", 0.7f}}},
      {"Sigmoid", {}, -12.0f, 12.0f},
      {"Tanh", {}, -6.0f, 6.0f},
      {"HardSwish", {}, -5.0f, 5.0f},
      {"HardSigmoid", {{"alpha", 0.25f}, {"beta", 0.4f}}, -5.0f, 5.0f},
      {"HardSigmoid", {}, -5.0f, 5.0f},
      {"Exp", {}, -10.0f, 10.0f},
      {"Sqrt", {}, 0.0f, 50.0f},
      {"Abs", {}},
      {"Neg", {}},
  };
  const std::vector<std::vector<int64_t>> shapes = {{3, 5, 7}, {2, 3, 5, 7}, {1, 3, 2, 5, 3},
                                                    {13},      {},           {2, 0, 3}};
  uint32_t seed = 1;
  for (const EltCase& c : cases)
    for (const auto& dims : shapes) {
      std::string what = c.op + " " + Shape::from_static(dims).to_string();
      auto choices = expect_matches_reference(unary_graph(c.op, c.attrs, dims),
                                              {{"x", random_f32(dims, seed++, c.lo, c.hi)}}, what);
      EXPECT_EQ(choices[0], "n (" + c.op + "): dnnl") << what;
    }
}

TEST(EltwiseDnnl, RoundsHalvesToEven) {
  std::vector<float> v = {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 3.5f, -3.49f, 0.51f, 7.0f, -0.2f};
  Tensor x = Tensor::from_vector<float>(DType::kFloat32, {11}, v);
  auto choices =
      expect_matches_reference(unary_graph("Round", {}, {11}), {{"x", x}}, "Round", {0.0f, 0.0f});
  EXPECT_EQ(choices[0], "n (Round): dnnl");
  std::vector<int64_t> dims = {2, 3, 5, 7};
  expect_matches_reference(unary_graph("Round", {}, dims), {{"x", random_f32(dims, 5, -9, 9)}},
                           "Round random", {0.0f, 0.0f});
}

TEST(EltwiseDnnl, ClipWithConstantBounds) {
  std::vector<int64_t> dims = {2, 3, 5, 7};
  Tensor x = random_f32(dims, 3, -2.0f, 2.0f);
  // Opset 11+: bounds are inputs; either may be left out.
  for (const auto& [bounds, name] : std::vector<std::pair<std::vector<Tensor>, std::string>>{
           {{scalar(-0.3f), scalar(0.6f)}, "both"},
           {{scalar(-0.3f)}, "min"},
           {{Tensor(), scalar(0.6f)}, "max"},
           {{}, "none"}}) {
    auto choices = expect_matches_reference(unary_graph("Clip", {}, dims, bounds), {{"x", x}},
                                            "Clip " + name, {0.0f, 0.0f});
    EXPECT_EQ(choices[0], "n (Clip): dnnl") << name;
  }
  // Opset 6: attributes.
  auto choices =
      expect_matches_reference(unary_graph("Clip", {{"min", -1.0f}, {"max", 0.25f}}, dims, {}, 6),
                               {{"x", x}}, "Clip-6", {0.0f, 0.0f});
  EXPECT_EQ(choices[0], "n (Clip): dnnl");
}

TEST(EltwiseDnnl, LeavesOtherFormsToTheReference) {
  std::vector<int64_t> dims = {3, 4};
  Tensor x = random_f32(dims, 4);
  // min > max: the reference's answer differs from oneDNN's.
  auto choices = expect_matches_reference(
      unary_graph("Clip", {}, dims, {scalar(0.5f), scalar(-0.5f)}), {{"x", x}}, "Clip min>max");
  EXPECT_EQ(choices[0], "n (Clip): reference");
  // A bound that is not a constant.
  {
    auto g = std::make_shared<Graph>();
    GraphBuilder b(*g);
    Value* in = b.input("x", DType::kFloat32, Shape::from_static(dims));
    Value* lo = b.input("lo", DType::kFloat32, Shape{});
    b.output(b.op("Clip", {in, lo}, {}, "n"), "y");
    choices = expect_matches_reference(g, {{"x", x}, {"lo", scalar(0.1f)}}, "Clip input bound");
    EXPECT_EQ(choices[0], "n (Clip): reference");
  }
  // Not f32.
  auto g = unary_graph("Relu", {}, dims, {}, 17, DType::kInt32);
  SessionOptions opts;
  EXPECT_EQ(Session(g, opts).kernel_choices()[0], "n (Relu): reference");
  // Not in oneDNN's eltwise, or not accurate enough there.
  for (const char* op : {"Erf", "Log", "Softplus"})
    EXPECT_EQ(Session(unary_graph(op, {}, dims), opts).kernel_choices()[0],
              std::string("n (") + op + "): reference");
}

TEST(EltwiseDnnl, ChannelsLastBetweenConvolutions) {
  // x -> Abs -> Conv -> Exp -> Conv -> Neg -> y: Abs turns plain into channels-last, Exp stays
  // channels-last, Neg turns channels-last into the plain graph output.
  std::vector<int64_t> xd = {2, 3, 9, 7}, hd = {2, 5, 9, 7};
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape::from_static(xd));
  Value* a = dnnl_test::typed(b.op("Abs", {x}, {}, "abs"), xd);
  Value* c1 = dnnl_test::conv3x3(b, a, xd, 5, "conv1", 11);
  Value* e = dnnl_test::typed(b.op("Exp", {c1}, {}, "exp"), hd);
  Value* c2 = dnnl_test::conv3x3(b, e, hd, 4, "conv2", 12);
  b.output(b.op("Neg", {c2}, {}, "neg"), "y");
  auto choices = expect_matches_reference(g, {{"x", random_f32(xd, 13, -1.0f, 1.0f)}},
                                          "channels-last chain", {1e-5f, 1e-5f});
  EXPECT_EQ(choices, (std::vector<std::string>{
                         "abs (Abs): dnnl, channels-last", "conv1 (Conv): dnnl, channels-last",
                         "exp (Exp): dnnl, channels-last", "conv2 (Conv): dnnl, channels-last",
                         "neg (Neg): dnnl"}));
}

}  // namespace
}  // namespace trex
