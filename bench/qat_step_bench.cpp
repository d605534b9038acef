// QAT training-step cost against the FP32 training step of the same model, measured in the
// same run, alternating (issue 6 target: QAT <= 1.5x FP32). Each shipped classification
// architecture at 28x28, batch 128: the FP32 GraphModule, and the QAT module built as
// `trex optimize` builds it (PTQ placement and ranges on the folded model, moved onto the
// model with its BatchNorm layers, fake quantizers inserted).
//   build/trex_qat_step_bench [iterations]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "compress/plan_transfer.h"
#include "compress/qat_graph.h"
#include "onnx/onnx.h"
#include "passes/passes.h"
#include "quant/ptq/pipeline.h"
#include "tasks/classification/model_zoo.h"
#include "train/graph_module.h"
#include "train/training_loop.h"

namespace {

namespace F = torch::nn::functional;

/// Seeded random images as calibration data (ranges only need to be plausible here).
class RandomCalibration : public trex::quant::CalibrationData {
 public:
  explicit RandomCalibration(std::string input) : input_(std::move(input)) {}
  size_t size() const override { return 256; }
  void for_each_batch(const std::vector<size_t>& indices, int batch_size,
                      const std::function<void(const trex::quant::InputBatch&)>& fn) override {
    for (size_t s = 0; s < indices.size(); s += static_cast<size_t>(batch_size)) {
      int64_t n = static_cast<int64_t>(std::min(indices.size() - s, size_t(batch_size)));
      torch::manual_seed(s);
      fn({{input_, trex::train::from_torch(torch::randn({n, 1, 28, 28}))}});
    }
  }

 private:
  std::string input_;
};

double step_seconds(trex::train::GraphModule& m, torch::optim::Optimizer& opt,
                    const torch::Tensor& x, const torch::Tensor& y) {
  auto t0 = std::chrono::steady_clock::now();
  opt.zero_grad();
  F::cross_entropy(m.forward(x), y).backward();
  opt.step();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int iters = argc > 1 ? std::atoi(argv[1]) : 10;
  const int64_t batch = 128;
  trex::LearningParameters lp;
  lp.learning_rate = 0.001;
  std::printf("training step, 28x28, batch %lld, %d threads, %d alternating steps each:\n",
              static_cast<long long>(batch), torch::get_num_threads(), iters);
  std::printf("%-16s %12s %12s %10s\n", "model", "fp32 img/s", "qat img/s", "qat/fp32");
  for (const char* arch : {"resnet18", "mobilenet_v3", "efficientnet_b0"}) {
    std::shared_ptr<trex::Graph> fp32 = trex::classification::build_model(arch, {1, 28, 28, 10, 0});
    trex::infer_shapes(*fp32);
    std::shared_ptr<trex::Graph> folded = fp32->clone();
    trex::canonicalize(*folded);
    RandomCalibration data(folded->inputs()[0]->name());
    trex::quant::PtqConfig cfg;
    cfg.preset = trex::quant::Preset::kMixed;
    cfg.stat_subset_size = 256;
    cfg.bias_correction = trex::quant::BiasCorrectionKind::kNone;
    trex::quant::PtqResult ptq = trex::quant::quantize_model(*folded, data, cfg);
    auto plan = trex::compress::transfer_plan(ptq.plan, *folded, *fp32);
    std::shared_ptr<trex::Graph> qat = trex::compress::build_qat_graph(*fp32, plan);

    trex::train::GraphModule m_fp32(*fp32), m_qat(*qat);
    auto opt_fp32 = trex::train::make_optimizer(lp, m_fp32);
    auto opt_qat = trex::train::make_optimizer(lp, m_qat);
    m_fp32.train();
    m_qat.train();
    torch::manual_seed(0);
    torch::Tensor x = torch::randn({batch, 1, 28, 28});
    torch::Tensor y = torch::randint(0, 10, {batch});
    for (int i = 0; i < 2; ++i) {  // warm-up
      step_seconds(m_fp32, *opt_fp32, x, y);
      step_seconds(m_qat, *opt_qat, x, y);
    }
    double t_fp32 = 0, t_qat = 0;
    for (int i = 0; i < iters; ++i) {
      t_fp32 += step_seconds(m_fp32, *opt_fp32, x, y);
      t_qat += step_seconds(m_qat, *opt_qat, x, y);
    }
    std::printf("%-16s %12.1f %12.1f %9.3fx\n", arch, batch * iters / t_fp32, batch * iters / t_qat,
                t_qat / t_fp32);
    std::fflush(stdout);
  }
  return 0;
}
