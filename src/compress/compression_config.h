// The training-time compression config: the established JSON compression-config format
// (comments allowed) read into typed structs with every key, type and range checked, and
// the reference system's composed recipe (`base` + parts in `order_of_parts`) merged into
// one such config for a template's nncf_optimization settings. Errors name the file and the
// key path ("compression[0].initializer.range.type: ...").
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace trex::compress {

/// Which nodes an algorithm (or a part of it) applies to: an empty target list means all.
/// Entries are node names, or regular expressions (whole-name match) after a "{re}" prefix.
struct Scopes {
  std::vector<std::string> ignored, target;
  /// Whether node `name` is in scope (not ignored; targeted when targets are given).
  bool covers(const std::string& name) const;
};
/// Whether a scope entry ("name" or "{re}regex") matches `name`.
bool scope_entry_matches(const std::string& entry, const std::string& name);

/// `weights` / `activations` of the quantization algorithm, or one scope override.
struct QuantizerGroupConfig {
  std::optional<std::string> mode;  ///< symmetric | asymmetric (unset: from the preset)
  int bits = 8;
  bool bits_given = false;          ///< `bits` was in the file (a scope override changes it then)
  std::optional<bool> is_signed;    ///< unset: from the statistics
  std::optional<bool> per_channel;  ///< unset: weights yes, activations no
  bool logarithm_scale = false;
  Scopes scopes;
};

/// One range initializer, for all quantizers or those of a group / scope.
struct RangeInitConfig {
  std::string type = "mixed_min_max";  ///< min_max, mean_min_max, threesigma, percentile, ...
  int num_init_samples = 256;
  double min_percentile = 0.1, max_percentile = 99.9;
  std::string target_quantizer_group;  ///< "" (all), weights, activations
  Scopes scopes;
};

/// Staged quantization-aware training (`params` of the quantization algorithm).
struct StagedQuantizationParams {
  int batch_multiplier = 1;
  int activations_quant_start_epoch = 0, weights_quant_start_epoch = 0;
  std::optional<int> lr_poly_drop_start_epoch;
  int lr_poly_drop_duration_epochs = 30;
  std::optional<int> disable_wd_start_epoch;
  std::optional<double> base_lr, base_wd;
};

struct QuantizationConfig {
  std::string preset = "performance";  ///< performance | mixed
  std::vector<RangeInitConfig> range_init;
  int num_bn_adaptation_samples = 2000;  ///< 0: no BatchNorm adaptation
  QuantizerGroupConfig weights, activations;
  /// scope_overrides: (scope entry, settings), in file order.
  std::vector<std::pair<std::string, QuantizerGroupConfig>> weight_overrides, activation_overrides;
  bool quantize_inputs = true, quantize_outputs = false;
  Scopes scopes;
  std::string overflow_fix = "enable";  ///< enable | disable | first_layer_only
  std::optional<StagedQuantizationParams> params;
  std::optional<double> compression_lr_multiplier;
};

struct FilterPruningConfig {
  double pruning_init = 0;
  std::string filter_importance = "L2";                        ///< L2 | L1 | geometric_median
  std::optional<double> pruning_target, pruning_flops_target;  ///< at most one
  std::string schedule = "exponential";  ///< exponential | exponential_with_bias | baseline
  int pruning_steps = 100;
  int num_init_steps = 0;
  bool prune_first_conv = false, prune_downsample_convs = false, prune_batch_norms = true;
  Scopes scopes;
  std::optional<double> compression_lr_multiplier;
  /// The target in use: the FLOPs target when given, else pruning_target (default 0.5).
  double target() const { return pruning_flops_target.value_or(pruning_target.value_or(0.5)); }
};

struct SparsityConfig {
  std::string algorithm;  ///< magnitude_sparsity | rb_sparsity | const_sparsity
  double sparsity_init = 0;
  std::string schedule;  ///< polynomial | exponential | adaptive | multistep
  double sparsity_target = 0.5;
  int sparsity_target_epoch = 90, sparsity_freeze_epoch = 100;
  double power = 1.0;   ///< polynomial schedule exponent
  bool concave = true;  ///< polynomial schedule shape
  int patience = 1;     ///< adaptive schedule: epochs near the level before it rises
  std::vector<int> multistep_steps;
  std::vector<double> multistep_sparsity_levels;
  std::string weight_importance = "normed_abs";  ///< magnitude: abs | normed_abs
  Scopes scopes;
  std::optional<double> compression_lr_multiplier;
};

struct DistillationConfig {
  std::string type = "mse";  ///< mse | softmax
  double scale = 1.0, temperature = 1.0;
};

struct AccuracyAwareConfig {
  std::string mode;  ///< early_exit | adaptive_compression_level
  /// Exactly one is set; absolute as a fraction of a [0, 1] metric, relative in percent.
  std::optional<double> maximal_absolute_accuracy_degradation,
      maximal_relative_accuracy_degradation;
  int maximal_total_epochs = 10000;
  int initial_training_phase_epochs = 5, patience_epochs = 3;
  double initial_compression_rate_step = 0.1, compression_rate_step_reduction_factor = 0.5,
         minimal_compression_rate_step = 0.025, lr_reduction_factor = 0.5;
  int validate_every_n_epochs = 1;
};

struct InputInfo {
  std::vector<int64_t> sample_size;
  std::string type = "float";
  std::string filler;  ///< "" | zeros | ones | random
};

/// A compression config proper (the `nncf_config` of a composed recipe).
struct CompressionConfig {
  std::vector<InputInfo> input_info;
  std::string target_device = "ANY";
  std::optional<QuantizationConfig> quantization;
  std::optional<FilterPruningConfig> filter_pruning;
  std::optional<SparsityConfig> sparsity;
  std::optional<DistillationConfig> distillation;
  std::vector<std::string> algorithm_order;  ///< algorithm names as listed
  std::optional<AccuracyAwareConfig> accuracy_aware;
  std::string log_dir;
  std::optional<double> compression_lr_multiplier;
};

/// Training settings a composed recipe overrides (absent: the template's).
struct TrainingOverrides {
  std::optional<double> learning_rate;
  std::optional<int> num_epochs;
  std::optional<int> batch_size;
};

/// What `trex optimize` trains with: the config, the overrides, and where it came from.
struct CompressionRecipe {
  CompressionConfig config;
  TrainingOverrides training;
  nlohmann::json merged;           ///< the compression config as JSON (for the report)
  std::vector<std::string> parts;  ///< composed parts applied, in order ("" for a plain file)
  std::string file;
};

/// The template settings that choose and adjust a composed recipe's parts.
struct RecipeSelection {
  bool enable_quantization = true, enable_pruning = false;
  /// Template's maximal_accuracy_degradation, percent (replaces the absolute degradation
  /// key as a fraction: 1.0 -> 0.01); unset: keep the file's.
  std::optional<double> maximal_accuracy_degradation;
};

/// Parses and validates a compression config proper. `file` prefixes error messages.
CompressionConfig parse_compression_config(const nlohmann::json& j, const std::string& file);

/// The merge rule of composed recipes: objects merge recursively, lists concatenate,
/// anything else replaces.
void merge_json(nlohmann::json& into, const nlohmann::json& part);

/// Reads `path` (JSON with comments) in either form: a composed recipe (has "base" or
/// "order_of_parts") or a plain compression config (has "compression").
CompressionRecipe load_compression_recipe(const std::string& path, const RecipeSelection& sel);
/// The same from already-parsed JSON.
CompressionRecipe compose_recipe(const nlohmann::json& j, const RecipeSelection& sel,
                                 const std::string& file);

}  // namespace trex::compress
