// PTQ config names and the PTQ config file reader (see quantizer_config.h).
#include "quant/quantizer_config.h"

#include <regex>

#include "util/error.h"
#include "util/user_regex.h"
#include "util/yaml_group.h"

namespace trex::quant {

namespace {

template <typename E, size_t N>
E parse_enum(const std::string& s, const std::string& where, const char* what,
             const std::pair<const char*, E> (&table)[N]) {
  std::string list;
  for (const auto& [name, value] : table) {
    if (s == name) return value;
    list += (list.empty() ? "" : ", ") + std::string(name);
  }
  throw_invalid(where + ": unknown " + what + " '" + s + "' (one of: " + list + ")");
}

template <typename E, size_t N>
const char* enum_name(E v, const std::pair<const char*, E> (&table)[N]) {
  for (const auto& [name, value] : table)
    if (value == v) return name;
  return "?";
}

constexpr std::pair<const char*, Preset> kPresets[] = {{"performance", Preset::kPerformance},
                                                       {"mixed", Preset::kMixed}};
constexpr std::pair<const char*, EstimatorKind> kEstimators[] = {
    {"min_max", EstimatorKind::kMinMax},
    {"mean_min_max", EstimatorKind::kMeanMinMax},
    {"quantile", EstimatorKind::kQuantile},
    {"mean_quantile", EstimatorKind::kMeanQuantile},
    {"percentile", EstimatorKind::kPercentile},
    {"histogram", EstimatorKind::kHistogram},
    {"mixed_min_max", EstimatorKind::kMixedMinMax},
    {"threesigma", EstimatorKind::kThreeSigma},
    {"mean_percentile", EstimatorKind::kMeanPercentile}};
constexpr std::pair<const char*, BiasCorrectionKind> kBiasCorrections[] = {
    {"fast", BiasCorrectionKind::kFast},
    {"full", BiasCorrectionKind::kFull},
    {"none", BiasCorrectionKind::kNone}};
constexpr std::pair<const char*, OverflowFix> kOverflowFixes[] = {
    {"disable", OverflowFix::kDisable},
    {"first_layer", OverflowFix::kFirstLayer},
    {"enable", OverflowFix::kEnable}};

constexpr std::pair<const char*, ModelType> kModelTypes[] = {
    {"cnn", ModelType::kCnn}, {"transformer", ModelType::kTransformer}};

}  // namespace

const char* model_type_name(ModelType t) {
  return enum_name(t, kModelTypes);
}
ModelType parse_model_type(const std::string& s, const std::string& where) {
  return parse_enum(s, where, "model type", kModelTypes);
}

const char* preset_name(Preset p) {
  return enum_name(p, kPresets);
}
Preset parse_preset(const std::string& s, const std::string& where) {
  return parse_enum(s, where, "preset", kPresets);
}
const char* estimator_name(EstimatorKind k) {
  return enum_name(k, kEstimators);
}
EstimatorKind parse_estimator(const std::string& s, const std::string& where) {
  return parse_enum(s, where, "range estimator", kEstimators);
}
const char* bias_correction_name(BiasCorrectionKind b) {
  return enum_name(b, kBiasCorrections);
}
BiasCorrectionKind parse_bias_correction(const std::string& s, const std::string& where) {
  return parse_enum(s, where, "bias correction", kBiasCorrections);
}
const char* overflow_fix_name(OverflowFix f) {
  return enum_name(f, kOverflowFixes);
}
OverflowFix parse_overflow_fix(const std::string& s, const std::string& where) {
  return parse_enum(s, where, "overflow fix", kOverflowFixes);
}

void validate_ptq_config(const PtqConfig& c, const std::string& where) {
  auto fail = [&where](const std::string& key, const std::string& what) {
    throw_invalid(where + ": " + key + ": " + what);
  };
  if (c.stat_subset_size < 1 || c.stat_subset_size > 100000)
    fail("stat_subset_size", std::to_string(c.stat_subset_size) + " out of range [1, 100000]");
  if (c.batch_size < 1 || c.batch_size > 4096)
    fail("batch_size", std::to_string(c.batch_size) + " out of range [1, 4096]");
  auto bits = [&](int b, const std::string& key) {
    if (b < 2 || b > 8) fail(key, std::to_string(b) + " out of range [2, 8]");
  };
  bits(c.weights.bits, "weight bits");
  for (const auto& [node, w] : c.weights_by_node) bits(w.bits, "weight bits of '" + node + "'");
  bits(c.activation_spec.bits, "activation bits");
  for (const auto& [value, a] : c.activation_spec_by_value)
    bits(a.bits, "activation bits of '" + value + "'");
  auto estimator = [&](const RangeEstimator& r, const std::string& key) {
    if (!(r.outlier_prob >= 0 && r.outlier_prob < 0.5))
      fail(key + ".outlier_prob", std::to_string(r.outlier_prob) + " out of range [0, 0.5)");
    if (!(r.min_percentile >= 0 && r.min_percentile < r.max_percentile && r.max_percentile <= 100))
      fail(key, "need 0 <= min_percentile < max_percentile <= 100, got " +
                    std::to_string(r.min_percentile) + " and " + std::to_string(r.max_percentile));
  };
  estimator(c.activations, "range_estimator");
  for (const auto& [value, r] : c.estimator_by_value)
    estimator(r, "range_estimator of '" + value + "'");
  if (!(c.smooth_quant_alpha >= 0 && c.smooth_quant_alpha <= 1))
    fail("smooth_quant_alpha", std::to_string(c.smooth_quant_alpha) + " out of range [0, 1]");
  if (!(c.bias_correction_threshold > 0)) fail("bias_correction_threshold", "must be positive");
  if (!(c.bias_correction_subset > 0 && c.bias_correction_subset <= 1))
    fail("bias_correction_subset", "must be in (0, 1]");
  for (const std::string& p : c.ignored.patterns) {
    try {
      std::regex re = user_regex(p);
    } catch (const std::regex_error& e) {
      fail("ignored_scope.patterns", "'" + p + "' is not a valid regular expression: " + e.what());
    }
  }
}

PtqConfig load_ptq_config(const std::string& path, PtqConfig c) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw_invalid(path + ": not valid YAML: " + e.what());
  }
  if (root.IsNull()) return c;  // an empty file changes nothing
  try {
    YamlGroup top(root, "", path);
    if (!root.IsMap()) top.fail("(top level)", "expected a mapping");
    c.preset =
        parse_preset(top.choice("preset", preset_name(c.preset), {"performance", "mixed"}), path);
    c.model_type = parse_model_type(
        top.choice("model_type", model_type_name(c.model_type), {"cnn", "transformer"}), path);
    c.smooth_quant_alpha = top.number("smooth_quant_alpha", c.smooth_quant_alpha, 0.0, 1.0);
    c.stat_subset_size = top.integer("stat_subset_size", c.stat_subset_size, 1, 100000);
    c.seed = top.get<uint64_t>("seed", c.seed);
    c.batch_size = top.integer("batch_size", c.batch_size, 1, 4096);
    c.bias_correction =
        parse_bias_correction(top.choice("bias_correction", bias_correction_name(c.bias_correction),
                                         {"fast", "full", "none"}),
                              path);
    c.bias_correction_threshold =
        top.number("bias_correction_threshold", c.bias_correction_threshold, 1e-6, 1e6);
    c.overflow_fix =
        parse_overflow_fix(top.choice("overflow_fix", overflow_fix_name(c.overflow_fix),
                                      {"disable", "first_layer", "enable"}),
                           path);
    top.get<YAML::Node>("ignored_scope", {});
    YamlGroup ig(root["ignored_scope"], "ignored_scope", path);
    c.ignored.names = ig.get<std::vector<std::string>>("names", c.ignored.names);
    c.ignored.patterns = ig.get<std::vector<std::string>>("patterns", c.ignored.patterns);
    c.ignored.types = ig.get<std::vector<std::string>>("types", c.ignored.types);
    ig.check_unknown();
    top.get<YAML::Node>("range_estimator", {});
    YamlGroup re(root["range_estimator"], "range_estimator", path);
    c.activations.kind = parse_estimator(
        re.choice("type", estimator_name(c.activations.kind),
                  {"min_max", "mean_min_max", "quantile", "mean_quantile", "percentile",
                   "histogram", "mixed_min_max", "threesigma", "mean_percentile"}),
        path);
    c.activations.outlier_prob = re.number("outlier_prob", c.activations.outlier_prob, 0.0, 0.4999);
    c.activations.min_percentile =
        re.number("min_percentile", c.activations.min_percentile, 0.0, 100.0);
    c.activations.max_percentile =
        re.number("max_percentile", c.activations.max_percentile, 0.0, 100.0);
    re.check_unknown();
    top.check_unknown();
  } catch (const YAML::Exception& e) {
    throw_invalid(path + ": malformed PTQ config: " + e.what());
  }
  validate_ptq_config(c, path);
  return c;
}

}  // namespace trex::quant
