// The compression config: every algorithm's keys read, the composed recipe merged as the
// reference system does, and malformed configs rejected naming the key path.
#include "compress/compression_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "util/error.h"

namespace trex::compress {
namespace {

using nlohmann::json;

CompressionConfig parse(const std::string& text) {
  return parse_compression_config(json::parse(text, nullptr, true, true), "cfg.json");
}

/// The message of the error parsing `text` throws ("" when it parses).
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput) << e.what();
    return e.what();
  }
  return "";
}

TEST(CompressionConfig, ReadsQuantizationKeys) {
  CompressionConfig c = parse(R"({
    // comments are allowed
    "input_info": {"sample_size": [1, 1, 28, 28]},
    "target_device": "CPU",
    "compression": {
      "algorithm": "quantization", "preset": "mixed",
      "initializer": {
        "range": [{"type": "percentile", "num_init_samples": 64,
                   "params": {"min_percentile": 1, "max_percentile": 99},
                   "target_quantizer_group": "activations"},
                  {"type": "min_max", "target_quantizer_group": "weights",
                   "ignored_scopes": ["{re}conv.*"]}],
        "batchnorm_adaptation": {"num_bn_adaptation_samples": 0}
      },
      "weights": {"mode": "symmetric", "bits": 8, "per_channel": true},
      "activations": {"mode": "asymmetric", "signed": true, "ignored_scopes": "fc"},
      "scope_overrides": {"activations": {"{re}.*add.*": {"mode": "symmetric"}}},
      "quantize_inputs": false, "quantize_outputs": true,
      "ignored_scopes": ["stem"], "target_scopes": ["{re}layer.*"],
      "overflow_fix": "first_layer_only",
      "params": {"activations_quant_start_epoch": 1, "batch_multiplier": 2}
    }})");
  ASSERT_TRUE(c.quantization);
  const QuantizationConfig& q = *c.quantization;
  EXPECT_EQ(c.input_info.at(0).sample_size, (std::vector<int64_t>{1, 1, 28, 28}));
  EXPECT_EQ(c.target_device, "CPU");
  EXPECT_EQ(q.preset, "mixed");
  ASSERT_EQ(q.range_init.size(), 2u);
  EXPECT_EQ(q.range_init[0].type, "percentile");
  EXPECT_EQ(q.range_init[0].num_init_samples, 64);
  EXPECT_DOUBLE_EQ(q.range_init[0].min_percentile, 1);
  EXPECT_EQ(q.range_init[1].target_quantizer_group, "weights");
  EXPECT_FALSE(q.range_init[1].scopes.covers("conv3"));
  EXPECT_EQ(q.num_bn_adaptation_samples, 0);
  EXPECT_EQ(q.weights.per_channel, true);
  EXPECT_EQ(q.activations.mode, "asymmetric");
  EXPECT_EQ(q.activations.is_signed, true);
  EXPECT_FALSE(q.activations.scopes.covers("fc"));
  ASSERT_EQ(q.activation_overrides.size(), 1u);
  EXPECT_EQ(q.activation_overrides[0].first, "{re}.*add.*");
  EXPECT_FALSE(q.quantize_inputs);
  EXPECT_TRUE(q.quantize_outputs);
  EXPECT_FALSE(q.scopes.covers("stem"));
  EXPECT_TRUE(q.scopes.covers("layer1.conv"));
  EXPECT_FALSE(q.scopes.covers("head"));
  EXPECT_EQ(q.overflow_fix, "first_layer_only");
  ASSERT_TRUE(q.params);
  EXPECT_EQ(q.params->activations_quant_start_epoch, 1);
  EXPECT_EQ(q.params->batch_multiplier, 2);
}

TEST(CompressionConfig, DefaultsFollowTheFormat) {
  CompressionConfig c = parse(R"({"compression": [{"algorithm": "quantization"},
      {"algorithm": "filter_pruning"}, {"algorithm": "magnitude_sparsity"},
      {"algorithm": "knowledge_distillation", "type": "softmax"}]})");
  EXPECT_EQ(c.target_device, "ANY");
  EXPECT_EQ(c.quantization->preset, "performance");
  EXPECT_EQ(c.quantization->range_init.at(0).type, "mixed_min_max");
  EXPECT_EQ(c.quantization->range_init.at(0).num_init_samples, 256);
  EXPECT_EQ(c.quantization->num_bn_adaptation_samples, 2000);
  EXPECT_TRUE(c.quantization->quantize_inputs);
  EXPECT_FALSE(c.quantization->quantize_outputs);
  EXPECT_EQ(c.filter_pruning->filter_importance, "L2");
  EXPECT_EQ(c.filter_pruning->schedule, "exponential");
  EXPECT_DOUBLE_EQ(c.filter_pruning->target(), 0.5);
  EXPECT_EQ(c.filter_pruning->pruning_steps, 100);
  EXPECT_TRUE(c.filter_pruning->prune_batch_norms);
  EXPECT_FALSE(c.filter_pruning->prune_first_conv);
  EXPECT_EQ(c.sparsity->schedule, "polynomial");
  EXPECT_DOUBLE_EQ(c.sparsity->sparsity_target, 0.5);
  EXPECT_EQ(c.sparsity->sparsity_target_epoch, 90);
  EXPECT_EQ(c.sparsity->sparsity_freeze_epoch, 100);
  EXPECT_EQ(c.sparsity->weight_importance, "normed_abs");
  EXPECT_EQ(c.distillation->type, "softmax");
  EXPECT_DOUBLE_EQ(c.distillation->temperature, 1.0);
  EXPECT_EQ(c.algorithm_order,
            (std::vector<std::string>{"quantization", "filter_pruning", "magnitude_sparsity",
                                      "knowledge_distillation"}));
  EXPECT_EQ(parse(R"({"compression": {"algorithm": "rb_sparsity"}})").sparsity->schedule,
            "exponential");
}

TEST(CompressionConfig, ReadsPruningSparsityAndAccuracyAware) {
  CompressionConfig c = parse(R"({"compression": [
      {"algorithm": "filter_pruning", "pruning_init": 0.1,
       "params": {"schedule": "exponential_with_bias", "pruning_flops_target": 0.3,
                  "pruning_steps": 5, "num_init_steps": 1, "filter_importance": "geometric_median",
                  "prune_first_conv": true, "prune_downsample_convs": true,
                  "prune_batch_norms": false}},
      {"algorithm": "rb_sparsity", "sparsity_init": 0.05,
       "params": {"schedule": "multistep", "multistep_steps": [2, 4],
                  "multistep_sparsity_levels": [0.1, 0.3, 0.5]}}],
    "accuracy_aware_training": {"mode": "adaptive_compression_level",
      "params": {"maximal_relative_accuracy_degradation": 1.0, "initial_training_phase_epochs": 2,
                 "patience_epochs": 1, "maximal_total_epochs": 12}}})");
  EXPECT_DOUBLE_EQ(c.filter_pruning->target(), 0.3);
  EXPECT_EQ(c.filter_pruning->filter_importance, "geometric_median");
  EXPECT_EQ(c.filter_pruning->schedule, "exponential_with_bias");
  EXPECT_FALSE(c.filter_pruning->prune_batch_norms);
  EXPECT_EQ(c.sparsity->multistep_steps, (std::vector<int>{2, 4}));
  EXPECT_EQ(c.accuracy_aware->mode, "adaptive_compression_level");
  EXPECT_EQ(c.accuracy_aware->maximal_relative_accuracy_degradation, 1.0);
  EXPECT_FALSE(c.accuracy_aware->maximal_absolute_accuracy_degradation);
  EXPECT_EQ(c.accuracy_aware->patience_epochs, 1);
  EXPECT_EQ(c.accuracy_aware->maximal_total_epochs, 12);
}

TEST(CompressionConfig, ErrorsNameTheKeyPath) {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {R"({"compresion": []})", "cfg.json: compresion: unknown key"},
      {R"({"compression": [{"algorithm": "quantisation"}]})",
       "compression[0].algorithm: 'quantisation' is not one of"},
      {R"({"compression": [{"algorithm": "quantization", "initializer": {"range": {"type": 3}}}]})",
       "compression[0].initializer.range.type: expected a string"},
      {R"({"compression": {"algorithm": "quantization", "initializer": {"range": [{"num_init_samples": -1}]}}})",
       "compression.initializer.range[0].num_init_samples: value -1 out of range"},
      {R"({"compression": {"algorithm": "quantization", "weights": {"bits": 16}}})",
       "compression.weights.bits: value 16 out of range [2, 8]"},
      {R"({"compression": {"algorithm": "quantization", "activations": {"mode": "asym"}}})",
       "compression.activations.mode: 'asym' is not one of"},
      {R"({"compression": {"algorithm": "quantization", "weights": {"per_chanel": true}}})",
       "compression.weights.per_chanel: unknown key"},
      {R"({"compression": {"algorithm": "quantization", "ignored_scopes": ["{re}(("]}})",
       "compression.ignored_scopes: '{re}((' is not a valid regular expression"},
      // A repetition count this large overflows the regex compiler: refused before it runs.
      {R"({"compression": {"algorithm": "quantization", "target_scopes": ["{re}a{7777777777777777777}"]}})",
       "compression.target_scopes: '{re}a{7777777777777777777}' is not a valid regular expression"},
      {R"({"compression": {"algorithm": "quantization", "scope_overrides": {"weights": {"a": {"bits": "8"}}}}})",
       "compression.scope_overrides.weights.a.bits: expected an integer"},
      {R"({"compression": {"algorithm": "quantization", "initializer": {"precision": {}}}})",
       "compression.initializer.precision: mixed-precision initialization"},
      {R"({"compression": {"algorithm": "filter_pruning", "params": {"pruning_target": 1.5}}})",
       "compression.params.pruning_target: value 1.5 out of range"},
      {R"({"compression": {"algorithm": "filter_pruning", "params": {"pruning_target": 0.3, "pruning_flops_target": 0.3}}})",
       "give pruning_target or pruning_flops_target, not both"},
      {R"({"compression": {"algorithm": "filter_pruning", "params": {"filter_importance": "l2"}}})",
       "compression.params.filter_importance: 'l2' is not one of"},
      {R"({"compression": {"algorithm": "magnitude_sparsity", "params": {"schedule": "multistep", "multistep_steps": [1], "multistep_sparsity_levels": [0.1]}}})",
       "compression.params.multistep_sparsity_levels: needs one level more"},
      {R"({"compression": [{"algorithm": "magnitude_sparsity"}, {"algorithm": "rb_sparsity"}]})",
       "compression[1].algorithm: 'rb_sparsity' after 'magnitude_sparsity'"},
      {R"({"compression": [{"algorithm": "quantization"}, {"algorithm": "quantization"}]})",
       "compression[1].algorithm: 'quantization' is given twice"},
      {R"({"compression": {"algorithm": "knowledge_distillation"}})", "compression.type: missing"},
      {R"({"compression": {"algorithm": "quantization"}, "accuracy_aware_training": {"mode": "early_exit", "params": {}}})",
       "accuracy_aware_training.params: give exactly one of"},
      {R"({"compression": {"algorithm": "quantization"}, "accuracy_aware_training": {"mode": "adaptive_compression_level", "params": {"maximal_absolute_accuracy_degradation": 0.01}}})",
       "adaptive_compression_level needs an algorithm with a compression rate"},
      {R"({"compression": {"algorithm": "quantization"}, "accuracy_aware_training": {"mode": "early_exit", "params": {"maximal_absolute_accuracy_degradation": 0.01, "patience_epochs": 2}}})",
       "accuracy_aware_training.params.patience_epochs: unknown key"},
      {R"({"input_info": {"sample_size": [1, 0, 28]}})", "input_info.sample_size[1]: value 0"},
      {R"({"compression": "quantization"})", "compression: expected an object or a list"},
      {R"({"target_device": "NPU"})", "target_device: 'NPU' is not one of"},
      {R"({"compression": {"algorithm": "filter_pruning", "params": {"pruning_steps": 1e300}}})",
       "compression.params.pruning_steps: value 1e+300 out of range"},
      {R"({"compression": {"algorithm": "filter_pruning", "params": {"pruning_steps": 2.5}}})",
       "compression.params.pruning_steps: expected an integer, got 2.5"},
      {R"({"compression": {"algorithm": "filter_pruning", "params": {"pruning_steps": 18446744073709551615}}})",
       "compression.params.pruning_steps: value 18446744073709551615 out of range"},
  };
  for (const Case& c : cases) {
    std::string msg = error_of(c.text);
    EXPECT_NE(msg.find(c.expect), std::string::npos) << c.text << "\n  -> " << msg;
  }
}

TEST(CompressionRecipe, UnreadableFilesAreInvalidInput) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "trex_compression_overflow.json").string();
  for (const char* text : {R"({"base": 1e99999})", R"({"base": )", "\xff"}) {
    std::ofstream(path) << text;
    try {
      load_compression_recipe(path, RecipeSelection{});
      ADD_FAILURE() << text << " loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
      EXPECT_NE(std::string(e.what()).find(path + ": not valid JSON"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_THROW(load_compression_recipe(path + ".missing", RecipeSelection{}), Error);
}

TEST(CompressionConfig, MergeRules) {
  json a = json::parse(R"({"x": {"y": 1, "z": [1]}, "s": "a"})");
  merge_json(a, json::parse(R"({"x": {"y": 2, "z": [2], "w": true}, "s": "b"})"));
  EXPECT_EQ(a, json::parse(R"({"x": {"y": 2, "z": [1, 2], "w": true}, "s": "b"})"));
}

TEST(CompressionRecipe, ComposesTheShippedRecipeLikeTheReference) {
  const std::string path =
      std::string(TREX_RECIPES_DIR) + "/classification/resnet18/compression_config.json";
  RecipeSelection q;  // quantization only, template degradation 1.0 %
  q.maximal_accuracy_degradation = 1.0;
  CompressionRecipe r = load_compression_recipe(path, q);
  EXPECT_EQ(r.parts, (std::vector<std::string>{"nncf_quantization"}));
  ASSERT_TRUE(r.config.quantization);
  EXPECT_FALSE(r.config.filter_pruning);
  EXPECT_EQ(r.config.quantization->preset, "mixed");
  EXPECT_EQ(r.config.accuracy_aware->mode, "early_exit");
  EXPECT_DOUBLE_EQ(*r.config.accuracy_aware->maximal_absolute_accuracy_degradation, 0.01);
  EXPECT_EQ(r.training.num_epochs, 3);
  EXPECT_DOUBLE_EQ(*r.training.learning_rate, 0.005);

  RecipeSelection both{true, true, 2.0};
  CompressionRecipe rb = load_compression_recipe(path, both);
  EXPECT_EQ(rb.parts, (std::vector<std::string>{"nncf_quantization", "nncf_pruning",
                                                "nncf_quantization_pruning"}));
  EXPECT_EQ(rb.config.algorithm_order,
            (std::vector<std::string>{"quantization", "filter_pruning"}));  // lists concatenate
  EXPECT_EQ(rb.config.accuracy_aware->mode, "adaptive_compression_level");
  EXPECT_DOUBLE_EQ(*rb.config.accuracy_aware->maximal_absolute_accuracy_degradation, 0.02);

  RecipeSelection none{false, false, std::nullopt};
  EXPECT_THROW(load_compression_recipe(path, none), Error);
}

TEST(CompressionRecipe, EveryShippedRecipeComposes) {
  for (const char* model : {"resnet18", "mobilenet_v3", "efficientnet_b0"})
    for (const RecipeSelection& sel :
         {RecipeSelection{true, false, 1.0}, RecipeSelection{false, true, 1.0},
          RecipeSelection{true, true, 1.0}}) {
      const std::string path =
          std::string(TREX_RECIPES_DIR) + "/classification/" + model + "/compression_config.json";
      CompressionRecipe r = load_compression_recipe(path, sel);
      EXPECT_EQ(r.config.quantization.has_value(), sel.enable_quantization) << path;
      EXPECT_EQ(r.config.filter_pruning.has_value(), sel.enable_pruning) << path;
    }
}

TEST(CompressionRecipe, ChecksDisabledPartsAndTrainingKeys) {
  auto compose = [](const std::string& text) {
    return compose_recipe(json::parse(text, nullptr, true, true), RecipeSelection{}, "r.json");
  };
  auto message = [&](const std::string& text) -> std::string {
    try {
      compose(text);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  const std::string base = R"("base": {"nncf_config": {"compression": []}}, )";
  EXPECT_NE(
      message(
          "{" + base +
          R"("nncf_quantization": {"nncf_config": {"compression": [{"algorithm": "quantization"}]}},
      "nncf_pruning": {"nncf_config": {"compression": [{"algorithm": "filter_pruning", "params": {"schedule": "linear"}}]}}})")
          .find("r.json (base + parts up to nncf_pruning: nncf_config): "
                "compression[1].params.schedule"),
      std::string::npos);
  EXPECT_NE(message("{" + base + R"("nncf_quantization": {"runner": {"epochs": 3}}})")
                .find("r.json: nncf_quantization.runner.epochs: unknown key"),
            std::string::npos);
  EXPECT_NE(message("{" + base + R"("order_of_parts": ["nncf_quant"], "nncf_quantization": {}})")
                .find("order_of_parts[0]: 'nncf_quant' is not one of"),
            std::string::npos);
  EXPECT_NE(message("{" + base + R"("nncf_pruning": {}})").find("has no part 'nncf_quantization'"),
            std::string::npos);
  EXPECT_NE(message(R"({"bse": {}, "nncf_quantization": {}})").find("r.json: bse: unknown key"),
            std::string::npos);
  // A plain config (no parts) is taken as is.
  CompressionRecipe plain = compose(R"({"compression": {"algorithm": "quantization"}})");
  EXPECT_TRUE(plain.config.quantization);
}

}  // namespace
}  // namespace trex::compress
