// What a training-time compression run will do, read from its recipe (the template's
// compression_config.json or a given file) and the template, and checked before any work:
// the algorithms available, their combinations, and that every schedule fits the run.
#pragma once

#include <string>
#include <vector>

#include "compress/compression_config.h"
#include "ir/graph.h"
#include "tasks/model_template.h"

namespace trex::engine {

struct CompressSettings {
  std::string config_file;
  compress::CompressionRecipe recipe;
  /// The template's, with the recipe's overrides, no warm-up, and accuracy-aware
  /// training's maximal_total_epochs as the epoch count.
  LearningParameters lp;
  std::string compression_id;     ///< the algorithms joined by '+' (checkpoint metadata)
  std::string aat_mode;           ///< accuracy_aware_training mode, "" without
  bool adaptive = false;          ///< adaptive_compression_level
  bool rate_is_sparsity = false;  ///< its rate is the magnitude sparsity level (no pruning)
  bool rb_used = false, sparsity_adaptive = false;
  int initial_phase = 0;      ///< epochs of the scheduled phase (all of them without adaptive)
  int pruning_final = 0;      ///< first epoch at the pruning target (0 without pruning)
  double range_lr_scale = 1;  ///< quantizer ranges' learning-rate multiplier
  /// Staged QAT (the quantization algorithm's `params`): the 0-based epochs from which the
  /// activation and weight quantizers run (before: bypassed), and weight decay is 0 (-1:
  /// never). lp then has the poly_drop schedule, base_lr / base_wd and batch_multiplier.
  int activations_quant_start = 0, weights_quant_start = 0, disable_wd_epoch = -1;

  const compress::QuantizationConfig* quantization() const {
    return recipe.config.quantization ? &*recipe.config.quantization : nullptr;
  }
  const compress::FilterPruningConfig* pruning() const {
    return recipe.config.filter_pruning ? &*recipe.config.filter_pruning : nullptr;
  }
  const compress::SparsityConfig* sparsity() const {
    return recipe.config.sparsity ? &*recipe.config.sparsity : nullptr;
  }
};

/// Errors name the config file and the key; an algorithm or combination not available is
/// kUnsupported.
CompressSettings compress_settings(const ModelTemplate& t, const std::string& compression_config);

/// Keys trex reads but does not follow, as warnings naming them: an `input_info` that
/// differs from `model`'s inputs (the model's shapes are used), a `target_device` other
/// than CPU/ANY (trex quantizes for its CPU INT8 runtime). (`log_dir` is accepted and
/// unused: everything goes to the output folder.)
std::vector<std::string> config_warnings(const CompressSettings& s, const Graph& model);

}  // namespace trex::engine
