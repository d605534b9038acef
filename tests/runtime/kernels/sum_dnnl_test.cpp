// Differential test: the oneDNN Sum and Mean against the reference on random, odd shapes
// (one to four inputs, rank 0, empty), the broadcasting forms left to the reference, and
// channels-last activations between convolutions.
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"

namespace trex {
namespace {

using dnnl_test::expect_matches_reference;
using dnnl_test::random_f32;
using dnnl_test::typed;

TEST(SumDnnl, MatchesReferenceOnOddShapes) {
  struct Case {
    std::vector<std::vector<int64_t>> shapes;
    bool dnnl;
  };
  const std::vector<Case> cases = {
      {{{2, 3, 5, 7}, {2, 3, 5, 7}, {2, 3, 5, 7}}, true},
      {{{13}}, true},
      {{{3, 5, 7}, {3, 5, 7}, {3, 5, 7}, {3, 5, 7}}, true},
      {{{}, {}}, true},
      {{{2, 0, 3}, {2, 0, 3}}, true},
      {{{2, 3, 5}, {3, 5}}, false},  // broadcasting
  };
  uint32_t seed = 1;
  for (const std::string op : {"Sum", "Mean"})
    for (const auto& c : cases) {
      std::map<std::string, Tensor> feeds;
      std::string what = op;
      for (size_t i = 0; i < c.shapes.size(); ++i) {
        feeds["x" + std::to_string(i)] = random_f32(c.shapes[i], seed++);
        what += " " + Shape::from_static(c.shapes[i]).to_string();
      }
      auto choices = expect_matches_reference(dnnl_test::node_graph(op, c.shapes), feeds, what);
      EXPECT_EQ(choices[0], "n (" + op + "): " + (c.dnnl ? "dnnl" : "reference")) << what;
    }
}

TEST(SumDnnl, ChannelsLastBetweenConvolutions) {
  std::vector<int64_t> xd = {2, 3, 9, 7}, hd = {2, 4, 9, 7};
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape::from_static(xd));
  Value* c1 = dnnl_test::conv3x3(b, x, xd, 4, "conv1", 1);
  Value* c2 = dnnl_test::conv3x3(b, x, xd, 4, "conv2", 2);
  Value* c3 = dnnl_test::conv3x3(b, x, xd, 4, "conv3", 3);
  Value* s = typed(b.op("Sum", {c1, c2, c3}, {}, "sum"), hd);
  Value* c4 = dnnl_test::conv3x3(b, s, hd, 4, "conv4", 4);
  b.output(b.op("Mean", {c4, c1}, {}, "mean"), "y");  // channels-last in, plain out
  auto choices =
      expect_matches_reference(g, {{"x", random_f32(xd, 5)}}, "channels-last", {1e-5f, 1e-5f});
  EXPECT_EQ(choices, (std::vector<std::string>{
                         "conv1 (Conv): dnnl, channels-last", "conv2 (Conv): dnnl, channels-last",
                         "conv3 (Conv): dnnl, channels-last", "sum (Sum): dnnl, channels-last",
                         "conv4 (Conv): dnnl, channels-last", "mean (Mean): dnnl"}));
}

}  // namespace
}  // namespace trex
