// What a post-training quantization run is told: preset, range estimators, ignored scope,
// bias correction, overflow fix, subset size and seed (SPEC.md, "PTQ: DefaultQuantization").
// Defaults are the DefaultQuantization defaults; a PTQ config file (ptq_config.yaml) and
// template parameters override them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace trex::quant {

/// performance: symmetric weights and activations; mixed: symmetric weights, asymmetric
/// activations.
enum class Preset { kPerformance, kMixed };

/// How an activation range is estimated from calibration statistics.
enum class EstimatorKind {
  kMinMax,        ///< global min and max
  kMeanMinMax,    ///< per-sample min and max, averaged over samples (default)
  kQuantile,      ///< global quantiles at outlier_prob and 1 - outlier_prob
  kMeanQuantile,  ///< per-sample quantiles, averaged
  kPercentile,    ///< global percentiles min_percentile / max_percentile
  kHistogram,     ///< the clipping range that minimizes the expected quantization MSE
  /// max: per-sample maxima averaged; min: per-sample minima averaged for an asymmetric
  /// quantizer, the global minimum for a symmetric one (QAT's default initializer)
  kMixedMinMax,
  kThreeSigma,      ///< mean +- 3 standard deviations of all values
  kMeanPercentile,  ///< per-sample percentiles min_percentile / max_percentile, averaged
};

struct RangeEstimator {
  EstimatorKind kind = EstimatorKind::kMeanMinMax;
  double outlier_prob = 1e-4;    ///< quantile, mean_quantile
  double min_percentile = 0.1;   ///< percentile, mean_percentile: in percent
  double max_percentile = 99.9;  ///< percentile, mean_percentile: in percent
};

enum class BiasCorrectionKind { kNone, kFast, kFull };

/// 7-bit weights (range [-63, 63]) for CPUs without VNNI, whose u8 x s8 pairs can overflow
/// the 16-bit intermediate sums: on no layer, on the layers reading a model input, or on all.
enum class OverflowFix { kDisable, kFirstLayer, kEnable };

/// Nodes that stay in FP32: exact names, regular expressions over names (whole-name match),
/// op types.
struct IgnoredScope {
  std::vector<std::string> names;
  std::vector<std::string> patterns;
  std::vector<std::string> types;
  bool empty() const { return names.empty() && patterns.empty() && types.empty(); }
};

/// How a weight is quantized: bits 2-8 (int8 values in [-(2^(bits-1) - 1), 2^(bits-1) - 1],
/// exact in int8 QDQ) with one scale per output channel, or one for the tensor.
struct WeightSpec {
  int bits = 8;
  bool per_channel = true;
};

/// How an activation is quantized: bits 2-8 (a grid narrower than the type exports as a Clip
/// before the QuantizeLinear); `symmetric` unset: the preset's mode; `is_signed` unset: from
/// the statistics (unsigned when the minimum is >= 0), set: forced (symmetric mode only;
/// unsigned clips negative values to 0).
struct ActivationSpec {
  int bits = 8;
  std::optional<bool> symmetric;
  std::optional<bool> is_signed;
};

/// transformer: SmoothQuant before MatMul/Gemm, and no quantizers on the inputs of
/// elementwise arithmetic and normalization (SPEC.md, "model_type transformer").
enum class ModelType { kCnn, kTransformer };

struct PtqConfig {
  Preset preset = Preset::kPerformance;
  ModelType model_type = ModelType::kCnn;
  /// SmoothQuant's migration strength for MatMul/Gemm (transformer models).
  double smooth_quant_alpha = 0.95;
  int stat_subset_size = 300;
  uint64_t seed = 0;  ///< picks the calibration subset
  RangeEstimator activations;
  BiasCorrectionKind bias_correction = BiasCorrectionKind::kFast;
  /// Bias shifts with max |shift / bias| at or above this are not applied.
  double bias_correction_threshold = 2.0;
  /// BiasCorrection (full) uses this fraction of the subset.
  double bias_correction_subset = 0.2;
  OverflowFix overflow_fix = OverflowFix::kDisable;
  /// Weights: `weights`, or per node where `weights_by_node` says.
  WeightSpec weights;
  std::map<std::string, WeightSpec> weights_by_node;
  /// Activations: `activation_spec` and the `activations` estimator, or per quantized value
  /// where the maps say.
  ActivationSpec activation_spec;
  std::map<std::string, ActivationSpec> activation_spec_by_value;
  std::map<std::string, RangeEstimator> estimator_by_value;
  /// Quantizers on the model's float outputs too (off: outputs stay float).
  bool quantize_outputs = false;
  /// Weights of these nodes, and quantizers on these values, stay float (the rest of their
  /// layers is quantized as placed).
  std::set<std::string> float_weights, float_activations;
  IgnoredScope ignored;
  int batch_size = 32;  ///< calibration batch size

  const WeightSpec& weight_spec(const std::string& node) const {
    auto it = weights_by_node.find(node);
    return it == weights_by_node.end() ? weights : it->second;
  }
  const ActivationSpec& activation(const std::string& value) const {
    auto it = activation_spec_by_value.find(value);
    return it == activation_spec_by_value.end() ? activation_spec : it->second;
  }
  const RangeEstimator& estimator(const std::string& value) const {
    auto it = estimator_by_value.find(value);
    return it == estimator_by_value.end() ? activations : it->second;
  }
};

const char* preset_name(Preset p);
Preset parse_preset(const std::string& s, const std::string& where);
const char* estimator_name(EstimatorKind k);
EstimatorKind parse_estimator(const std::string& s, const std::string& where);
const char* bias_correction_name(BiasCorrectionKind b);
BiasCorrectionKind parse_bias_correction(const std::string& s, const std::string& where);
const char* overflow_fix_name(OverflowFix f);
OverflowFix parse_overflow_fix(const std::string& s, const std::string& where);

const char* model_type_name(ModelType t);
ModelType parse_model_type(const std::string& s, const std::string& where);

/// Reads a PTQ config file (YAML) on top of `base`: keys `preset`, `model_type` (cnn |
/// transformer), `smooth_quant_alpha`, `stat_subset_size`,
/// `seed`, `ignored_scope` {names, patterns, types}, `range_estimator` {type,
/// outlier_prob, min_percentile, max_percentile}, `bias_correction` (fast | full | none),
/// `bias_correction_threshold`, `overflow_fix` (disable | first_layer | enable),
/// `batch_size`. Unknown keys, wrong types and out-of-range values are errors naming the
/// file and the key path.
PtqConfig load_ptq_config(const std::string& path, PtqConfig base = {});

/// Checks ranges of every field; `where` prefixes the messages.
void validate_ptq_config(const PtqConfig& c, const std::string& where);

}  // namespace trex::quant
