// The PTQ pipeline end to end on a small CNN and random calibration images: the QDQ model's
// structure, its agreement with FP32, bias correction, determinism, the refusal to quantize
// twice, and the accuracy-aware loop.
#include "quant/ptq/pipeline.h"

#include <gtest/gtest.h>

#include <cmath>

#include "onnx/onnx.h"
#include "passes/passes.h"
#include "quant/insert_qdq.h"
#include "quant/ptq/accuracy_aware.h"
#include "quant/quant_test_util.h"
#include "runtime/session.h"
#include "test_util.h"

namespace trex::quant {
namespace {

using testing::count_ops;
using testing::RandomImages;

std::shared_ptr<Graph> canonical_cnn() {
  auto g = testing::small_cnn();
  canonicalize(*g);
  return g;
}

/// SQNR of `q` against `ref` (dB).
double sqnr(const Tensor& ref, const Tensor& q) {
  double s = 0, n = 0;
  for (int64_t i = 0; i < ref.numel(); ++i) {
    double a = ref.data<float>()[i], b = q.data<float>()[i];
    s += a * a;
    n += (a - b) * (a - b);
  }
  return 10 * std::log10(s / n);
}

Tensor run(std::shared_ptr<Graph> g, const Tensor& x, bool reference_only = false) {
  SessionOptions o;
  o.threads = 1;
  o.reference_only = reference_only;
  Session s(g, o);
  return s.run({{"input", x}})[0];
}

TEST(PtqPipeline, WritesQdqThatTracksFp32) {
  auto g = canonical_cnn();
  RandomImages data(64);
  PtqConfig c;
  c.stat_subset_size = 40;
  c.batch_size = 16;
  PtqResult r = quantize_model(*g, data, c);
  EXPECT_EQ(r.subset.size(), 40u);
  EXPECT_EQ(data.samples_served, 40u);  // one calibration pass
  const Graph& q = *r.model;
  // input, relu1 (before the pool), relu2, relu3, gap: five activation quantizers; three
  // weights and three biases dequantized.
  EXPECT_EQ(count_ops(q, "QuantizeLinear"), 5);
  EXPECT_EQ(count_ops(q, "DequantizeLinear"), 5 + 3 + 3);
  const Node* conv2 = q.find_node("conv2");
  ASSERT_TRUE(conv2);
  const Node* wdq = conv2->input(1)->producer();
  ASSERT_TRUE(wdq && wdq->op_type() == "DequantizeLinear");
  EXPECT_EQ(wdq->input(0)->dtype(), DType::kInt8);
  EXPECT_EQ(wdq->input(1)->constant().numel(), 8);  // per output channel
  const Node* bdq = conv2->input(2)->producer();
  ASSERT_TRUE(bdq && bdq->op_type() == "DequantizeLinear");
  EXPECT_EQ(bdq->input(0)->dtype(), DType::kInt32);
  // Post-ReLU data is unsigned.
  EXPECT_EQ(r.plan.activations.at(g->find_node("relu1")->output(0)->name()).is_unsigned, true);
  bool found = false;
  for (const auto& [k, v] : q.metadata) found |= k == kQuantizedMetadataKey && v == "ptq";
  EXPECT_TRUE(found);
  // It exports as ONNX and reads back.
  auto back = load_onnx_bytes(serialize_onnx(q), "qdq", "");
  EXPECT_EQ(count_ops(*back, "QuantizeLinear"), 5);

  // On held-out images the INT8 model follows FP32 (reference kernels: QDQ semantics).
  Tensor x = testing::random_tensor({8, 3, 12, 12}, 77, 0.0f, 1.0f);
  Tensor ref = run(g, x, true);
  auto qc = r.model->clone();
  canonicalize(*qc);
  EXPECT_GT(sqnr(ref, run(std::shared_ptr<Graph>(std::move(qc)), x, true)), 25.0);
}

TEST(PtqPipeline, SameInputsSameModel) {
  auto g = canonical_cnn();
  RandomImages a(64), b(64);
  PtqConfig c;
  c.stat_subset_size = 32;
  std::string m1 = serialize_onnx(*quantize_model(*g, a, c).model);
  std::string m2 = serialize_onnx(*quantize_model(*g, b, c).model);
  EXPECT_EQ(m1, m2);
  c.seed = 5;  // another subset, other ranges
  EXPECT_NE(m1, serialize_onnx(*quantize_model(*g, a, c).model));
}

TEST(PtqPipeline, BiasCorrectionVariants) {
  auto g = canonical_cnn();
  RandomImages data(64);
  PtqConfig c;
  c.stat_subset_size = 64;
  c.bias_correction = BiasCorrectionKind::kNone;
  PtqResult none = quantize_model(*g, data, c);
  EXPECT_TRUE(none.plan.bias_shifts.empty());
  c.bias_correction = BiasCorrectionKind::kFast;
  PtqResult fast = quantize_model(*g, data, c);
  c.bias_correction = BiasCorrectionKind::kFull;
  PtqResult full = quantize_model(*g, data, c);
  ASSERT_EQ(fast.plan.bias_shifts.size(), 3u);  // conv1, conv2, fc
  ASSERT_EQ(full.plan.bias_shifts.size(), 3u);
  for (const PtqResult* r : {&fast, &full}) {
    int applied = 0;
    for (const BiasShift& s : r->plan.bias_shifts) {
      applied += s.applied;
      EXPECT_GT(s.max_abs_shift, 0) << s.node;
    }
    EXPECT_GT(applied, 0);
  }
  // Full correction makes the mean output error on the calibration images smaller than no
  // correction (it measures exactly that, layer by layer).
  Tensor x = testing::random_tensor({16, 3, 12, 12}, 5, 0.0f, 1.0f);
  Tensor ref = run(g, x, true);
  auto mean_error = [&](const PtqResult& r) {
    auto q = r.model->clone();
    canonicalize(*q);
    Tensor y = run(std::shared_ptr<Graph>(std::move(q)), x, true);
    double e = 0;
    for (int64_t i = 0; i < y.numel(); ++i) e += y.data<float>()[i] - ref.data<float>()[i];
    return std::fabs(e / y.numel());
  };
  EXPECT_LT(mean_error(full), mean_error(none));
}

TEST(PtqPipeline, EstimatorsAndPresetsAllRun) {
  auto g = canonical_cnn();
  RandomImages data(32);
  for (EstimatorKind k :
       {EstimatorKind::kMinMax, EstimatorKind::kMeanMinMax, EstimatorKind::kQuantile,
        EstimatorKind::kMeanQuantile, EstimatorKind::kPercentile, EstimatorKind::kHistogram,
        EstimatorKind::kMixedMinMax, EstimatorKind::kThreeSigma, EstimatorKind::kMeanPercentile})
    for (Preset p : {Preset::kPerformance, Preset::kMixed}) {
      PtqConfig c;
      c.stat_subset_size = 32;
      c.activations.kind = k;
      c.preset = p;
      PtqResult r = quantize_model(*g, data, c);
      const ActivationParams& in = r.plan.activations.at("input");
      EXPECT_TRUE(in.is_unsigned) << estimator_name(k);  // images in [0, 1)
      if (p == Preset::kMixed) {
        EXPECT_TRUE(r.plan.activations.at(g->find_node("gap")->output(0)->name()).is_unsigned);
      }
    }
}

TEST(PtqPipeline, OverflowFixUsesSevenBitWeights) {
  auto g = canonical_cnn();
  RandomImages data(16);
  PtqConfig c;
  c.stat_subset_size = 16;
  c.overflow_fix = OverflowFix::kFirstLayer;
  PtqResult r = quantize_model(*g, data, c);
  EXPECT_EQ(r.plan.weights.at("conv1").max_level, 63);
  EXPECT_EQ(r.plan.weights.at("conv2").max_level, 127);
}

TEST(PtqPipeline, RefusesQuantizedModelsAndEmptyData) {
  auto g = canonical_cnn();
  RandomImages data(16), none(0);
  PtqConfig c;
  c.stat_subset_size = 16;
  PtqResult r = quantize_model(*g, data, c);
  std::string e = testing::error_of([&] { quantize_model(*r.model, data, c); });
  EXPECT_NE(e.find("model is already optimized by PTQ"), std::string::npos) << e;
  e = testing::error_of([&] { quantize_model(*g, none, c); });
  EXPECT_NE(e.find("calibration data has no samples"), std::string::npos) << e;
  // An older opset moves to 13 when nothing in the graph changes meaning there...
  g->opset_imports[""] = 11;
  EXPECT_EQ(quantize_model(*g, data, c).model->opset(), 13);
  // ... and is an error naming the node when something does (Softmax's axis, opset 13).
  Value* logits = g->outputs()[0];
  Node* sm = g->add_node("Softmax", {logits}, 1, "probs");
  g->set_output(0, sm->output(0));
  e = testing::error_of([&] { quantize_model(*g, data, c); });
  EXPECT_NE(e.find("opset 11"), std::string::npos) << e;
  EXPECT_NE(e.find("node 'probs' (Softmax)"), std::string::npos) << e;
}

TEST(PtqPipeline, IgnoredScopeWarnsAboutEntriesThatMatchNothing) {
  auto g = canonical_cnn();
  RandomImages data(16);
  PtqConfig c;
  c.stat_subset_size = 16;
  c.ignored.names = {"fc", "nope"};
  PtqResult r = quantize_model(*g, data, c);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "ignored scope name 'nope' matches no node");
  EXPECT_FALSE(r.model->find_node("fc")->input(1)->producer());  // float weight kept
}

TEST(AccuracyAwarePtq, RevertsUntilWithinBudget) {
  auto g = canonical_cnn();
  RandomImages data(64);
  PtqConfig c;
  c.stat_subset_size = 32;
  PtqResult r = quantize_model(*g, data, c);
  // A metric that is 1 for FP32 and loses 0.1 per quantized Conv/Gemm still in the model:
  // with a budget of 0.15, two of the three must go back to FP32.
  auto metric = [](const Graph& m) {
    double score = 1.0;
    for (const char* n : {"conv1", "conv2", "fc"}) {
      const Node* node = m.find_node(n);
      if (node && node->input(1)->producer()) score -= 0.1;
    }
    return score;
  };
  AccuracyAwareOptions o;
  o.max_drop = 0.15;
  o.ranking_pool = 16;
  o.worst_samples = 8;
  AccuracyAwareResult aa =
      accuracy_aware_ptq(*g, r.plan, data, metric, 1.0, metric(*r.model), o, {});
  EXPECT_TRUE(aa.within_budget);
  EXPECT_NEAR(aa.int8_score, 0.9, 1e-9);
  int reverted_layers = 0;
  for (const FloatNode& f : r.plan.reverted)
    reverted_layers += f.node == "conv1" || f.node == "conv2" || f.node == "fc";
  EXPECT_EQ(reverted_layers, 2);
  o.max_drop = 0.0;
  o.relative = true;
  EXPECT_NEAR(metric_drop(0.8, 0.6, o), 0.25, 1e-12);
}

}  // namespace
}  // namespace trex::quant

namespace trex::quant {
namespace {

TEST(Statistics, ObservesValuesThatRuntimeFusionsWouldRemove) {
  // Add(ConvA(x), ConvB(x)) -> Relu: the runtime fuses one Conv into the Add and the Relu
  // into that; keeping ConvA's output lets it take ConvB instead. Both must be observed.
  auto g = std::make_shared<Graph>();
  g->opset_imports = {{"", 13}};
  GraphBuilder b(*g);
  Value* x = b.input("input", DType::kFloat32, Shape::from_static({4, 3, 12, 12}));
  Value* a = b.op("Conv", {x, b.constant("wa", testing::random_tensor({4, 3, 1, 1}, 1))}, {}, "a");
  Value* c = b.op("Conv", {x, b.constant("wb", testing::random_tensor({4, 3, 1, 1}, 2))}, {}, "c");
  Value* add = b.op("Add", {a, c}, {}, "add");
  b.output(b.op("Relu", {add}, {}, "relu"), "y");
  testing::RandomImages data(4);
  StatisticsRequest r;
  r.add_range(a->name(), RangeEstimator{});
  r.add_range(add->name(), RangeEstimator{});
  r.add_channel_mean(c->name());
  Statistics s = collect_statistics(*g, r, data, {0, 1, 2, 3}, {}, "test");
  EXPECT_EQ(s.ranges.at(a->name()).samples(), 4);
  EXPECT_EQ(s.ranges.at(add->name()).samples(), 4);
  EXPECT_EQ(s.channel_means.at(c->name()).samples(), 4);
  // The observed values match a plain run.
  Tensor in = Tensor(DType::kFloat32, {4, 3, 12, 12});
  data.for_each_batch({0, 1, 2, 3}, 4, [&](const InputBatch& batch) { in = batch.at("input"); });
  auto copy = g->clone();
  copy->add_output(copy->find_value(a->name()));
  SessionOptions o;
  o.reference_only = true;
  Session ref(std::shared_ptr<Graph>(std::move(copy)), o);
  Tensor ya = ref.run({{"input", in}})[1];
  float lo = ya.data<float>()[0], hi = lo;
  for (int64_t i = 0; i < ya.numel(); ++i)
    lo = std::min(lo, ya.data<float>()[i]), hi = std::max(hi, ya.data<float>()[i]);
  EXPECT_NEAR(s.ranges.at(a->name()).min(), lo, 1e-5);
  EXPECT_NEAR(s.ranges.at(a->name()).max(), hi, 1e-5);
}

}  // namespace
}  // namespace trex::quant

namespace trex::quant {
namespace {

/// x [N, 8] (feature 3 with outliers) -> MatMul W [8, 6] -> Add bias -> y.
std::shared_ptr<Graph> tiny_linear() {
  auto g = std::make_shared<Graph>();
  g->opset_imports = {{"", 13}};
  GraphBuilder b(*g);
  Value* x = b.input("input", DType::kFloat32, Shape({Dim::symbolic("N"), Dim(8)}));
  Value* y = b.op("MatMul", {x, b.constant("w", testing::random_tensor({8, 6}, 3))}, {}, "mm");
  b.output(b.op("Add", {y, b.constant("b", testing::random_tensor({6}, 4))}, {}, "bias"), "y");
  return g;
}

/// Rows in [-1, 1) with feature 3 scaled by 40: one outlier channel.
class OutlierRows : public CalibrationData {
 public:
  size_t size() const override { return 64; }
  void for_each_batch(const std::vector<size_t>& indices, int batch_size,
                      const std::function<void(const InputBatch&)>& fn) override {
    for (size_t s = 0; s < indices.size(); s += static_cast<size_t>(batch_size)) {
      int64_t n = static_cast<int64_t>(std::min(indices.size() - s, size_t(batch_size)));
      Tensor t = testing::random_tensor({n, 8}, 50 + indices[s]);
      for (int64_t i = 0; i < n; ++i) t.mutable_data<float>()[i * 8 + 3] *= 40;
      fn({{"input", t}});
    }
  }
};

TEST(SmoothQuant, KeepsTheFunctionAndCutsTheQuantizationError) {
  auto g = tiny_linear();
  OutlierRows data;
  PtqConfig c;
  c.stat_subset_size = 64;
  c.bias_correction = BiasCorrectionKind::kNone;
  PtqResult plain = quantize_model(*g, data, c);
  c.model_type = ModelType::kTransformer;
  PtqResult smooth = quantize_model(*g, data, c);
  EXPECT_EQ(smooth.smoothed, std::vector<std::string>{"mm"});
  EXPECT_TRUE(plain.smoothed.empty());
  // Transformer placement leaves the Add in float.
  EXPECT_EQ(count_ops(*smooth.model, "QuantizeLinear"), 1);
  EXPECT_EQ(count_ops(*plain.model, "QuantizeLinear"), 2);  // x, and the Add input
  Tensor x = testing::random_tensor({16, 8}, 999);
  for (int64_t i = 0; i < 16; ++i) x.mutable_data<float>()[i * 8 + 3] *= 40;
  auto out = [&x](const Graph& m) {
    auto q = m.clone();
    canonicalize(*q);
    SessionOptions o;
    o.reference_only = true;
    Session s(std::shared_ptr<Graph>(std::move(q)), o);
    return s.run({{"input", x}})[0];
  };
  Tensor ref = out(*g);
  EXPECT_GT(sqnr(ref, out(*smooth.model)), sqnr(ref, out(*plain.model)) + 3.0);
  c.smooth_quant_alpha = 2;
  std::string e = testing::error_of([&] { quantize_model(*g, data, c); });
  EXPECT_NE(e.find("smooth_quant_alpha"), std::string::npos) << e;
}

}  // namespace
}  // namespace trex::quant
