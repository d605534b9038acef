// Sparsity schedules reach their levels at their epochs; magnitude sparsity zeroes the
// least important weights to the level asked, keeps them zero through training steps, and
// const_sparsity keeps exactly the zeros it found.
#include <gtest/gtest.h>

#include "compress/magnitude_sparsity.h"
#include "compress/sparsity_schedule.h"
#include "quant/quant_test_util.h"
#include "util/error.h"

namespace trex::compress {
namespace {

SparsityConfig schedule(const std::string& kind) {
  SparsityConfig c;
  c.algorithm = "magnitude_sparsity";
  c.schedule = kind;
  c.sparsity_init = 0.1;
  c.sparsity_target = 0.6;
  c.sparsity_target_epoch = 4;
  c.sparsity_freeze_epoch = 6;
  return c;
}

TEST(SparsitySchedule, ReachesTheTargetAtTheTargetEpoch) {
  for (const char* kind : {"polynomial", "exponential"}) {
    SCOPED_TRACE(kind);
    SparsityConfig c = schedule(kind);
    EXPECT_NEAR(sparsity_level(c, 0), 0.1, 1e-12);
    double last = 0.1;
    for (int e = 1; e < 4; ++e) {
      double l = sparsity_level(c, e);
      EXPECT_GT(l, last);
      EXPECT_LT(l, 0.6);
      last = l;
    }
    EXPECT_NEAR(sparsity_level(c, 4), 0.6, 1e-12);
    EXPECT_NEAR(sparsity_level(c, 9), 0.6, 1e-12);
  }
  // Polynomial shapes: linear at power 1; concave rises faster than convex.
  SparsityConfig p = schedule("polynomial");
  EXPECT_NEAR(sparsity_level(p, 2), 0.35, 1e-12);
  p.power = 3;
  double concave = sparsity_level(p, 1);
  p.concave = false;
  EXPECT_LT(sparsity_level(p, 1), concave);
  // Exponential: 1 - 0.9 exp(-k e) with 0.9 exp(-4k) = 0.4.
  SparsityConfig x = schedule("exponential");
  EXPECT_NEAR(sparsity_level(x, 2), 1 - 0.9 * std::sqrt(0.4 / 0.9), 1e-12);
  // Multistep: levels change at the steps.
  SparsityConfig m = schedule("multistep");
  m.multistep_steps = {2, 5};
  m.multistep_sparsity_levels = {0.2, 0.4, 0.7};
  EXPECT_EQ(sparsity_level(m, 0), 0.2);
  EXPECT_EQ(sparsity_level(m, 1), 0.2);
  EXPECT_EQ(sparsity_level(m, 2), 0.4);
  EXPECT_EQ(sparsity_level(m, 5), 0.7);
  // The first epoch at the final level: the last step, the target epoch, or the freeze.
  EXPECT_EQ(sparsity_final_epoch(m), 5);
  EXPECT_EQ(sparsity_final_epoch(schedule("polynomial")), 4);
  m.sparsity_freeze_epoch = 3;
  EXPECT_EQ(sparsity_final_epoch(m), 3);
  // Adaptive is loss-driven: refused for now.
  EXPECT_THROW(sparsity_level(schedule("adaptive"), 1), Error);
}

TEST(MagnitudeSparsity, HoldsTheLevelThroughTraining) {
  std::shared_ptr<Graph> g = testing::small_cnn(4);
  train::GraphModule m(*g);
  SparsityConfig c = schedule("polynomial");
  c.weight_importance = "abs";
  MagnitudeSparsity s(m, *g, c);
  ASSERT_EQ(s.layers().size(), 3u);  // conv1, conv2, fc
  s.set_level(0.5);
  EXPECT_NEAR(s.sparsity(), 0.5, 0.01);
  std::vector<torch::Tensor> params;
  for (const auto& [name, w] : m.named_weights()) params.push_back(w);
  torch::optim::SGD opt(params, torch::optim::SGDOptions(0.1));
  torch::manual_seed(3);
  torch::Tensor x = torch::rand({8, 3, 12, 12});
  torch::Tensor y = torch::randint(0, 4, {8});
  m.train();
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();
    torch::nn::functional::cross_entropy(m.forward(x), y).backward();
    opt.step();
    s.apply();
  }
  EXPECT_NEAR(s.sparsity(), 0.5, 0.01) << "training regrew masked weights";
  s.set_level(0.8);
  EXPECT_NEAR(s.sparsity(), 0.8, 0.01);

  // normed_abs ranks within each layer's scale: a layer scaled up 100x keeps its share.
  std::shared_ptr<Graph> g2 = testing::small_cnn(4);
  train::GraphModule m2(*g2);
  for (const auto& [name, w] : m2.named_weights())
    if (name == "fc.w") w.detach().mul_(100);
  c.weight_importance = "normed_abs";
  MagnitudeSparsity s2(m2, *g2, c);
  s2.set_level(0.5);
  int64_t fc_zeros = -1;
  for (const auto& l : s2.layers())
    if (l.node == "fc") fc_zeros = l.zeros;
  EXPECT_GT(fc_zeros, 0) << "fc kept all weights despite normed_abs";
}

TEST(MagnitudeSparsity, ConstSparsityKeepsTheZerosItFound) {
  std::shared_ptr<Graph> g = testing::small_cnn(5);
  train::GraphModule m(*g);
  torch::Tensor w1;
  for (const auto& [name, w] : m.named_weights())
    if (name == "conv1.w") w1 = w;
  {
    torch::NoGradGuard ng;
    w1.view(-1).slice(0, 0, 100).zero_();
  }
  SparsityConfig c;
  c.algorithm = "const_sparsity";
  MagnitudeSparsity s(m, *g, c);
  s.keep_current_zeros();
  {
    torch::NoGradGuard ng;
    w1.add_(0.5);  // a training step would move them
  }
  s.apply();
  EXPECT_EQ((w1.view(-1).slice(0, 0, 100) == 0).sum().item<int64_t>(), 100);
  EXPECT_EQ((w1 == 0).sum().item<int64_t>(), 100);
}

}  // namespace
}  // namespace trex::compress
