// Quantizer formats of the compression config beyond the defaults: per-tensor weights,
// activations of fewer than 8 bits, forced signedness, per-scope modes, quantizers on the
// model outputs, log-parametrized scales, weights or activations left float by group
// scopes. For each, the QAT module on a model with BatchNorm layers computes what the PTQ
// model does before training and what its exported INT8 QDQ model computes in the runtime
// after training steps.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

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

std::vector<const Node*> nodes_of(const Graph& g, const std::string& op) {
  std::vector<const Node*> out;
  for (const Node* n : g.nodes())
    if (n->op_type() == op) out.push_back(n);
  return out;
}

/// What one configuration produced: the PTQ result on the folded model, the plan on the
/// BatchNorm model, the QAT graph and the exported INT8 model after training.
struct QatRun {
  quant::PtqResult ptq;
  quant::QuantizationPlan plan;
  std::shared_ptr<Graph> qat, int8;
};

/// PTQ on the folded model, the plan moved onto the BatchNorm model, the QAT graph built
/// (log scales when asked), checked against the PTQ model, trained five steps, exported and
/// checked against the runtime.
QatRun qat_run(const quant::PtqConfig& config, bool log_scales = false) {
  QatRun r;
  std::shared_ptr<Graph> bn = testing::small_cnn_with_batch_norm();
  std::shared_ptr<Graph> folded = bn->clone();
  canonicalize(*folded);
  testing::RandomImages data(64);
  quant::PtqConfig cfg = config;
  cfg.bias_correction = quant::BiasCorrectionKind::kNone;
  r.ptq = quant::quantize_model(*folded, data, cfg);
  r.plan = transfer_plan(r.ptq.plan, *folded, *bn);
  r.qat = build_qat_graph(*bn, r.plan);
  if (log_scales) use_log_scales(*r.qat, true, true);
  train::GraphModule m(*r.qat);
  torch::manual_seed(3);
  torch::Tensor x = torch::rand({32, 3, 12, 12});
  {
    torch::NoGradGuard ng;
    m.eval();
    EXPECT_LT(rel_error(m.forward(x), run_runtime(r.ptq.model, x)), 0.01) << "before training";
  }
  std::vector<torch::Tensor> params;
  for (const auto& [name, t] : m.named_weights()) params.push_back(t);
  torch::optim::SGD opt(params, torch::optim::SGDOptions(0.05));
  torch::Tensor target = torch::randint(0, 4, {32});
  m.train();
  for (int step = 0; step < 5; ++step) {
    opt.zero_grad();
    torch::nn::functional::cross_entropy(m.forward(x), target).backward();
    opt.step();
  }
  std::unique_ptr<Graph> trained = m.export_graph();
  r.int8 = export_qdq_model(*trained, r.plan);
  torch::NoGradGuard ng;
  m.eval();
  torch::Tensor ref = m.forward(x), got = run_runtime(r.int8, x);
  EXPECT_LT(rel_error(ref, got), 0.01) << "after training";
  EXPECT_GE((ref.argmax(1) == got.argmax(1)).to(torch::kFloat32).mean().item<double>(), 0.95);
  EXPECT_GT(rel_error(ref, run_runtime(r.ptq.model, x)), rel_error(ref, got)) << "vacuous";
  return r;
}

/// The fake quantizer of weight `node` or of activation value `value` in a QAT graph.
const Node* weight_fq(const Graph& qat, const std::string& node) {
  return qat.find_node(node)->input(1)->producer();
}

TEST(QatFormats, PerTensorWeights) {
  quant::PtqConfig c;
  c.weights.per_channel = false;
  c.weights_by_node["fc"] = {8, true};
  QatRun r = qat_run(c);
  // PTQ (no BatchNorm left): one scale, exported as a per-tensor DequantizeLinear.
  const quant::QuantizedWeight& w = r.ptq.plan.weights.at("conv2");
  EXPECT_FALSE(w.per_channel);
  for (float s : w.scales) EXPECT_EQ(s, w.scales[0]);
  const Node* dq = r.ptq.model->find_node("conv2")->input(1)->producer();
  ASSERT_EQ(dq->op_type(), "DequantizeLinear");
  EXPECT_EQ(dq->input(1)->constant().numel(), 1);
  EXPECT_GT(r.ptq.model->find_node("fc")->input(1)->producer()->input(1)->constant().numel(), 1);
  // QAT: one trained scale on the BatchNorm model's weight, max|w| / 127 there.
  const Node* fq = weight_fq(*r.qat, "conv1");
  ASSERT_EQ(fq->op_type(), kFakeQuantize);
  ASSERT_EQ(fq->input(1)->constant().numel(), 1);
  const Tensor& wt = fq->input(0)->constant();
  float top = 0;
  for (int64_t i = 0; i < wt.numel(); ++i) top = std::max(top, std::fabs(wt.data<float>()[i]));
  EXPECT_FLOAT_EQ(fq->input(1)->constant().data<float>()[0], top / 127);
  EXPECT_EQ(weight_fq(*r.qat, "fc")->input(1)->constant().numel(), 4);
  // The fold scales channels differently: the export is per channel (and exact, see run).
  EXPECT_EQ(r.int8->find_node("conv1")->input(1)->producer()->input(1)->constant().numel(), 8);
}

TEST(QatFormats, NarrowActivationGrids) {
  quant::PtqConfig c;
  c.activation_spec.bits = 4;
  c.activation_spec_by_value["input"].bits = 6;
  QatRun r = qat_run(c);
  for (const auto& [value, p] : r.ptq.plan.activations) {
    EXPECT_EQ(p.bits, value == "input" ? 6 : 4) << value;
    EXPECT_EQ(p.level_high(), p.is_unsigned ? (1 << p.bits) - 1 : (1 << (p.bits - 1)) - 1);
  }
  // Each QuantizeLinear reads a Clip to its grid, so ONNX runtimes compute the same.
  for (const std::shared_ptr<Graph>& g : {r.ptq.model, r.int8}) {
    std::vector<const Node*> qs = nodes_of(*g, "QuantizeLinear");
    ASSERT_EQ(qs.size(), r.ptq.plan.activations.size());
    for (const Node* q : qs) {
      const Node* clip = q->input(0)->producer();
      ASSERT_TRUE(clip && clip->op_type() == "Clip") << q->name();
      const float s = q->input(1)->constant().data<float>()[0];
      const float hi = clip->input(2)->constant().data<float>()[0];
      const double levels = hi / s;
      EXPECT_NEAR(levels, std::nearbyint(levels), 1e-3);
      EXPECT_LE(levels, 63.0 + 1e-3);
    }
  }
  for (const Node* n : nodes_of(*r.qat, kFakeQuantize))
    if (!n->input(0)->is_constant()) EXPECT_LE(n->attr_int("level_high", 255), 63) << n->name();
}

TEST(QatFormats, ForcedSignednessAndPerScopeModes) {
  quant::PtqConfig c;
  c.activation_spec.is_signed = true;
  c.activation_spec_by_value["input"].symmetric = false;  // asymmetric under performance
  QatRun r = qat_run(c);
  for (const auto& [value, p] : r.ptq.plan.activations) {
    EXPECT_EQ(p.symmetric, value != "input") << value;
    if (p.symmetric) EXPECT_FALSE(p.is_unsigned) << value << ": signed was forced";
  }
  int asymmetric = 0;
  for (const Node* n : nodes_of(*r.qat, kFakeQuantize))
    asymmetric += n->attr_string("mode", "") == "asymmetric";
  EXPECT_EQ(asymmetric, 1);

  quant::PtqConfig u;
  u.activation_spec.is_signed = false;  // unsigned even where the data is negative
  QatRun ru = qat_run(u);
  for (const auto& [value, p] : ru.ptq.plan.activations) EXPECT_TRUE(p.is_unsigned) << value;
}

TEST(QatFormats, QuantizedOutputsKeepTheirNames) {
  quant::PtqConfig c;
  c.quantize_outputs = true;
  QatRun r = qat_run(c);
  for (const std::shared_ptr<Graph>& g : {r.ptq.model, r.int8}) {
    ASSERT_EQ(g->outputs().size(), 1u);
    EXPECT_EQ(g->outputs()[0]->name(), "logits");
    EXPECT_EQ(g->outputs()[0]->producer()->op_type(), "DequantizeLinear");
  }
  EXPECT_EQ(r.qat->outputs()[0]->producer()->op_type(), kFakeQuantize);
}

TEST(QatFormats, LogarithmScale) {
  QatRun r = qat_run({}, true);
  int log_scaled = 0;
  for (const Node* n : nodes_of(*r.qat, kFakeQuantize)) {
    log_scaled += n->attr_int("log_scale", 0) == 1;
    const bool asym = n->attr_string("mode", "") == "asymmetric";
    // The stored parameter is the log: negative for these ranges (scales below 1).
    EXPECT_LT(n->input(asym ? 2 : 1)->constant().data<float>()[0], 0.0f) << n->name();
  }
  EXPECT_EQ(log_scaled, static_cast<int>(nodes_of(*r.qat, kFakeQuantize).size()));
}

TEST(QatFormats, GroupScopesLeaveWeightsOrActivationsFloat) {
  quant::PtqConfig c;
  c.float_weights = {"conv2"};
  c.float_activations = {"input"};
  QatRun r = qat_run(c);
  EXPECT_FALSE(r.ptq.plan.weights.count("conv2"));
  EXPECT_FALSE(r.ptq.plan.activations.count("input"));
  EXPECT_TRUE(r.int8->find_node("conv2")->input(1)->is_constant());
  EXPECT_EQ(r.int8->find_node("conv1")->input(0)->name(), "input");
  EXPECT_EQ(r.int8->find_node("conv1")->input(1)->producer()->op_type(), "DequantizeLinear");
}

}  // namespace
}  // namespace trex::compress
