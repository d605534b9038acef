// remove_identity: Identity and inference Dropout go; interface names stay.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/verifier.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace trex::testing {
namespace {

TEST(RemoveIdentity, RemovesChainAndKeepsOutputName) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {2, 3});
  Value* a = b.op("Identity", {x});
  Value* r = b.op("Relu", {a}, {}, "relu");
  Value* d = b.op("Dropout", {r}, {{"ratio", 0.3f}});
  b.output(b.op("Identity", {d}), "y");
  Tensor in = random_tensor({2, 3}, 1);
  Tensor want = run_reference(g, {{"x", in}})[0];

  EXPECT_TRUE(make_remove_identity()->run(g));
  verify(g);
  EXPECT_EQ(g.num_nodes(), 1u);
  EXPECT_EQ(count_ops(g, "Relu"), 1);
  ASSERT_EQ(g.outputs().size(), 1u);
  EXPECT_EQ(g.outputs()[0]->name(), "y");
  EXPECT_EQ(g.outputs()[0]->producer(), g.find_node("relu"));
  EXPECT_EQ(max_abs_diff(run_reference(g, {{"x", in}})[0], want), 0.0f);
  EXPECT_FALSE(make_remove_identity()->run(g));
}

TEST(RemoveIdentity, KeepsIdentityThatNamesAnInputAsOutput) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {2});
  b.output(b.op("Identity", {x}), "y");
  EXPECT_FALSE(make_remove_identity()->run(g));
  EXPECT_EQ(g.num_nodes(), 1u);
}

TEST(RemoveIdentity, KeepsTrainingDropoutAndUsedMask) {
  Graph g;
  GraphBuilder b(g);
  g.opset_imports[""] = 13;
  Value* x = b.input("x", DType::kFloat32, {2});
  Value* t = b.constant("training", Tensor::from_vector<uint8_t>(DType::kBool, {}, {1}));
  Value* r = b.op("Relu", {x});
  b.output(b.op("Dropout", {r, b.constant("ratio", Tensor::scalar_f32(0.5f)), t}), "y");
  Node* masked = b.node("Dropout", {r}, 2);
  b.output(masked->output(1), "mask");
  EXPECT_FALSE(make_remove_identity()->run(g));
  EXPECT_EQ(count_ops(g, "Dropout"), 2);
}

}  // namespace
}  // namespace trex::testing
