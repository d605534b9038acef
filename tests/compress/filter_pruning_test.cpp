// Filter pruning: the channel groups of the shipped models (residual groups, squeeze-
// excitation, depthwise layers), the exported model with the pruned filters removed computes
// exactly what the masked training module computes, FLOPs targets are met with the smallest
// fraction, importance criteria rank filters as defined, and the schedules reach their
// targets at their epochs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "compress/filter_pruning.h"
#include "compress/pruning_schedule.h"
#include "compress/qat_graph.h"
#include "compress/qat_test_util.h"
#include "compress/rb_sparsity.h"
#include "ir/model_summary.h"
#include "passes/passes.h"
#include "quant/ptq/pipeline.h"
#include "quant/quant_test_util.h"
#include "train/checkpoint.h"
#include "train/graph_module.h"
#include "util/error.h"

namespace trex::compress {
namespace {

using testing::rel_error;
using testing::run_runtime;

std::shared_ptr<Graph> shipped(const std::string& model) {
  return train::load_checkpoint(std::string(TREX_RECIPES_DIR) + "/../models/classification/" +
                                model + "/checkpoint.pt")
      .graph;
}

torch::Tensor eval_forward(train::GraphModule& module, const torch::Tensor& x) {
  module.eval();
  torch::NoGradGuard no_grad;
  return module.forward(x);
}

/// The module's graph with the pruned channels removed.
std::unique_ptr<Graph> pruned_graph(const train::GraphModule& module, const FilterPruning& p) {
  std::unique_ptr<Graph> g = module.export_graph();
  remove_pruned_channels(*g, p.groups(), p.pruned());
  return g;
}

const PruningGroup& group(const std::vector<PruningGroup>& groups, const std::string& name) {
  for (const PruningGroup& p : groups)
    if (p.name == name) return p;
  throw std::runtime_error("no group " + name);
}

TEST(PruningGroups, ResNetResidualGroupsAndTheDefaults) {
  std::shared_ptr<Graph> g = shipped("resnet18");
  FilterPruningConfig c;
  std::vector<PruningGroup> groups = find_pruning_groups(*g, c);
  // The stem and the non-downsampling blocks' outputs are one residual group.
  const PruningGroup& stem = group(groups, "stem.conv");
  EXPECT_EQ(stem.producers,
            (std::vector<std::string>{"stem.conv", "layer1.0.1.conv", "layer1.1.1.conv"}));
  EXPECT_FALSE(stem.prunable);
  EXPECT_NE(stem.reason.find("prune_first_conv"), std::string::npos) << stem.reason;
  EXPECT_NE(group(groups, "layer2.0.1.conv").reason.find("prune_downsample_convs"),
            std::string::npos);
  // A block's inner convolution is its own group: its filters, its BatchNorm, and the
  // next convolution's input channels.
  const PruningGroup& inner = group(groups, "layer1.0.0.conv");
  EXPECT_TRUE(inner.prunable) << inner.reason;
  EXPECT_EQ(inner.producers, std::vector<std::string>{"layer1.0.0.conv"});
  int masked = 0, inputs = 0;
  for (const PruningGroup::Slice& s : inner.slices) {
    masked += s.masked;
    inputs += s.axis == 1;
  }
  EXPECT_EQ(masked, 3);  // filters, BatchNorm scale and bias (this conv has no bias)
  EXPECT_EQ(inputs, 1);  // layer1.0.1.conv's input channels
  int prunable = 0;
  for (const PruningGroup& p : groups) prunable += p.prunable;
  EXPECT_EQ(prunable, 5);
  // Allowing first and downsampling convolutions makes every group prunable except the
  // classifier's input group... which is the last residual group: it feeds Gemm, fine.
  c.prune_first_conv = c.prune_downsample_convs = true;
  for (const PruningGroup& p : find_pruning_groups(*g, c)) EXPECT_TRUE(p.prunable) << p.name;
  // An ignored producer keeps its group whole.
  c.scopes.ignored = {"{re}layer1\\.0\\..*"};
  EXPECT_FALSE(group(find_pruning_groups(*g, c), "layer1.0.0.conv").prunable);
  EXPECT_FALSE(group(find_pruning_groups(*g, c), "stem.conv").prunable);
}

// The exported model (pruned channels removed, BatchNorm folded) equals the masked module.
void expect_export_exact(const std::string& model, double level, bool flops) {
  SCOPED_TRACE(model);
  std::shared_ptr<Graph> g = shipped(model);
  train::GraphModule module(*g);
  FilterPruningConfig c;
  c.prune_first_conv = c.prune_downsample_convs = true;
  c.filter_importance = "L1";
  if (flops) c.pruning_flops_target = level;
  FilterPruning pruning(module, *g, c);
  pruning.set_level(level);
  size_t pruned = 0;
  for (const auto& [name, ch] : pruning.pruned()) pruned += ch.size();
  ASSERT_GT(pruned, 0u);
  if (flops) EXPECT_GE(pruning.macs_removed(), level);

  torch::manual_seed(3);
  torch::Tensor x = torch::rand({4, 1, 28, 28});
  torch::Tensor expected = eval_forward(module, x);
  std::unique_ptr<Graph> trained = pruned_graph(module, pruning);
  std::shared_ptr<Graph> out = std::move(trained);
  canonicalize(*out);
  const int64_t macs = summarize(*out).macs, full = summarize(*g).macs;
  EXPECT_NEAR(1.0 - static_cast<double>(macs) / full, pruning.macs_removed(), 1e-12);
  torch::Tensor got = run_runtime(out, x);
  EXPECT_LT((got - expected).abs().max().item<double>(),
            1e-4 * (1 + expected.abs().max().item<double>()));
  // Fewer parameters than the unpruned folded model.
  std::shared_ptr<Graph> folded = g->clone();
  canonicalize(*folded);
  EXPECT_LT(summarize(*out).parameter_count, summarize(*folded).parameter_count);
}

TEST(FilterPruning, ExportEqualsTheMaskedModuleResNet) {
  expect_export_exact("resnet18", 0.3, true);
}
TEST(FilterPruning, ExportEqualsTheMaskedModuleMobileNetV3) {
  expect_export_exact("mobilenet_v3", 0.5, false);
}
TEST(FilterPruning, ExportEqualsTheMaskedModuleEfficientNet) {
  expect_export_exact("efficientnet_b0", 0.3, true);
}

TEST(FilterPruning, SqueezeExcitationAndDepthwiseJoinTheExpansionGroup) {
  std::shared_ptr<Graph> g = shipped("mobilenet_v3");
  FilterPruningConfig c;
  int with_depthwise = 0, multi_producer = 0;
  for (const PruningGroup& p : find_pruning_groups(*g, c)) {
    with_depthwise += !p.depthwise.empty();
    multi_producer += p.producers.size() > 1 && !p.depthwise.empty();
  }
  EXPECT_GT(with_depthwise, 5);
  EXPECT_GT(multi_producer, 0);  // expansion conv + the excitation's second conv
}

TEST(FilterPruning, FlopsTargetUsesTheSmallestFraction) {
  std::shared_ptr<Graph> g = shipped("resnet18");
  train::GraphModule module(*g);
  FilterPruningConfig c;
  c.pruning_flops_target = 0.3;
  FilterPruning p(module, *g, c);
  p.set_level(0.3);
  EXPECT_GE(p.macs_removed(), 0.3);
  // Kept channels are multiples of 8; one fewer pruned step would miss the target.
  for (const PruningGroup& grp : p.groups())
    if (grp.prunable) EXPECT_EQ((grp.channels - p.pruned().at(grp.name).size()) % 8, 0u);
  FilterPruningConfig f;
  train::GraphModule m2(*g);
  FilterPruning by_fraction(m2, *g, f);
  by_fraction.set_level(p.filter_fraction() - 0.02);
  EXPECT_LT(by_fraction.macs_removed(), 0.3);
  // Out of reach: names the key.
  try {
    p.set_level(0.95);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pruning_flops_target"), std::string::npos);
  }
}

TEST(FilterPruning, ImportanceCriteria) {
  // ResNet-18's layer1.0.0.conv (24 filters of 216 values), its filters set so the criteria
  // disagree on the most important one: f0 one value 20 (L1 20, L2 20), f1 all 0.5 (L1 108,
  // L2 7.3), the 22 others one value 10 at f0's position (L1 = L2 = 10, identical). The
  // geometric median criterion keeps the filter farthest from the rest: f1 (distance 12 to
  // each of the 22, f0's is 10).
  std::shared_ptr<Graph> g = shipped("resnet18");
  train::GraphModule module(*g);
  const std::string w = g->find_node("layer1.0.0.conv")->input(1)->name();
  torch::Tensor wt;
  for (auto& [name, t] : module.named_weights())
    if (name == w) wt = t;
  ASSERT_TRUE(wt.defined());
  ASSERT_EQ(wt.size(0), 24);
  auto set_filters = [&] {  // (pruning zeroes filters of the module: set them each time)
    torch::NoGradGuard no_grad;
    torch::Tensor f = wt.view({24, -1});
    f.zero_();
    f.slice(0, 2, 24).select(1, 0).fill_(10);
    f[0][0] = 20;
    f[1].fill_(0.5);
  };
  auto kept = [&](const std::string& criterion) {
    set_filters();
    FilterPruningConfig c;
    c.filter_importance = criterion;
    FilterPruning p(module, *g, c);
    p.set_level(1.0);  // all but one filter (kept counts round to 8; one at least)
    const std::vector<int64_t>& pruned = p.pruned().at("layer1.0.0.conv");
    EXPECT_EQ(pruned.size(), 23u);
    for (int64_t i = 0; i < 24; ++i)
      if (std::find(pruned.begin(), pruned.end(), i) == pruned.end()) return i;
    return int64_t{-1};
  };
  EXPECT_EQ(kept("L1"), 1);
  EXPECT_EQ(kept("L2"), 0);
  EXPECT_EQ(kept("geometric_median"), 1);
  // L2 at 2/3: 16 go, f1 (the lowest) first, then the tied f2..f16 by channel index.
  set_filters();
  FilterPruningConfig c;
  FilterPruning p(module, *g, c);
  p.set_level(2.0 / 3);
  std::vector<int64_t> expect(16);
  std::iota(expect.begin(), expect.end(), 1);
  EXPECT_EQ(p.pruned().at("layer1.0.0.conv"), expect);
}

TEST(PruningSchedule, ReachesTheTargetAtTheLastPruningEpoch) {
  FilterPruningConfig c;
  c.pruning_init = 0.1;
  c.pruning_target = 0.5;
  c.num_init_steps = 1;
  c.pruning_steps = 4;
  for (const char* kind : {"exponential", "exponential_with_bias"}) {
    SCOPED_TRACE(kind);
    c.schedule = kind;
    EXPECT_EQ(pruning_final_epoch(c), 5);
    EXPECT_DOUBLE_EQ(pruning_level(c, 0), 0.1);
    EXPECT_DOUBLE_EQ(pruning_level(c, 1), 0.1);    // warm-up
    EXPECT_NEAR(pruning_level(c, 2), 0.1, 1e-12);  // x = 0: the start of the curve
    double last = 0.1;
    for (int e = 3; e < 5; ++e) {
      EXPECT_GT(pruning_level(c, e), last);
      EXPECT_LT(pruning_level(c, e), 0.5);
      last = pruning_level(c, e);
    }
    EXPECT_DOUBLE_EQ(pruning_level(c, 5), 0.5);
    EXPECT_DOUBLE_EQ(pruning_level(c, 50), 0.5);
  }
  // Exponential: density falls geometrically, 0.9 -> 0.5 over T = 3 steps.
  c.schedule = "exponential";
  EXPECT_NEAR(pruning_level(c, 3), 1 - 0.9 * std::pow(0.5 / 0.9, 1.0 / 3), 1e-12);
  // With bias: through (T/8, 3/4 of the target): with T = 8 at x = 1 (epoch W + 2).
  c.schedule = "exponential_with_bias";
  c.pruning_steps = 9;
  EXPECT_NEAR(pruning_level(c, 3), 0.375, 1e-9);
  // Baseline: the target right after the warm-up.
  c.schedule = "baseline";
  EXPECT_EQ(pruning_final_epoch(c), 2);
  EXPECT_DOUBLE_EQ(pruning_level(c, 1), 0.1);
  EXPECT_DOUBLE_EQ(pruning_level(c, 2), 0.5);
  // A with-bias curve that does not exist is an error naming the key.
  c.schedule = "exponential_with_bias";
  c.pruning_init = 0.45;
  EXPECT_THROW(pruning_level(c, 3), Error);
}

TEST(PruningGroups, UnknownOpsKeepTheirChannelsWhole) {
  // ResNet-18 with layer1.0.0.conv's output also concatenated into an extra model output:
  // that group is not prunable, and says why.
  std::shared_ptr<Graph> g = shipped("resnet18");
  Value* y = g->find_node("layer1.0.0.conv")->output(0);
  Node* cat = g->add_node("Concat", {y, y}, 1, "cat");
  cat->set_attr("axis", int64_t{1});
  TensorType t = y->type();
  (*t.shape)[1] = Dim(48);
  cat->output(0)->set_type(t);
  g->add_output(cat->output(0));
  FilterPruningConfig c;
  const PruningGroup& p = group(find_pruning_groups(*g, c), "layer1.0.0.conv");
  EXPECT_FALSE(p.prunable);
  EXPECT_NE(p.reason.find("Concat"), std::string::npos) << p.reason;
  EXPECT_TRUE(group(find_pruning_groups(*g, c), "layer1.1.0.conv").prunable);
}

TEST(PruningGroups, ChannelsNotZeroWhenPrunedKeepTheGroupWhole) {
  // A Sigmoid (f(0) = 0.5) between layer1.0.0.conv's BatchNorm and the next convolution:
  // removing pruned channels would change that convolution's output, so the group stays.
  // A Relu (f(0) = 0) in the same place keeps it prunable.
  auto with = [](const std::string& op) {
    std::shared_ptr<Graph> g = shipped("resnet18");
    Node* next = g->find_node("layer1.0.1.conv");
    Value* x = next->input(0);
    Node* n = g->add_node(op, {x}, 1, "inserted");
    n->output(0)->set_type(x->type());
    next->set_input(0, n->output(0));
    g->sort_topologically();
    FilterPruningConfig c;
    return group(find_pruning_groups(*g, c), "layer1.0.0.conv");
  };
  const PruningGroup p = with("Sigmoid");
  EXPECT_FALSE(p.prunable);
  EXPECT_NE(p.reason.find("layer1.0.1.conv"), std::string::npos) << p.reason;
  EXPECT_TRUE(with("Relu").prunable);
}

TEST(FilterPruning, QuantizedExportMatchesTheQatModule) {
  // Pruning with quantization: the pruned QAT graph exports to the INT8 QDQ model with the
  // quantizers' scales sliced along with the filters.
  std::shared_ptr<Graph> g = shipped("resnet18");
  std::shared_ptr<Graph> folded = g->clone();
  canonicalize(*folded);
  testing::RandomImages data(32, {1, 28, 28});
  quant::PtqConfig cfg;
  cfg.bias_correction = quant::BiasCorrectionKind::kNone;
  quant::PtqResult ptq = quant::quantize_model(*folded, data, cfg);
  std::shared_ptr<Graph> qat = build_qat_graph(*folded, ptq.plan);
  train::GraphModule module(*qat);
  FilterPruningConfig c;
  c.pruning_flops_target = 0.3;
  FilterPruning pruning(module, *qat, c);
  pruning.set_level(0.3);
  torch::manual_seed(4);
  torch::Tensor x = torch::rand({8, 1, 28, 28});
  torch::Tensor expected = eval_forward(module, x);
  std::unique_ptr<Graph> trained = pruned_graph(module, pruning);
  std::shared_ptr<Graph> int8 = export_qdq_model(*trained, ptq.plan);
  // The FLOPs counted on the QAT graph are the exported model's (input channels included).
  EXPECT_NEAR(pruning.macs_removed(),
              1.0 - static_cast<double>(summarize(*int8).macs) / summarize(*folded).macs, 1e-9);
  EXPECT_LT(pruning.macs_removed(), 0.4);
  torch::Tensor got = run_runtime(int8, x);
  const double rel = ((got - expected).abs().mean() / expected.abs().mean()).item<double>();
  EXPECT_LT(rel, 0.01);
  EXPECT_TRUE(got.argmax(1).equal(expected.argmax(1)));
}

TEST(FilterPruning, WithRbSparsityMasks) {
  // rb_sparsity's masks sit between the weights and the convolutions: the groups are found
  // through them, and the export (masks baked into the weights, then the pruned filters
  // removed) equals the masked module.
  std::shared_ptr<Graph> g = shipped("resnet18");
  std::shared_ptr<Graph> masked = g->clone();
  SparsityConfig sc;
  sc.algorithm = "rb_sparsity";
  add_rb_masks(*masked, sc);
  int64_t dropped = 0;
  uint64_t seed = 1;
  for (Node* n : masked->nodes()) {
    if (n->op_type() != kRBSparsify) continue;
    Tensor l = n->input(1)->constant();
    for (int64_t i = 0; i < l.numel(); ++i) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      if ((seed >> 33) % 3 == 0) l.mutable_data<float>()[i] = -1.0f, ++dropped;  // a third
    }
    n->input(1)->set_constant(std::move(l));
  }
  train::GraphModule module(*masked);
  FilterPruningConfig c;
  c.pruning_flops_target = 0.3;
  FilterPruning pruning(module, *masked, c);
  EXPECT_EQ(pruning.groups().size(), find_pruning_groups(*g, c).size());
  pruning.set_level(0.3);
  torch::manual_seed(5);
  torch::Tensor x = torch::rand({4, 1, 28, 28});
  torch::Tensor expected = eval_forward(module, x);
  std::unique_ptr<Graph> trained = module.export_graph();
  bake_rb_masks(*trained);
  remove_pruned_channels(*trained, pruning.groups(), pruning.pruned());
  std::shared_ptr<Graph> out = std::move(trained);
  canonicalize(*out);
  EXPECT_NEAR(1.0 - static_cast<double>(summarize(*out).macs) / summarize(*g).macs,
              pruning.macs_removed(), 1e-12);
  torch::Tensor got = run_runtime(out, x);
  EXPECT_LT((got - expected).abs().max().item<double>(),
            1e-4 * (1 + expected.abs().max().item<double>()));
  EXPECT_GT(dropped, 0);
}

}  // namespace
}  // namespace trex::compress
