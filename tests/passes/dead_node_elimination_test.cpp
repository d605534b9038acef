// dead_node_elimination: unreachable nodes and unused constants go, inputs stay.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/verifier.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace trex::testing {
namespace {

TEST(DeadNodeElimination, RemovesUnreachableBranchAndConstants) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {2});
  b.input("unused", DType::kFloat32, {2});
  Value* dead = b.op("Mul", {x, b.constant("k", Tensor::scalar_f32(3.0f))});
  b.op("Relu", {dead});
  b.output(b.op("Neg", {x}), "y");
  EXPECT_TRUE(make_dead_node_elimination()->run(g));
  verify(g);
  EXPECT_EQ(g.num_nodes(), 1u);
  EXPECT_EQ(count_ops(g, "Neg"), 1);
  EXPECT_TRUE(g.constants().empty());
  EXPECT_EQ(g.inputs().size(), 2u);
  EXPECT_FALSE(make_dead_node_elimination()->run(g));
}

TEST(DeadNodeElimination, KeepsNodeWithOneLiveOutput) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {4});
  Node* split = b.node("Split", {x}, 2);
  b.output(split->output(1), "second");
  EXPECT_FALSE(make_dead_node_elimination()->run(g));
  EXPECT_EQ(g.num_nodes(), 1u);
}

}  // namespace
}  // namespace trex::testing
