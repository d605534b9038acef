// The QAT graph: fake quantizers placed and initialized from a PTQ plan compute, in the
// training backend, what the exported QDQ model computes in the INT8 runtime; after training
// steps the export still matches the trained module.
#include "compress/qat_graph.h"

#include <gtest/gtest.h>

#include "quant/insert_qdq.h"
#include "quant/ptq/pipeline.h"
#include "quant/quant_test_util.h"
#include "runtime/session.h"
#include "train/graph_module.h"

namespace trex::compress {
namespace {

/// Mean |a - b| relative to the mean |a| over logits of `x`, and the argmax agreement.
struct Agreement {
  double rel_error = 0, top1 = 0;
};

Agreement compare(train::GraphModule& m, const std::shared_ptr<Graph>& qdq,
                  const torch::Tensor& x) {
  torch::NoGradGuard ng;
  m.eval();
  torch::Tensor ref = m.forward(x);
  Session s(qdq);
  std::map<std::string, Tensor> in;
  in.emplace("input", train::from_torch(x));
  torch::Tensor got = train::to_torch(s.run(in).at(0));
  Agreement a;
  a.rel_error = ((ref - got).abs().mean() / ref.abs().mean()).item<double>();
  a.top1 = (ref.argmax(1) == got.argmax(1)).to(torch::kFloat32).mean().item<double>();
  return a;
}

size_t count_fake_quantizers(const Graph& g) {
  size_t n = 0;
  for (const Node* node : g.nodes()) n += node->op_type() == kFakeQuantize;
  return n;
}

TEST(QatGraph, MatchesTheExportedQdqModelBeforeAndAfterTraining) {
  for (quant::Preset preset : {quant::Preset::kPerformance, quant::Preset::kMixed}) {
    SCOPED_TRACE(preset == quant::Preset::kMixed ? "mixed" : "performance");
    std::shared_ptr<Graph> fp32 = testing::small_cnn(3);
    testing::RandomImages data(64);
    quant::PtqConfig cfg;
    cfg.preset = preset;
    quant::PtqResult ptq = quant::quantize_model(*fp32, data, cfg);
    std::shared_ptr<Graph> qat = build_qat_graph(*fp32, ptq.plan);
    EXPECT_EQ(count_fake_quantizers(*qat),
              ptq.plan.setup.activations.size() + ptq.plan.weights.size());

    torch::manual_seed(4);
    torch::Tensor x = torch::rand({32, 3, 12, 12});
    train::GraphModule m(*qat);
    // Straight from the plan: the QAT module is the PTQ model.
    Agreement before = compare(m, ptq.model, x);
    EXPECT_LT(before.rel_error, 0.01);
    EXPECT_GE(before.top1, 0.95);

    // A few training steps move weights and quantizer ranges; the export follows them.
    m.train();
    // Ranges at the weights' rate: their gradients are scaled (LSQ) to allow that.
    std::vector<torch::Tensor> params;
    for (const auto& [name, t] : m.named_weights()) params.push_back(t);
    torch::optim::SGD opt(params, torch::optim::SGDOptions(0.05));
    torch::Tensor target = torch::randint(0, 4, {32});
    for (int step = 0; step < 5; ++step) {
      opt.zero_grad();
      torch::nn::functional::cross_entropy(m.forward(x), target).backward();
      opt.step();
    }
    std::unique_ptr<Graph> trained = m.export_graph();
    QatExport e = export_qat_graph(*trained, ptq.plan);
    EXPECT_EQ(count_fake_quantizers(*e.fp32), 0u);
    bool moved = false;
    for (const auto& [v, p] : e.plan.activations)
      moved = moved || p.scale != ptq.plan.activations.at(v).scale;
    EXPECT_TRUE(moved) << "training did not change any activation range";
    std::shared_ptr<Graph> qdq = quant::build_qdq_model(*e.fp32, e.plan);
    Agreement after = compare(m, qdq, x);
    EXPECT_LT(after.rel_error, 0.01);
    EXPECT_GE(after.top1, 0.95);
    // And differs from the untrained PTQ model, so the comparison is not vacuous.
    EXPECT_GT(compare(m, ptq.model, x).rel_error, after.rel_error);
  }
}

}  // namespace
}  // namespace trex::compress
