// The training backend against the runtime: every template architecture, with non-trivial
// BatchNorm statistics, gives the same outputs in GraphModule's eval mode as in the trex
// runtime (BN folded, fused kernels). Training mode updates statistics and weights.
#include "train/graph_module.h"

#include <gtest/gtest.h>

#include "ir/builder.h"
#include "passes/passes.h"
#include "runtime/session.h"
#include "tasks/classification/model_zoo.h"
#include "tasks/segmentation/models.h"
#include "util/error.h"

namespace trex::train {
namespace {

/// Random BN statistics and affine params so that eval mode differs from identity.
void perturb_batch_norms(Graph& g, uint64_t seed) {
  torch::manual_seed(seed);
  for (Node* n : g.nodes()) {
    if (n->op_type() != "BatchNormalization") continue;
    for (size_t i = 1; i <= 4; ++i) {
      Value* v = n->input(i);
      torch::Tensor t = to_torch(v->constant());
      t = i == 4 ? torch::rand_like(t) + 0.5 : torch::randn_like(t) * 0.2 + (i == 1 ? 1.0 : 0.0);
      v->set_constant(from_torch(t));
    }
  }
}

class ArchitectureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ArchitectureTest, EvalModeMatchesRuntime) {
  classification::ModelSpec spec;
  spec.seed = 3;
  auto g = classification::build_model(GetParam(), spec);
  perturb_batch_norms(*g, 7);

  GraphModule module(*g);
  module.eval();
  torch::manual_seed(11);
  torch::Tensor x = torch::randn({3, 1, 28, 28});
  torch::Tensor expected;
  {
    torch::NoGradGuard no_grad;
    expected = module.forward(x);
  }
  ASSERT_EQ(expected.sizes(), (std::vector<int64_t>{3, 10}));

  std::shared_ptr<Graph> rt = g->clone();
  canonicalize(*rt);
  Session session(rt);
  Tensor out = session.run({{"input", from_torch(x)}})[0];
  torch::Tensor actual = to_torch(out);
  double diff = (actual - expected).abs().max().item<double>();
  EXPECT_LE(diff, 1e-4) << GetParam();
  // A meaningful comparison: the logits are not all equal.
  EXPECT_GT(expected.std().item<double>(), 1e-3);
}

TEST_P(ArchitectureTest, TrainingStepChangesWeightsAndStatistics) {
  classification::ModelSpec spec;
  auto g = classification::build_model(GetParam(), spec);
  GraphModule module(*g);
  module.train();
  torch::optim::SGD opt(module.parameters(), torch::optim::SGDOptions(0.1));
  torch::manual_seed(1);
  torch::Tensor x = torch::randn({4, 1, 28, 28}) + 0.5;
  torch::Tensor y = torch::tensor({0, 1, 2, 3}, torch::kInt64);
  opt.zero_grad();
  torch::Tensor loss = torch::nn::functional::cross_entropy(module.forward(x), y);
  loss.backward();
  opt.step();

  auto trained = module.export_graph();
  size_t changed_weights = 0, changed_stats = 0;
  for (const auto& [name, t] : module.named_weights())
    if (!trained->find_value(name)->constant().equals(g->find_value(name)->constant()))
      ++changed_weights;
  for (const auto& [name, t] : module.named_state())
    if (!trained->find_value(name)->constant().equals(g->find_value(name)->constant()))
      ++changed_stats;
  // Every weight takes part in autograd; a few may get a zero gradient from 4 samples
  // (a ReLU that is off for all of them), so most, not all, change.
  for (const auto& [name, t] : module.named_weights()) EXPECT_TRUE(t.grad().defined()) << name;
  EXPECT_GE(changed_weights, module.named_weights().size() * 9 / 10);
  EXPECT_EQ(changed_stats, module.named_state().size());
  EXPECT_GT(module.named_state().size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Templates, ArchitectureTest,
                         ::testing::ValuesIn(classification::architecture_names()));

TEST(GraphModule, DropoutOnlyInTraining) {
  Graph g;
  GraphBuilder b(g);
  g.opset_imports = {{"", 14}};
  Value* x = b.input("x", DType::kFloat32, {2, 1000});
  b.output(b.op("Dropout", {x, b.constant("r", Tensor::scalar_f32(0.5f))}), "y");
  GraphModule m(g);
  torch::Tensor in = torch::ones({2, 1000});
  m.eval();
  EXPECT_TRUE(torch::equal(m.forward(in), in));
  m.train();
  torch::Tensor out = m.forward(in);
  double zeros = (out == 0).sum().item<double>() / out.numel();
  EXPECT_NEAR(zeros, 0.5, 0.05);
}

TEST(GraphModule, BypassedNodesPassTheirInputThrough) {
  // y = Relu(FakeQuantize(x, s)): bypassed, y = Relu(x) and the scale gets no gradient.
  Graph g;
  GraphBuilder b(g);
  g.opset_imports = {{"", 13}, {"trex", 1}};
  Value* x = b.input("x", DType::kFloat32, {2, 3});
  Node* fq =
      g.add_node("FakeQuantize", {x, b.constant("s", Tensor::scalar_f32(0.5f))}, 1, "fq", "trex");
  fq->set_attr("mode", "symmetric");
  fq->output(0)->set_type(x->type());
  b.output(b.op("Relu", {fq->output(0)}, {}, "relu"), "y");
  GraphModule m(g);
  ASSERT_EQ(m.named_weights().size(), 1u);
  const torch::Tensor& s = m.named_weights()[0].second;
  torch::Tensor in = torch::tensor({{1.2f, 2.0f, -3.0f}, {-1.0f, 0.6f, 4.1f}}).requires_grad_();
  EXPECT_FALSE(torch::equal(m.forward(in), torch::relu(in)));  // rounded to halves
  m.set_bypassed({"fq"});
  torch::Tensor y = m.forward(in);
  EXPECT_TRUE(torch::equal(y, torch::relu(in)));
  y.sum().backward();
  EXPECT_FALSE(s.grad().defined());
  m.set_bypassed({});
  m.forward(in).sum().backward();
  EXPECT_TRUE(s.grad().defined());
  EXPECT_THROW(m.set_bypassed({"nothing"}), Error);
}

TEST(GraphModule, UnsupportedOpNamesTheNode) {
  Graph g;
  GraphBuilder b(g);
  Value* x = b.input("x", DType::kFloat32, {2, 3});
  b.output(b.op("Erf", {x}, {}, "my_erf"), "y");
  try {
    GraphModule m(g);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("my_erf"), std::string::npos) << e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
  }
}

}  // namespace
}  // namespace trex::train

namespace trex::train {
namespace {

// The segmentation network (Resize up and down the branches, attention Mul, Concat) in
// the backend's eval mode against the runtime, and its output at the input's size.
TEST(SegmentationArchitecture, EvalModeMatchesRuntime) {
  segmentation::ModelSpec spec{3, 64, 48, 11, 5};
  auto g = segmentation::build_model("lite_hrnet", spec);
  perturb_batch_norms(*g, 9);
  GraphModule module(*g);
  module.eval();
  torch::manual_seed(13);
  torch::Tensor x = torch::randn({2, 3, 64, 48});
  torch::Tensor expected;
  {
    torch::NoGradGuard no_grad;
    expected = module.forward(x);
  }
  ASSERT_EQ(expected.sizes(), (std::vector<int64_t>{2, 11, 64, 48}));
  std::shared_ptr<Graph> rt = g->clone();
  canonicalize(*rt);
  Session session(rt);
  torch::Tensor actual = to_torch(session.run({{"input", from_torch(x)}})[0]);
  const double scale = expected.abs().max().item<double>();
  EXPECT_LE((actual - expected).abs().max().item<double>(), 1e-5 * std::max(1.0, scale))
      << "largest |score| " << scale;
  EXPECT_GT(expected.std().item<double>(), 1e-3);
  EXPECT_THROW(segmentation::build_model("lite_hrnet", {3, 60, 48, 11, 0}), Error);
  EXPECT_THROW(segmentation::build_model("unet", spec), Error);
}

// Resize in the training backend: bilinear half-pixel and nearest-floor upsampling agree
// with the runtime's reference kernels, and gradients flow through.
TEST(TrainingOps, ResizeMatchesTheRuntime) {
  for (bool bilinear : {true, false}) {
    auto g = std::make_shared<Graph>();
    g->opset_imports = {{"", 14}};
    GraphBuilder b(*g);
    Value* x = b.input("x", DType::kFloat32, {1, 2, 5, 3});
    Value* scales = b.constant("s", Tensor::from_vector<float>(DType::kFloat32, {4}, {1, 1, 2, 4}));
    AttrList attrs = bilinear
                         ? AttrList{{"mode", std::string("linear")},
                                    {"coordinate_transformation_mode", std::string("half_pixel")}}
                         : AttrList{{"mode", std::string("nearest")},
                                    {"coordinate_transformation_mode", std::string("asymmetric")},
                                    {"nearest_mode", std::string("floor")}};
    Value* y = b.op("Resize", {x, nullptr, scales}, attrs);
    b.output(y, "y");
    GraphModule module(*g);
    torch::manual_seed(3);
    torch::Tensor in = torch::randn({1, 2, 5, 3}).requires_grad_(true);
    torch::Tensor out = module.forward(in);
    ASSERT_EQ(out.sizes(), (std::vector<int64_t>{1, 2, 10, 12}));
    SessionOptions ref;
    ref.reference_only = true;
    Session s(g, ref);
    torch::Tensor want = to_torch(s.run({{"x", from_torch(in.detach())}})[0]);
    EXPECT_LE((out.detach() - want).abs().max().item<double>(), 1e-5) << bilinear;
    out.sum().backward();
    EXPECT_TRUE(in.grad().defined());
  }
}

}  // namespace
}  // namespace trex::train
