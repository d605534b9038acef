// QAT initialization settings from the quantization algorithm of a compression config:
// presets and modes, range initializers, scopes, quantize_inputs, the overflow fix; and
// settings the int8 QDQ export cannot express rejected naming their key.
#include "compress/qat_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "quant/ptq/pipeline.h"
#include "quant/quant_test_util.h"
#include "util/error.h"

namespace trex::compress {
namespace {

QuantizationConfig quantization(const std::string& algorithm_json) {
  CompressionConfig c = parse_compression_config(
      nlohmann::json::parse(R"({"compression": )" + algorithm_json + "}"), "cfg.json");
  return *c.quantization;
}

QatInitConfig init(const std::string& algorithm_json) {
  return qat_init_config(quantization(algorithm_json), *testing::small_cnn(),
                         "cfg.json: compression", 7);
}

std::string error_of(const std::string& algorithm_json) {
  try {
    init(algorithm_json);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported) << e.what();
    return e.what();
  }
  return "";
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(QatConfig, DefaultsAndPresets) {
  QatInitConfig d = init(R"({"algorithm": "quantization"})");
  EXPECT_EQ(d.ptq.preset, quant::Preset::kPerformance);
  EXPECT_EQ(d.ptq.activations.kind, quant::EstimatorKind::kMixedMinMax);
  EXPECT_EQ(d.ptq.stat_subset_size, 256);
  EXPECT_EQ(d.ptq.bias_correction, quant::BiasCorrectionKind::kNone);
  EXPECT_EQ(d.ptq.overflow_fix, quant::OverflowFix::kEnable);
  EXPECT_EQ(d.ptq.seed, 7u);
  EXPECT_TRUE(d.ptq.ignored.empty());

  EXPECT_EQ(init(R"({"algorithm": "quantization", "preset": "mixed"})").ptq.preset,
            quant::Preset::kMixed);
  // activations.mode overrides the preset, both ways.
  EXPECT_EQ(init(R"({"algorithm": "quantization", "preset": "mixed",
                     "activations": {"mode": "symmetric"}})")
                .ptq.preset,
            quant::Preset::kPerformance);
  EXPECT_EQ(
      init(R"({"algorithm": "quantization", "activations": {"mode": "asymmetric"}})").ptq.preset,
      quant::Preset::kMixed);
  EXPECT_EQ(
      init(R"({"algorithm": "quantization", "overflow_fix": "first_layer_only"})").ptq.overflow_fix,
      quant::OverflowFix::kFirstLayer);
  EXPECT_EQ(init(R"({"algorithm": "quantization", "overflow_fix": "disable"})").ptq.overflow_fix,
            quant::OverflowFix::kDisable);
}

TEST(QatConfig, RangeInitializers) {
  const std::pair<const char*, quant::EstimatorKind> types[] = {
      {"min_max", quant::EstimatorKind::kMinMax},
      {"mean_min_max", quant::EstimatorKind::kMeanMinMax},
      {"mixed_min_max", quant::EstimatorKind::kMixedMinMax},
      {"threesigma", quant::EstimatorKind::kThreeSigma},
      {"percentile", quant::EstimatorKind::kPercentile},
      {"mean_percentile", quant::EstimatorKind::kMeanPercentile}};
  for (const auto& [name, kind] : types) {
    QatInitConfig c = init(std::string(R"({"algorithm": "quantization", "initializer": {"range":
        {"type": ")") + name +
                           R"(", "num_init_samples": 64,
         "params": {"min_percentile": 1, "max_percentile": 98}}}})");
    EXPECT_EQ(c.ptq.activations.kind, kind) << name;
    EXPECT_EQ(c.ptq.stat_subset_size, 64);
    EXPECT_EQ(c.ptq.activations.min_percentile, 1);
    EXPECT_EQ(c.ptq.activations.max_percentile, 98);
  }
  // Per group: the weights' entry must be a min/max kind; the activations' one is used.
  QatInitConfig g = init(R"({"algorithm": "quantization", "initializer": {"range": [
      {"type": "min_max", "num_init_samples": 32, "target_quantizer_group": "weights"},
      {"type": "threesigma", "num_init_samples": 128, "target_quantizer_group": "activations"}]}})");
  EXPECT_EQ(g.ptq.activations.kind, quant::EstimatorKind::kThreeSigma);
  EXPECT_EQ(g.ptq.stat_subset_size, 128);
}

TEST(QatConfig, ScopesAndInputs) {
  QatInitConfig c = init(R"({"algorithm": "quantization",
      "ignored_scopes": ["fc", "{re}conv2.*", "nothing_here"]})");
  EXPECT_TRUE(has(c.ptq.ignored.names, "fc"));
  EXPECT_TRUE(has(c.ptq.ignored.patterns, "conv2.*"));
  ASSERT_EQ(c.unmatched_scopes.size(), 1u);
  EXPECT_NE(c.unmatched_scopes[0].find("nothing_here"), std::string::npos);

  // Target scopes: everything else is ignored.
  QatInitConfig t = init(R"({"algorithm": "quantization", "target_scopes": ["{re}conv.*"]})");
  EXPECT_TRUE(has(t.ptq.ignored.names, "fc"));
  EXPECT_TRUE(has(t.ptq.ignored.names, "add"));
  EXPECT_FALSE(has(t.ptq.ignored.names, "conv1"));
  EXPECT_FALSE(has(t.ptq.ignored.names, "conv2"));

  // quantize_inputs false: the layers reading the model input stay float.
  QatInitConfig i = init(R"({"algorithm": "quantization", "quantize_inputs": false})");
  EXPECT_TRUE(has(i.ptq.ignored.names, "conv1"));
  EXPECT_FALSE(has(i.ptq.ignored.names, "conv2"));
}

TEST(QatConfig, WeightBits) {
  // 2-8 bit weights: the weights group's bits, per node where a scope override gives them
  // (an override without bits keeps the group's); the grid is int8 values in
  // [-(2^(bits-1) - 1), 2^(bits-1) - 1].
  QatInitConfig i = init(
      R"({"algorithm": "quantization", "weights": {"bits": 6}, "scope_overrides": {"weights":
          {"conv1": {"bits": 4}, "{re}fc": {"per_channel": true}}}})");
  EXPECT_EQ(i.ptq.weights.bits, 6);
  ASSERT_EQ(i.ptq.weights_by_node.size(), 2u);
  EXPECT_EQ(i.ptq.weights_by_node.at("conv1").bits, 4);
  EXPECT_EQ(i.ptq.weights_by_node.at("fc").bits, 6);
  testing::RandomImages data(16);
  quant::PtqResult r = quant::quantize_model(*testing::small_cnn(), data, i.ptq);
  EXPECT_EQ(r.plan.weights.at("conv1").max_level, 7);
  EXPECT_EQ(r.plan.weights.at("conv2").max_level, 31);
  EXPECT_EQ(r.plan.weights.at("fc").max_level, 31);
  for (int64_t k = 0; k < r.plan.weights.at("conv1").values.numel(); ++k)
    EXPECT_LE(std::abs(r.plan.weights.at("conv1").values.get_int64(k)), 7);
}

TEST(QatConfig, FormatsPerGroupAndPerScope) {
  QatInitConfig i = init(R"({"algorithm": "quantization", "quantize_outputs": true,
      "weights": {"per_channel": false, "logarithm_scale": true, "ignored_scopes": ["fc"]},
      "activations": {"bits": 6, "signed": true, "target_scopes": ["{re}relu.*", "input", "fc"]},
      "scope_overrides": {
        "weights": {"conv1": {"per_channel": true}},
        "activations": {"input": {"mode": "asymmetric", "bits": 4}, "relu1": {"signed": false}}},
      "initializer": {"range": [
        {"type": "mean_min_max", "num_init_samples": 64},
        {"type": "threesigma", "num_init_samples": 96, "target_scopes": ["relu2"]}]}})");
  const quant::PtqConfig& c = i.ptq;
  EXPECT_TRUE(c.quantize_outputs);
  EXPECT_TRUE(i.log_scale_weights);
  EXPECT_FALSE(i.log_scale_activations);
  EXPECT_FALSE(c.weights.per_channel);
  EXPECT_TRUE(c.weight_spec("conv1").per_channel);
  EXPECT_FALSE(c.weight_spec("conv2").per_channel);
  EXPECT_EQ(c.float_weights, (std::set<std::string>{"fc"}));
  // Activation scopes name the producing node (or the model input).
  std::shared_ptr<Graph> model = testing::small_cnn();
  const Graph& g = *model;
  auto out = [&](const char* node) { return g.find_node(node)->output(0)->name(); };
  EXPECT_EQ(c.activation("input").bits, 4);
  EXPECT_EQ(c.activation("input").symmetric, false);
  EXPECT_EQ(c.activation(out("relu1")).is_signed, false);
  EXPECT_EQ(c.activation(out("relu1")).bits, 6);
  EXPECT_EQ(c.activation(out("relu2")).is_signed, true);
  EXPECT_FALSE(c.activation(out("relu2")).symmetric.has_value());
  EXPECT_TRUE(c.float_activations.count(out("pool")));
  EXPECT_FALSE(c.float_activations.count(out("relu3")));
  EXPECT_FALSE(c.float_activations.count("input"));
  EXPECT_EQ(c.activations.kind, quant::EstimatorKind::kMeanMinMax);
  EXPECT_EQ(c.estimator(out("relu2")).kind, quant::EstimatorKind::kThreeSigma);
  EXPECT_EQ(c.estimator(out("relu1")).kind, quant::EstimatorKind::kMeanMinMax);
  EXPECT_EQ(c.stat_subset_size, 96);

  // PTQ with it: per-tensor weights, float fc weights, forced signedness, the narrow grids.
  testing::RandomImages data(16);
  quant::PtqResult r = quant::quantize_model(g, data, c);
  EXPECT_FALSE(r.plan.weights.at("conv2").per_channel);
  EXPECT_FALSE(r.plan.weights.count("fc"));
  EXPECT_FALSE(r.plan.activations.at("input").symmetric);
  EXPECT_EQ(r.plan.activations.at("input").level_high(), 15);
  EXPECT_TRUE(r.plan.activations.at(out("relu1")).is_unsigned);
  EXPECT_FALSE(r.plan.activations.at(out("relu3")).is_unsigned);
  EXPECT_EQ(r.plan.activations.at(out("relu3")).level_high(), 31);
  EXPECT_EQ(g.outputs()[0]->name(), r.model->outputs()[0]->name());
  EXPECT_EQ(r.model->outputs()[0]->producer()->op_type(), "DequantizeLinear");
}

TEST(QatConfig, OverridePrecedenceAndUnmatchedScopes) {
  // Patterns first, exact names last (they win); JSON keys carry no order.
  QatInitConfig i = init(R"({"algorithm": "quantization", "scope_overrides": {"weights": {
      "conv1": {"bits": 4}, "{re}conv.*": {"bits": 6}, "{re}.*1": {"per_channel": false}}}})");
  EXPECT_EQ(i.ptq.weight_spec("conv1").bits, 4);
  EXPECT_FALSE(i.ptq.weight_spec("conv1").per_channel);
  EXPECT_EQ(i.ptq.weight_spec("conv2").bits, 6);
  EXPECT_TRUE(i.ptq.weight_spec("conv2").per_channel);
  // Two patterns disagreeing on one node: an error naming both.
  try {
    init(R"({"algorithm": "quantization", "scope_overrides": {"weights": {
        "{re}conv.*": {"bits": 6}, "{re}.*2": {"bits": 5}}}})");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'{re}.*2' and '{re}conv.*' both match 'conv2' and set "
                                         "bits to 5 and 6"),
              std::string::npos)
        << e.what();
  }
  // Entries matching nothing are reported (a typo would leave a group float silently).
  QatInitConfig u = init(R"({"algorithm": "quantization",
      "activations": {"target_scopes": ["relu_typo"]}, "weights": {"ignored_scopes": ["fc9"]},
      "scope_overrides": {"weights": {"nope": {"bits": 4}}},
      "initializer": {"range": [{"type": "min_max"},
                                {"type": "threesigma", "ignored_scopes": ["x9"]}]}})");
  for (const char* want :
       {"activations.target_scopes entry 'relu_typo'", "weights.ignored_scopes entry 'fc9'",
        "scope_overrides.weights entry 'nope'", "initializer.range[1].ignored_scopes entry 'x9'"})
    EXPECT_TRUE(has(u.unmatched_scopes, want)) << want;
}

TEST(QatConfig, UnsupportedSettingsNameTheirKey) {
  const std::pair<const char*, const char*> cases[] = {
      {R"("weights": {"mode": "asymmetric"})", "compression.weights.mode: 'asymmetric'"},
      {R"("weights": {"signed": false})", "compression.weights.signed"},
      {R"("scope_overrides": {"weights": {"fc": {"mode": "asymmetric"}}})",
       "compression.scope_overrides.weights.fc.mode"},
      {R"("activations": {"per_channel": true})", "compression.activations.per_channel"},
      {R"("scope_overrides": {"activations": {"conv1": {"per_channel": true}}})",
       "compression.scope_overrides.activations.conv1.per_channel"},
      {R"("scope_overrides": {"weights": {"conv1": {"logarithm_scale": true}}})",
       "compression.scope_overrides.weights.conv1.logarithm_scale"},
      {R"("activations": {"signed": true, "mode": "asymmetric"})",
       "compression.activations.signed: has no effect on asymmetric activations"},
      {R"("preset": "mixed", "scope_overrides": {"activations": {"input": {"signed": false}}})",
       "compression.scope_overrides.activations: 'signed' has no effect"},
      {R"("initializer": {"range": {"num_init_samples": 0}})",
       "compression.initializer.range.num_init_samples"},
      {R"("initializer": {"range": [{"type": "min_max"}, {"type": "threesigma"}]})",
       "compression.initializer.range[1]: a second activation range initializer"},
      {R"("initializer": {"range": [{"type": "percentile", "target_quantizer_group": "weights"}]})",
       "compression.initializer.range.type: 'percentile' is not supported for weights"},
  };
  for (const auto& [keys, want] : cases) {
    std::string e = error_of(std::string(R"({"algorithm": "quantization", )") + keys + "}");
    EXPECT_NE(e.find(want), std::string::npos) << keys << " -> " << e;
  }
}

}  // namespace
}  // namespace trex::compress
