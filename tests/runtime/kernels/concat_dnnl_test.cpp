// Differential test: the oneDNN Concat against the reference on random, odd shapes (every
// axis, negative axes, empty inputs, one input, rank 1 and 6) and channels-last activations
// concatenated along channels between convolutions, mixed with a plain input.
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"

namespace trex {
namespace {

using dnnl_test::expect_matches_reference;
using dnnl_test::random_f32;
using dnnl_test::typed;

std::shared_ptr<Graph> concat_graph(const std::vector<std::vector<int64_t>>& shapes, int64_t axis,
                                    DType dtype = DType::kFloat32) {
  return dnnl_test::node_graph("Concat", shapes, {{"axis", axis}}, dtype);
}

TEST(ConcatDnnl, MatchesReferenceOnOddShapes) {
  struct Case {
    std::vector<std::vector<int64_t>> shapes;
    int64_t axis;
  };
  const std::vector<Case> cases = {
      {{{2, 3, 5, 7}, {2, 1, 5, 7}, {2, 4, 5, 7}}, 1},
      {{{2, 3, 5, 7}, {3, 3, 5, 7}}, 0},
      {{{2, 3, 5, 7}, {2, 3, 2, 7}}, 2},
      {{{2, 3, 5, 7}, {2, 3, 5, 1}, {2, 3, 5, 3}}, -1},
      {{{5}, {3}, {1}}, 0},
      {{{3, 5, 7}}, 1},                               // one input
      {{{2, 0, 3}, {2, 4, 3}, {2, 0, 3}}, 1},         // empty inputs
      {{{0, 4}, {0, 2}}, 1},                          // empty output
      {{{2, 1, 3, 1, 2, 3}, {2, 1, 3, 1, 2, 2}}, 5},  // rank 6
      {{{1, 3, 2, 5, 3}, {1, 2, 2, 5, 3}}, -4},
  };
  uint32_t seed = 1;
  for (const Case& c : cases) {
    std::map<std::string, Tensor> feeds;
    std::string what = "axis " + std::to_string(c.axis);
    for (size_t i = 0; i < c.shapes.size(); ++i) {
      feeds["x" + std::to_string(i)] = random_f32(c.shapes[i], seed++);
      what += " " + Shape::from_static(c.shapes[i]).to_string();
    }
    auto choices =
        expect_matches_reference(concat_graph(c.shapes, c.axis), feeds, what, {0.0f, 0.0f});
    EXPECT_EQ(choices[0], "n (Concat): dnnl") << what;
  }
  // Not f32: the reference (which also folds shape computations).
  EXPECT_EQ(Session(concat_graph({{2}, {3}}, 0, DType::kInt64), {}).kernel_choices()[0],
            "n (Concat): reference");
}

TEST(ConcatDnnl, ChannelsLastAlongChannels) {
  // Concat(conv1, x, conv2) on axis 1 into conv3: the conv outputs stay channels-last, the
  // plain graph input joins them, and the concatenation is channels-last for conv3.
  std::vector<int64_t> xd = {2, 3, 9, 7}, cd = {2, 11, 9, 7};
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape::from_static(xd));
  Value* c1 = dnnl_test::conv3x3(b, x, xd, 5, "conv1", 1);
  Value* c2 = dnnl_test::conv3x3(b, x, xd, 3, "conv2", 2);
  Value* cat = typed(b.op("Concat", {c1, x, c2}, {{"axis", int64_t{1}}}, "cat"), cd);
  Value* c3 = dnnl_test::conv3x3(b, cat, cd, 4, "conv3", 3);
  // A second concatenation, on the last axis, reads channels-last conv3 into a plain output.
  b.output(b.op("Concat", {c3, c3}, {{"axis", int64_t{-1}}}, "cat2"), "y");
  auto choices =
      expect_matches_reference(g, {{"x", random_f32(xd, 4)}}, "channels-last", {1e-5f, 1e-5f});
  EXPECT_EQ(choices,
            (std::vector<std::string>{
                "conv1 (Conv): dnnl, channels-last", "conv2 (Conv): dnnl, channels-last",
                "cat (Concat): dnnl, channels-last", "conv3 (Conv): dnnl", "cat2 (Concat): dnnl"}));
}

}  // namespace
}  // namespace trex
