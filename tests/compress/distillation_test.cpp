// Knowledge distillation loss: its value for both types, and that minimizing it alone
// moves a student's logits towards the teacher's.
#include "compress/distillation.h"

#include <gtest/gtest.h>

#include "quant/quant_test_util.h"

namespace trex::compress {
namespace {

TEST(Distillation, LossValues) {
  auto teacher = std::make_shared<train::GraphModule>(*testing::small_cnn(1));
  torch::manual_seed(1);
  torch::Tensor x = torch::rand({8, 3, 12, 12});
  torch::Tensor t;
  {
    torch::NoGradGuard ng;
    teacher->eval();
    t = teacher->forward(x);
  }
  torch::Tensor s = t + 0.5;
  DistillationConfig mse;
  mse.scale = 2.0;
  EXPECT_NEAR(distillation_loss(mse, teacher)(x, s).item<double>(), 2.0 * 0.25, 1e-6);
  DistillationConfig soft;
  soft.type = "softmax";
  soft.temperature = 3.0;
  // A constant shift leaves the softmax as is: the loss is T^2 x the teacher's entropy.
  torch::Tensor p = torch::softmax(t / 3.0, 1);
  double entropy = -(p * torch::log(p)).sum(1).mean().item<double>();
  EXPECT_NEAR(distillation_loss(soft, teacher)(x, s).item<double>(), 9.0 * entropy, 1e-4);
}

TEST(Distillation, PullsTheStudentTowardsTheTeacher) {
  for (const char* type : {"mse", "softmax"}) {
    SCOPED_TRACE(type);
    auto teacher = std::make_shared<train::GraphModule>(*testing::small_cnn(1));
    train::GraphModule student(*testing::small_cnn(2));
    DistillationConfig c;
    c.type = type;
    train::ExtraLoss loss = distillation_loss(c, teacher);
    torch::manual_seed(2);
    torch::Tensor x = torch::rand({16, 3, 12, 12});
    // mse matches logits; softmax matches probabilities (logits may shift freely).
    const bool mse = std::string(type) == "mse";
    auto gap = [&] {
      torch::NoGradGuard ng;
      torch::Tensor s = student.forward(x), t = teacher->forward(x);
      if (!mse) s = torch::softmax(s, 1), t = torch::softmax(t, 1);
      return (s - t).pow(2).mean().item<double>();
    };
    student.eval();
    const double before = gap();
    std::vector<torch::Tensor> params;
    for (const auto& [name, w] : student.named_weights()) params.push_back(w);
    torch::optim::Adam opt(params, torch::optim::AdamOptions(0.01));
    for (int i = 0; i < 40; ++i) {
      opt.zero_grad();
      loss(x, student.forward(x)).backward();
      opt.step();
    }
    EXPECT_LT(gap(), before / 2) << before;
  }
}

}  // namespace
}  // namespace trex::compress
