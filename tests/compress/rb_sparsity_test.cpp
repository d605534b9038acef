// rb_sparsity: masks on every covered weight, deterministic in eval ([logit > 0]) and
// sampled in training with gradients reaching the logits; the sparsity loss pulls the kept
// fraction to 1 - level; baking the masks gives a plain model computing what the module
// computes in eval mode; freezing fixes the masks.
#include <gtest/gtest.h>

#include "compress/rb_sparsity.h"
#include "passes/passes.h"
#include "quant/quant_test_util.h"
#include "runtime/session.h"
#include "train/graph_module.h"
#include "util/error.h"

namespace trex::compress {
namespace {

struct MaskedCnn {
  std::shared_ptr<Graph> g;
  std::unique_ptr<train::GraphModule> module;
  std::unique_ptr<RBSparsity> rb;
  std::vector<torch::Tensor> logits;
};

MaskedCnn make(double lr = 0.1) {
  MaskedCnn s;
  s.g = testing::small_cnn(3);
  SparsityConfig c;
  c.algorithm = "rb_sparsity";
  add_rb_masks(*s.g, c);
  s.module = std::make_unique<train::GraphModule>(*s.g);
  s.rb = std::make_unique<RBSparsity>(*s.module, *s.g, lr);
  for (auto& [name, t] : s.module->named_weights())
    if (s.rb->logit_names().count(name)) s.logits.push_back(t);
  return s;
}

TEST(RBSparsity, MasksEveryCoveredWeightStartingAllKept) {
  MaskedCnn s = make();
  int masks = 0;
  for (const Node* n : s.g->nodes()) masks += n->op_type() == kRBSparsify;
  EXPECT_EQ(masks, 3);  // conv1, conv2, fc
  EXPECT_EQ(s.logits.size(), 3u);
  EXPECT_EQ(s.rb->sparsity(), 0.0);
  // Kept fraction 1: the loss for level 0.3 is (0.3 / 0.05)^2.
  EXPECT_NEAR(s.rb->loss(0.3).item<double>(), 36.0, 1e-4);
  // Scoped out: no masks there.
  std::shared_ptr<Graph> g = testing::small_cnn(3);
  SparsityConfig c;
  c.scopes.ignored = {"conv1", "conv2", "fc"};
  EXPECT_THROW(add_rb_masks(*g, c), Error);
}

TEST(RBSparsity, EvalMaskIsDeterministicAndBakingKeepsTheOutput) {
  MaskedCnn s = make();
  {
    torch::NoGradGuard no_grad;
    torch::manual_seed(1);
    for (torch::Tensor& l : s.logits) l.copy_(torch::randn_like(l));  // about half masked
  }
  EXPECT_GT(s.rb->sparsity(), 0.3);
  EXPECT_LT(s.rb->sparsity(), 0.7);
  torch::manual_seed(2);
  torch::Tensor x = torch::rand({4, 3, 12, 12});
  s.module->eval();
  torch::Tensor a, b;
  {
    torch::NoGradGuard no_grad;
    a = s.module->forward(x);
    b = s.module->forward(x);
  }
  EXPECT_TRUE(a.equal(b));
  std::unique_ptr<Graph> trained = s.module->export_graph();
  bake_rb_masks(*trained);
  for (const Node* n : trained->nodes()) EXPECT_NE(n->op_type(), kRBSparsify);
  EXPECT_EQ(trained->opset_imports.count("trex"), 0u);
  std::shared_ptr<Graph> plain = std::move(trained);
  canonicalize(*plain);
  std::map<std::string, Tensor> in;
  in.emplace("input", train::from_torch(x));
  Session session(plain);
  torch::Tensor got = train::to_torch(session.run(in).at(0));
  EXPECT_LT((got - a).abs().max().item<double>(), 1e-4);
}

TEST(RBSparsity, TrainingSamplesMasksAndTheLossMovesTheLogits) {
  MaskedCnn s = make(0.5);
  {
    torch::NoGradGuard no_grad;
    for (torch::Tensor& l : s.logits) l.fill_(0.0);  // p(kept) = 1/2 when sampled
  }
  torch::manual_seed(3);
  torch::Tensor x = torch::rand({2, 3, 12, 12});
  s.module->train();
  torch::Tensor y1 = s.module->forward(x), y2 = s.module->forward(x);
  EXPECT_FALSE(y1.equal(y2)) << "training masks are resampled every pass";
  // The sparsity loss alone, level 0.9: the logits go down.
  for (int i = 0; i < 3; ++i) {
    torch::Tensor loss = s.rb->loss(0.9);
    loss.backward();
    s.rb->step();
  }
  for (const torch::Tensor& l : s.logits) EXPECT_LT(l.max().item<double>(), 0.0);
  EXPECT_GT(s.rb->sparsity(), 0.99);
  // Frozen: saturated logits, no loss, no steps.
  s.rb->freeze();
  EXPECT_TRUE(s.rb->frozen());
  EXPECT_EQ(s.rb->loss(0.1).item<double>(), 0.0);
  for (const torch::Tensor& l : s.logits) {
    EXPECT_EQ(l.abs().min().item<double>(), 20.0);
    EXPECT_FALSE(l.requires_grad());
  }
}

}  // namespace
}  // namespace trex::compress
