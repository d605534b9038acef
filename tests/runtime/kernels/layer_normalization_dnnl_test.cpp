// Differential test: the oneDNN LayerNormalization against the reference kernel on random,
// odd-sized shapes, every axis, Scale and B of the full normalized shape or broadcast, with
// and without B; Mean/InvStdDev outputs and non-constant Scale stay on the reference kernel.
#include <gtest/gtest.h>

#include "runtime/kernels/dnnl_test_util.h"

namespace trex {
namespace {

using dnnl_test::expect_matches_reference;
using dnnl_test::random_f32;
using dnnl_test::Tolerance;

void expect_match(const std::vector<int64_t>& dims, int64_t axis,
                  const std::vector<int64_t>& scale_dims, bool bias) {
  const std::string what = Shape::from_static(dims).to_string() + " axis " + std::to_string(axis) +
                           " scale " + Shape::from_static(scale_dims).to_string() +
                           (bias ? " with B" : "");
  auto g = std::make_shared<Graph>();
  g->opset_imports[""] = 17;
  GraphBuilder b(*g);
  std::vector<Value*> ins = {b.input("x", DType::kFloat32, Shape::from_static(dims)),
                             b.constant("s", random_f32(scale_dims, 2))};
  if (bias) ins.push_back(b.constant("b", random_f32(scale_dims, 3)));
  b.output(b.op("LayerNormalization", ins, {{"axis", axis}, {"epsilon", 1e-3f}}, "ln"), "y");
  auto choices =
      expect_matches_reference(g, {{"x", random_f32(dims, 4)}}, what, Tolerance::absolute(1e-4f));
  EXPECT_EQ(choices[0], "ln (LayerNormalization): dnnl") << what;
}

TEST(LayerNormalizationDnnl, MatchesReferenceOnOddShapes) {
  for (bool bias : {true, false}) {
    expect_match({3, 17}, -1, {17}, bias);
    expect_match({2, 5, 13}, -1, {13}, bias);
    expect_match({2, 5, 13}, 1, {5, 13}, bias);
    expect_match({2, 5, 13}, 1, {1, 13}, bias);  // broadcast over the first normalized dim
    expect_match({2, 5, 13}, 1, {5, 1}, bias);
    expect_match({2, 3, 5, 7}, -3, {3, 5, 7}, bias);
    expect_match({2, 3, 5, 7}, 0, {7}, bias);  // everything normalized together
  }
}

TEST(LayerNormalizationDnnl, OtherFormsUseReference) {
  auto g = std::make_shared<Graph>();
  g->opset_imports[""] = 17;
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape{2, 5});
  Node* n = b.node("LayerNormalization", {x, b.constant("s", random_f32({5}, 1))}, 3, {}, "ln");
  for (size_t i = 0; i < 3; ++i) b.output(n->output(i), "y" + std::to_string(i));
  Value* s = b.input("s_in", DType::kFloat32, Shape{5});
  b.output(b.op("LayerNormalization", {x, s}, {}, "ln2"), "z");
  Session fast(g, {});
  EXPECT_EQ(fast.kernel_choices(),
            (std::vector<std::string>{"ln (LayerNormalization): reference",
                                      "ln2 (LayerNormalization): reference"}));
}

}  // namespace
}  // namespace trex
