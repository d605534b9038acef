// fold_shape_computation: Shape/Size of static values become constants.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/verifier.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace trex::testing {
namespace {

TEST(FoldShapeComputation, StaticShapeAndSizeFold) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {2, 3, 5});
  b.output(b.op("Shape", {x}), "s");
  b.output(b.op("Size", {x}), "n");
  b.output(b.op("Shape", {x}, {{"start", int64_t{-2}}, {"end", int64_t{10}}}), "tail");
  EXPECT_TRUE(make_fold_shape_computation()->run(g));
  verify(g);
  EXPECT_EQ(g.num_nodes(), 0u);
  EXPECT_EQ(g.find_value("s")->constant().to_int64_vector(), (std::vector<int64_t>{2, 3, 5}));
  EXPECT_EQ(g.find_value("n")->constant().to_int64_vector(), (std::vector<int64_t>{30}));
  EXPECT_EQ(g.find_value("n")->constant().rank(), 0u);
  EXPECT_EQ(g.find_value("tail")->constant().to_int64_vector(), (std::vector<int64_t>{3, 5}));
}

TEST(FoldShapeComputation, SymbolicShapeStays) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, Shape({Dim::symbolic("N"), 3}));
  b.output(b.op("Shape", {x}), "s");
  EXPECT_FALSE(make_fold_shape_computation()->run(g));
  EXPECT_EQ(count_ops(g, "Shape"), 1);
}

TEST(FoldShapeComputation, PipelineCollapsesFlattenChain) {
  // x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
  Graph g;
  g.opset_imports[""] = 9;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {2, 3, 4});
  Value* s = b.op("Shape", {x});
  Value* n =
      b.op("Gather", {s, b.constant("i0", Tensor::from_vector<int64_t>(DType::kInt64, {}, {0}))});
  Value* n1 = b.op("Unsqueeze", {n}, {{"axes", ints({0})}});
  Value* t =
      b.op("Concat", {n1, b.constant("m1", Tensor::vector_i64({-1}))}, {{"axis", int64_t{0}}});
  b.output(b.op("Reshape", {x, t}, {}, "reshape"), "y");
  Tensor in = random_tensor({2, 3, 4}, 3);
  Tensor want = run_reference(g, {{"x", in}})[0];
  canonicalize(g);
  verify(g);
  EXPECT_EQ(g.num_nodes(), 1u);
  Node* r = g.find_node("reshape");
  ASSERT_NE(r, nullptr);
  ASSERT_TRUE(r->input(1)->is_constant());
  EXPECT_EQ(r->input(1)->constant().to_int64_vector(), (std::vector<int64_t>{2, -1}));
  EXPECT_EQ(g.find_value("y")->type().to_string(), "f32[2,12]");
  EXPECT_EQ(max_abs_diff(run_reference(g, {{"x", in}})[0], want), 0.0f);
}

}  // namespace
}  // namespace trex::testing
