// The PTQ config file: every key read, unknown keys / wrong types / bad values named.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "quant/quantizer_config.h"
#include "test_util.h"

namespace trex::quant {
namespace {

std::string write(const std::string& name, const std::string& text) {
  std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(PtqConfigFile, ReadsEveryKey) {
  std::string p = write("trex_ptq_all.yaml",
                        "preset: mixed\nmodel_type: transformer\nsmooth_quant_alpha: 0.5\n"
                        "stat_subset_size: 500\nseed: 3\nbatch_size: 8\n"
                        "bias_correction: full\noverflow_fix: first_layer\n"
                        "ignored_scope:\n  names: [a]\n  patterns: ['b.*']\n  types: [Mul]\n"
                        "range_estimator:\n  type: quantile\n  outlier_prob: 0.001\n");
  PtqConfig c = load_ptq_config(p);
  EXPECT_EQ(c.preset, Preset::kMixed);
  EXPECT_EQ(c.model_type, ModelType::kTransformer);
  EXPECT_DOUBLE_EQ(c.smooth_quant_alpha, 0.5);
  EXPECT_EQ(c.stat_subset_size, 500);
  EXPECT_EQ(c.seed, 3u);
  EXPECT_EQ(c.batch_size, 8);
  EXPECT_EQ(c.bias_correction, BiasCorrectionKind::kFull);
  EXPECT_EQ(c.overflow_fix, OverflowFix::kFirstLayer);
  EXPECT_EQ(c.ignored.names, std::vector<std::string>{"a"});
  EXPECT_EQ(c.ignored.patterns, std::vector<std::string>{"b.*"});
  EXPECT_EQ(c.ignored.types, std::vector<std::string>{"Mul"});
  EXPECT_EQ(c.activations.kind, EstimatorKind::kQuantile);
  EXPECT_DOUBLE_EQ(c.activations.outlier_prob, 0.001);
}

TEST(PtqConfigFile, ErrorsNameTheKey) {
  auto err = [](const std::string& text) {
    std::string p = write("trex_ptq_bad.yaml", text);
    return testing::error_of([&] { load_ptq_config(p); });
  };
  EXPECT_NE(err("presets: mixed\n").find("trex_ptq_bad.yaml: presets: unknown key"),
            std::string::npos);
  EXPECT_NE(err("range_estimator:\n  typ: min_max\n").find("range_estimator.typ: unknown key"),
            std::string::npos);
  EXPECT_NE(
      err("range_estimator:\n  type: best\n").find("range_estimator.type: 'best' is not one of"),
      std::string::npos);
  EXPECT_NE(err("stat_subset_size: many\n").find("stat_subset_size: cannot read"),
            std::string::npos);
  EXPECT_NE(err("stat_subset_size: 0\n").find("stat_subset_size: value 0 out of range"),
            std::string::npos);
  EXPECT_NE(err("ignored_scope:\n  patterns: ['x{2,99999}']\n").find("ignored_scope.patterns"),
            std::string::npos);
  EXPECT_NE(
      err("ignored_scope:\n  patterns: ['(a)\\77777777777777']\n").find("ignored_scope.patterns"),
      std::string::npos);
  EXPECT_NE(err("ignored_scope:\n  patterns: ['(']\n").find("ignored_scope.patterns: '('"),
            std::string::npos);
  EXPECT_NE(err("ignored_scope: [a, b]\n").find("ignored_scope: expected a mapping"),
            std::string::npos);
  EXPECT_NE(err("preset: [\n").find("not valid YAML"), std::string::npos);
}

}  // namespace
}  // namespace trex::quant
