// QAT with BatchNorm layers: the plan made on the folded model moves onto the model with
// its BatchNorm layers and back exactly, BatchNorm adaptation sets the running statistics
// to the average batch statistics, and after training steps with the layers in training
// mode the exported (folded) INT8 QDQ model computes what the QAT module computes.
#include <gtest/gtest.h>

#include "compress/bn_adaptation.h"
#include "compress/plan_transfer.h"
#include "compress/qat_graph.h"
#include "compress/qat_test_util.h"
#include "passes/passes.h"
#include "quant/ptq/pipeline.h"
#include "quant/quant_test_util.h"
#include "train/graph_module.h"

namespace trex::compress {
namespace {

using testing::rel_error;
using testing::run_runtime;

TEST(QatBatchNorm, PlanMovesAcrossTheFoldExactly) {
  std::shared_ptr<Graph> bn = testing::small_cnn_with_batch_norm();
  std::shared_ptr<Graph> folded = bn->clone();
  canonicalize(*folded);
  ASSERT_EQ(folded->find_node("conv1_bn"), nullptr) << "the test needs the fold to happen";
  testing::RandomImages data(64);
  quant::PtqConfig cfg;
  cfg.bias_correction = quant::BiasCorrectionKind::kNone;
  quant::PtqResult ptq = quant::quantize_model(*folded, data, cfg);

  quant::QuantizationPlan on_bn = transfer_plan(ptq.plan, *folded, *bn);
  // conv1's channel 2 scale divides by |gamma / sqrt(var + eps)|; its int8 values flip sign.
  const float k2 = 0.8f / std::sqrt(0.3f + 0.2f + 1e-5f);
  EXPECT_NEAR(on_bn.weights.at("conv1").scales[2] * k2, ptq.plan.weights.at("conv1").scales[2],
              1e-6f * ptq.plan.weights.at("conv1").scales[2]);
  const Tensor& before = ptq.plan.weights.at("conv1").values;
  const Tensor& after = on_bn.weights.at("conv1").values;
  const int64_t per = before.numel() / 8;
  for (int64_t i = 2 * per; i < 3 * per; ++i)
    EXPECT_EQ(after.data<int8_t>()[i], -before.data<int8_t>()[i]);
  // Activation quantizers sit on what their consumers read in the BN model.
  for (const auto& a : on_bn.setup.activations) {
    ASSERT_TRUE(on_bn.activations.count(a.value));
    for (const auto& [node, index] : a.consumers)
      EXPECT_EQ(bn->find_node(node)->input(index)->name(), a.value) << node;
  }

  // And back: the same int8 values and (to rounding) the same scales.
  quant::QuantizationPlan back = transfer_plan(on_bn, *bn, *folded);
  for (const auto& [node, w] : ptq.plan.weights) {
    const quant::QuantizedWeight& b = back.weights.at(node);
    for (size_t c = 0; c < w.scales.size(); ++c)
      EXPECT_NEAR(b.scales[c], w.scales[c], 1e-6f * w.scales[c]) << node;
    int64_t same = 0;
    for (int64_t i = 0; i < w.values.numel(); ++i)
      same += b.values.data<int8_t>()[i] == w.values.data<int8_t>()[i];
    EXPECT_EQ(same, w.values.numel()) << node;
  }

  // The QAT module on the BN model is the PTQ model of the folded one.
  train::GraphModule m(*build_qat_graph(*bn, on_bn));
  torch::manual_seed(1);
  torch::Tensor x = torch::rand({32, 3, 12, 12});
  torch::NoGradGuard ng;
  m.eval();
  EXPECT_LT(rel_error(m.forward(x), run_runtime(ptq.model, x)), 0.01);
}

TEST(QatBatchNorm, AdaptationAveragesBatchStatistics) {
  auto g = std::make_shared<Graph>();
  g->opset_imports = {{"", 13}};
  GraphBuilder b(*g);
  Value* x = b.input("x", DType::kFloat32, Shape({Dim::symbolic("N"), Dim(3), Dim(4), Dim(4)}));
  auto c = [&](const char* n, float v) {
    return b.constant(n, Tensor::from_vector<float>(DType::kFloat32, {3}, {v, v, v}));
  };
  b.output(b.op("BatchNormalization", {x, c("s", 1), c("b", 0), c("m", 0), c("v", 1)},
                {{"momentum", Attribute(0.9f)}}, "bn"),
           "y");
  train::GraphModule m(*g);
  torch::manual_seed(2);
  std::vector<torch::Tensor> batches;
  for (int i = 0; i < 3; ++i) batches.push_back(torch::randn({5, 3, 4, 4}) * (i + 1) + i);
  batches.push_back(torch::randn({1, 3, 4, 4}) + 100);  // one image: skipped
  size_t next = 0;
  int seen = adapt_batch_norm(m, *g, [&](torch::Tensor& t) {
    if (next == batches.size()) return false;
    t = batches[next++];
    return true;
  });
  EXPECT_EQ(seen, 3);
  torch::Tensor mean = torch::zeros({3}), var = torch::zeros({3});
  for (size_t i = 0; i < 3; ++i) {
    const torch::Tensor& t = batches[i];
    mean += t.mean({0, 2, 3}) / 3;
    var += t.var({0, 2, 3}, /*unbiased=*/true) / 3;
  }
  int checked = 0;
  for (const auto& [name, t] : m.named_state()) {
    if (name == "m") {
      EXPECT_TRUE(torch::allclose(t, mean, 1e-4, 1e-5)) << t << mean;
      ++checked;
    }
    if (name == "v") {
      EXPECT_TRUE(torch::allclose(t, var, 1e-4, 1e-5)) << t << var;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2);
  EXPECT_FALSE(m.is_training());
}

TEST(QatBatchNorm, TrainedModuleExportsToTheSameInt8Model) {
  std::shared_ptr<Graph> bn = testing::small_cnn_with_batch_norm();
  std::shared_ptr<Graph> folded = bn->clone();
  canonicalize(*folded);
  testing::RandomImages data(64);
  quant::PtqConfig cfg;
  cfg.preset = quant::Preset::kMixed;
  cfg.bias_correction = quant::BiasCorrectionKind::kNone;
  quant::PtqResult ptq = quant::quantize_model(*folded, data, cfg);
  quant::QuantizationPlan plan = transfer_plan(ptq.plan, *folded, *bn);
  std::shared_ptr<Graph> qat = build_qat_graph(*bn, plan);
  train::GraphModule m(*qat);
  torch::manual_seed(3);
  torch::Tensor x = torch::rand({32, 3, 12, 12});
  std::vector<torch::Tensor> params;
  for (const auto& [name, t] : m.named_weights()) params.push_back(t);
  torch::optim::SGD opt(params, torch::optim::SGDOptions(0.05));
  torch::Tensor target = torch::randint(0, 4, {32});
  m.train();  // BatchNorm on batch statistics, running statistics updated
  for (int step = 0; step < 5; ++step) {
    opt.zero_grad();
    torch::nn::functional::cross_entropy(m.forward(x), target).backward();
    opt.step();
  }
  std::unique_ptr<Graph> trained = m.export_graph();
  std::shared_ptr<Graph> int8 = export_qdq_model(*trained, plan);
  for (const Node* n : int8->nodes()) EXPECT_NE(n->op_type(), "BatchNormalization");
  bool qat_tag = false;
  for (const auto& [k, v] : int8->metadata)
    qat_tag = qat_tag || (k == "trex.quantized" && v == "qat");
  EXPECT_TRUE(qat_tag);
  torch::NoGradGuard ng;
  m.eval();
  torch::Tensor ref = m.forward(x), got = run_runtime(int8, x);
  EXPECT_LT(rel_error(ref, got), 0.01);
  EXPECT_GE((ref.argmax(1) == got.argmax(1)).to(torch::kFloat32).mean().item<double>(), 0.95);
  // Not vacuous: training moved the model away from the initial PTQ model.
  EXPECT_GT(rel_error(ref, run_runtime(ptq.model, x)), rel_error(ref, got));
}

}  // namespace
}  // namespace trex::compress
