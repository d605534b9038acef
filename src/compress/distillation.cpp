// Knowledge distillation loss (see distillation.h).
#include "compress/distillation.h"

namespace trex::compress {

train::ExtraLoss distillation_loss(const DistillationConfig& config,
                                   std::shared_ptr<train::GraphModule> teacher) {
  teacher->eval();
  const bool mse = config.type == "mse";
  const double scale = config.scale, t = config.temperature;
  return [=](const torch::Tensor& images, const torch::Tensor& student) {
    torch::Tensor target;
    {
      torch::NoGradGuard no_grad;
      target = teacher->forward(images);
    }
    if (mse) return scale * (student - target).pow(2).mean();
    torch::Tensor p = torch::softmax(target / t, 1);
    torch::Tensor log_q = torch::log_softmax(student / t, 1);
    return scale * t * t * -(p * log_q).sum(1).mean();
  };
}

}  // namespace trex::compress
