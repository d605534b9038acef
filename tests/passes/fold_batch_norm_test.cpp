// fold_batch_norm: BN after Conv, Gemm and MatMul folds into the weights; outputs match.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/verifier.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace trex::testing {
namespace {

Value* add_bn(GraphBuilder& b, Value* x, int64_t c, uint64_t seed, const std::string& name = "bn") {
  return b.op("BatchNormalization",
              {x, b.constant(name + ".g", random_tensor({c}, seed, 0.5f, 1.5f)),
               b.constant(name + ".b", random_tensor({c}, seed + 1)),
               b.constant(name + ".m", random_tensor({c}, seed + 2)),
               b.constant(name + ".v", random_tensor({c}, seed + 3, 0.1f, 2.0f))},
              {{"epsilon", 1e-3f}}, name);
}

/// Runs fold_batch_norm + DCE and checks BN is gone and outputs are unchanged.
void expect_folds(Graph& g, const std::string& input, const std::vector<int64_t>& dims) {
  Tensor x = random_tensor(dims, 11);
  Tensor want = run_reference(g, {{input, x}})[0];
  EXPECT_TRUE(make_fold_batch_norm()->run(g));
  make_dead_node_elimination()->run(g);
  verify(g);
  EXPECT_EQ(count_ops(g, "BatchNormalization"), 0);
  EXPECT_LE(max_abs_diff(run_reference(g, {{input, x}})[0], want), 2e-5f);
}

TEST(FoldBatchNorm, ConvWithoutBias) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {2, 3, 5, 5});
  Value* y = b.op("Conv", {x, b.constant("w", random_tensor({4, 3, 3, 3}, 1))},
                  {{"pads", ints({1, 1, 1, 1})}}, "conv");
  b.output(add_bn(b, y, 4, 20), "y");
  expect_folds(g, "x", {2, 3, 5, 5});
  EXPECT_EQ(g.find_node("conv")->num_inputs(), 3u);
  EXPECT_EQ(g.outputs()[0]->name(), "y");
  EXPECT_EQ(g.outputs()[0]->producer(), g.find_node("conv"));
}

TEST(FoldBatchNorm, GroupedConvWithBias) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {1, 4, 6, 6});
  Value* y = b.op(
      "Conv",
      {x, b.constant("w", random_tensor({8, 2, 3, 3}, 2)), b.constant("b", random_tensor({8}, 3))},
      {{"group", int64_t{2}}, {"strides", ints({2, 2})}});
  b.output(b.op("Relu", {add_bn(b, y, 8, 30)}), "y");
  expect_folds(g, "x", {1, 4, 6, 6});
}

TEST(FoldBatchNorm, GemmBothLayoutsWithAlphaBeta) {
  for (int64_t trans_b : {0, 1}) {
    Graph g;
    GraphBuilder b(g);
    Value* x = b.input("x", DType::kFloat32, {3, 5});
    std::vector<int64_t> wd = trans_b ? std::vector<int64_t>{4, 5} : std::vector<int64_t>{5, 4};
    Value* y = b.op(
        "Gemm", {x, b.constant("w", random_tensor(wd, 4)), b.constant("c", random_tensor({4}, 5))},
        {{"transB", trans_b}, {"alpha", 0.5f}, {"beta", 2.0f}});
    b.output(add_bn(b, y, 4, 40), "y");
    expect_folds(g, "x", {3, 5});
  }
}

TEST(FoldBatchNorm, MatMulGetsABiasAdd) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {3, 5});
  Value* y = b.op("MatMul", {x, b.constant("w", random_tensor({5, 4}, 6))});
  y->set_type({DType::kFloat32, Shape{3, 4}});
  b.output(add_bn(b, y, 4, 50), "y");
  expect_folds(g, "x", {3, 5});
  EXPECT_EQ(count_ops(g, "Add"), 1);
}

TEST(FoldBatchNorm, SharedConvOutputIsNotFolded) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {1, 3, 4, 4});
  Value* y = b.op("Conv", {x, b.constant("w", random_tensor({4, 3, 1, 1}, 7))});
  b.output(add_bn(b, y, 4, 60), "a");
  b.output(b.op("Relu", {y}), "b");
  EXPECT_FALSE(make_fold_batch_norm()->run(g));
}

TEST(FoldBatchNorm, TrainingModeIsNotFolded) {
  Graph g;
  g.opset_imports[""] = 15;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {1, 3, 4, 4});
  Value* y = b.op("Conv", {x, b.constant("w", random_tensor({4, 3, 1, 1}, 8))});
  Value* bn = add_bn(b, y, 4, 70);
  bn->producer()->set_attr("training_mode", int64_t{1});
  b.output(bn, "y");
  EXPECT_FALSE(make_fold_batch_norm()->run(g));
}

}  // namespace
}  // namespace trex::testing

namespace trex::testing {
namespace {

TEST(FoldBatchNorm, TrainingOutputsBeforeOpset14AreNotFolded) {
  // Opset 9: listing the statistics outputs is what makes a BN a training BN.
  Graph g;
  g.opset_imports[""] = 9;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {1, 3, 4, 4});
  Value* y = b.op("Conv", {x, b.constant("w", random_tensor({4, 3, 1, 1}, 9))});
  Node* bn = b.node(
      "BatchNormalization",
      {y, b.constant("g", random_tensor({4}, 1)), b.constant("b", random_tensor({4}, 2)),
       b.constant("m", random_tensor({4}, 3)), b.constant("v", random_tensor({4}, 4, 0.5f, 1.0f))},
      5);
  b.output(bn->output(0), "y");
  EXPECT_FALSE(make_fold_batch_norm()->run(g));
}

TEST(FoldBatchNorm, ZeroChannelsAreLeftAlone) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {1, 3, 4, 4});
  Value* y = b.op("Conv", {x, b.constant("w", Tensor(DType::kFloat32, {0, 3, 1, 1}))});
  b.output(b.op("BatchNormalization", {y, b.constant("g", Tensor(DType::kFloat32, {0})),
                                       b.constant("b", Tensor(DType::kFloat32, {0})),
                                       b.constant("m", Tensor(DType::kFloat32, {0})),
                                       b.constant("v", Tensor(DType::kFloat32, {0}))}),
           "y");
  EXPECT_FALSE(make_fold_batch_norm()->run(g));
}

}  // namespace
}  // namespace trex::testing
