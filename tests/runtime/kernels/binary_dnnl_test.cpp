// Differential test: the oneDNN binary kernel against the reference kernel on random, odd
// shapes with the broadcasts it takes (second operand smaller, swapped operands for ops that
// commute, padded ranks, scalars), the ones it leaves to the reference, a batch that changes
// between runs, and channels-last activations between convolutions.
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"

namespace trex {
namespace {

using dnnl_test::expect_matches_reference;
using dnnl_test::random_f32;
using dnnl_test::typed;

struct BinCase {
  std::string op;
  std::vector<int64_t> a, b;
  bool dnnl;  // whether the oneDNN kernel takes it
};

std::shared_ptr<Graph> binary_graph(const std::string& op, const Shape& a, const Shape& b,
                                    DType dtype = DType::kFloat32) {
  auto g = std::make_shared<Graph>();
  GraphBuilder gb(*g);
  Value* x = gb.input("a", dtype, a);
  Value* y = gb.input("b", dtype, b);
  gb.output(gb.op(op, {x, y}, {}, "n"), "y");
  return g;
}

TEST(BinaryDnnl, MatchesReferenceOnOddShapes) {
  const std::vector<BinCase> cases = {
      {"Add", {2, 3, 5, 7}, {2, 3, 5, 7}, true},
      {"Sub", {2, 3, 5, 7}, {3, 1, 1}, true},            // per-channel, lower rank
      {"Mul", {3, 5, 7}, {7}, true},                     // trailing axis
      {"Div", {2, 3, 5, 7}, {1, 3, 1, 1}, true},         // per-channel
      {"Div", {2, 3, 5, 7}, {}, true},                   // scalar
      {"Max", {5}, {3, 1, 5}, true},                     // input 1 has the output's shape: swapped
      {"Min", {1, 3, 1, 1}, {2, 3, 5, 7}, true},         // swapped
      {"Add", {}, {4, 5}, true},                         // scalar first: swapped
      {"Mul", {2, 3, 1, 7, 3}, {2, 1, 5, 1, 3}, false},  // both broadcast
      {"Sub", {2, 1, 5}, {2, 3, 5}, false},  // only input 1 is full, Sub does not commute
      {"Div", {1, 3}, {4, 3}, false},
      {"Add", {}, {}, true},                               // rank 0
      {"Mul", {2, 0, 3}, {1, 0, 3}, true},                 // empty
      {"Max", {3, 4, 2, 2, 5, 3}, {4, 1, 1, 5, 1}, true},  // rank 6
  };
  uint32_t seed = 1;
  for (const BinCase& c : cases) {
    std::string what = c.op + " " + Shape::from_static(c.a).to_string() + " " +
                       Shape::from_static(c.b).to_string();
    // Divisors away from zero.
    float lo = c.op == "Div" ? 0.5f : -2.0f;
    auto choices = expect_matches_reference(
        binary_graph(c.op, Shape::from_static(c.a), Shape::from_static(c.b)),
        {{"a", random_f32(c.a, seed++)}, {"b", random_f32(c.b, seed++, lo, 2.0f)}}, what);
    EXPECT_EQ(choices[0], "n (" + c.op + "): " + (c.dnnl ? "dnnl" : "reference")) << what;
  }
}

TEST(BinaryDnnl, SymbolicBatchMayChangeBetweenRuns) {
  Shape a({Dim::symbolic("N"), 3, 5}), b({Dim::symbolic("N"), 1, 5});
  auto g = binary_graph("Sub", a, b);
  for (int64_t n : {1, 4, 2}) {
    auto choices = expect_matches_reference(
        g, {{"a", random_f32({n, 3, 5}, 1)}, {"b", random_f32({n, 1, 5}, 2)}},
        "batch " + std::to_string(n));
    EXPECT_EQ(choices[0], "n (Sub): dnnl");
  }
  // Unknown dims are not known to be equal: [?, 3] - [?, 3] may broadcast input 0.
  Shape u({Dim(), 3});
  EXPECT_EQ(Session(binary_graph("Sub", u, u), {}).kernel_choices()[0], "n (Sub): reference");
  EXPECT_EQ(Session(binary_graph("Add", Shape::from_static({2, 3}), Shape::from_static({2, 3}),
                                 DType::kInt32),
                    {})
                .kernel_choices()[0],
            "n (Add): reference");
}

TEST(BinaryDnnl, ChannelsLastBetweenConvolutions) {
  // conv1 * per-channel constant, minus conv2, divided by a [C, 1, 1] constant, into conv3:
  // every value between the convolutions stays channels-last.
  std::vector<int64_t> xd = {2, 3, 9, 7}, hd = {2, 4, 9, 7};
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape::from_static(xd));
  Value* c1 = dnnl_test::conv3x3(b, x, xd, 4, "conv1", 1);
  Value* c2 = dnnl_test::conv3x3(b, x, xd, 4, "conv2", 2);
  Value* m = typed(b.op("Mul", {c1, b.constant("s", random_f32({1, 4, 1, 1}, 3))}, {}, "mul"), hd);
  Value* s = typed(b.op("Sub", {m, c2}, {}, "sub"), hd);
  Value* d =
      typed(b.op("Div", {s, b.constant("d", random_f32({4, 1, 1}, 4, 0.5f, 2.0f))}, {}, "div"), hd);
  Value* c3 = dnnl_test::conv3x3(b, d, hd, 2, "conv3", 5);
  // Max with a full-shape graph input (plain) turns channels-last into the plain output.
  b.output(b.op("Max", {c3, b.input("z", DType::kFloat32, Shape{2, 2, 9, 7})}, {}, "max"), "y");
  auto choices = expect_matches_reference(
      g, {{"x", random_f32(xd, 6)}, {"z", random_f32({2, 2, 9, 7}, 7)}}, "channels-last", {1e-5f});
  EXPECT_EQ(choices, (std::vector<std::string>{
                         "conv1 (Conv): dnnl, channels-last", "conv2 (Conv): dnnl, channels-last",
                         "mul (Mul): dnnl, channels-last", "sub (Sub): dnnl, channels-last",
                         "div (Div): dnnl, channels-last", "conv3 (Conv): dnnl, channels-last",
                         "max (Max): dnnl"}));
}

}  // namespace
}  // namespace trex
