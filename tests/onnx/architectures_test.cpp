// Real-architecture models at opset 9 (built in code, since no model hub is reachable):
// each exports through ONNX's checker, re-imports to the same graph, and canonicalizes to
// a graph without BN-after-Conv, Dropout, Identity or shape chains that computes the same
// outputs as the original.
#include <gtest/gtest.h>

#include <cmath>

#include "ir/printer.h"
#include "ir/verifier.h"
#include "onnx/architectures.h"
#include "onnx/onnx.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace trex::testing {
namespace {

class Architecture : public ::testing::TestWithParam<std::string> {};

std::unique_ptr<Graph> import_small(const std::string& name, int64_t batch) {
  ArchOptions o;
  o.image = 32;
  o.width_div = 8;
  o.num_classes = 10;
  o.batch = batch;
  auto built = build_architecture(name, o);
  verify(*built);
  return load_onnx_bytes(serialize_onnx(*built), name + ".onnx", "");
}

TEST_P(Architecture, RoundTripsAtOpset9) {
  auto g = import_small(GetParam(), 2);
  EXPECT_EQ(g->opset(), 9);
  ASSERT_EQ(g->outputs().size(), 1u);
  ASSERT_NE(g->outputs()[0]->shape(), nullptr) << "shape inference gave no output shape";
  EXPECT_EQ(g->outputs()[0]->shape()->to_string(), "[2,10]");
  auto again = load_onnx_bytes(serialize_onnx(*g), "again.onnx", "");
  EXPECT_EQ(to_text(*g), to_text(*again));
}

TEST_P(Architecture, CanonicalizesAndKeepsOutputs) {
  auto g = import_small(GetParam(), 2);
  auto canon = g->clone();
  PipelineOptions po;
  po.verify_each_pass = true;
  canonicalize(*canon, po);
  verify(*canon);
  EXPECT_EQ(count_ops(*canon, "Dropout"), 0);
  EXPECT_EQ(count_ops(*canon, "Identity"), 0);
  EXPECT_EQ(count_ops(*canon, "Shape"), 0) << "static shape chains should fold";
  EXPECT_EQ(count_ops(*canon, "Gather"), 0);
  for (Node* n : canon->nodes())
    if (n->op_type() == "BatchNormalization") {
      Node* p = n->input(0)->producer();
      EXPECT_TRUE(!p || (p->op_type() != "Conv" && p->op_type() != "Gemm") ||
                  n->input(0)->uses().size() > 1)
          << n->name() << " should have been folded into " << p->name();
    }
  EXPECT_LT(canon->num_nodes(), g->num_nodes());
  serialize_onnx(*canon, /*check=*/true);

  Tensor x = random_tensor({2, 3, 32, 32}, 7);
  Tensor want = run_reference(*g, {{"input", x}})[0];
  Tensor got = run_reference(*canon, {{"input", x}})[0];
  float scale = 1.0f;
  for (int64_t i = 0; i < want.numel(); ++i)
    scale = std::max(scale, std::fabs(want.data<float>()[i]));
  EXPECT_LE(max_abs_diff(want, got), 1e-4f * scale);
}

TEST_P(Architecture, SymbolicBatchKeepsDynamicShapeChain) {
  auto g = import_small(GetParam(), 0);
  EXPECT_EQ(g->inputs()[0]->shape()->to_string(), "[N,3,32,32]");
  canonicalize(*g);
  verify(*g);
  EXPECT_GE(count_ops(*g, "Shape"), 1) << "the batch is dynamic: its Shape must stay";
  auto again = load_onnx_bytes(serialize_onnx(*g), "again.onnx", "");
  EXPECT_EQ(to_text(*g), to_text(*again));
}

INSTANTIATE_TEST_SUITE_P(Onnx, Architecture, ::testing::ValuesIn(architecture_names()));

}  // namespace
}  // namespace trex::testing
