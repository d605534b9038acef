// A compression run's settings from its recipe (see compress_settings.h).
#include "engine/compress_settings.h"

#include <algorithm>
#include <filesystem>

#include "compress/pruning_schedule.h"
#include "compress/sparsity_schedule.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace trex::engine {

CompressSettings compress_settings(const ModelTemplate& t, const std::string& compression_config) {
  CompressSettings s;
  // The recipe: the template's composed compression_config.json unless a file is given.
  s.config_file = compression_config.empty()
                      ? (fs::path(t.dir) / "compression_config.json").string()
                      : compression_config;
  if (!fs::is_regular_file(s.config_file))
    throw_invalid(s.config_file + ": compression config not found" +
                  (compression_config.empty() ? " (the template folder has none; give "
                                                "--compression-config FILE)"
                                              : ""));
  compress::RecipeSelection sel;
  sel.enable_quantization = t.nncf.enable_quantization;
  sel.enable_pruning = t.nncf.enable_pruning;
  sel.maximal_accuracy_degradation = t.nncf.maximal_accuracy_degradation;
  s.recipe = compress::load_compression_recipe(s.config_file, sel);
  const compress::CompressionRecipe& recipe = s.recipe;
  const compress::CompressionConfig& cc = recipe.config;
  for (const std::string& a : cc.algorithm_order)
    if (a != "quantization" && a != "knowledge_distillation" && a != "magnitude_sparsity" &&
        a != "const_sparsity" && a != "rb_sparsity" && a != "filter_pruning")
      throw_unsupported(s.config_file + ": compression algorithm '" + a +
                        "' is not available yet (quantization, filter_pruning, "
                        "magnitude_sparsity, rb_sparsity, const_sparsity and "
                        "knowledge_distillation are); "
                        "disable it in the template's nncf_optimization or the config");
  if (cc.algorithm_order.empty())
    throw_unsupported(s.config_file + ": no compression algorithm is enabled (parts applied: " +
                      nlohmann::json(recipe.parts).dump() + ")");
  if (!cc.quantization && !cc.filter_pruning && !cc.sparsity)
    throw_invalid(s.config_file +
                  ": knowledge_distillation alone does not compress; add quantization, "
                  "filter_pruning or a sparsity algorithm");
  const compress::QuantizationConfig* qc = s.quantization();
  const compress::FilterPruningConfig* fp = s.pruning();
  s.aat_mode = cc.accuracy_aware ? cc.accuracy_aware->mode : "";
  s.adaptive = s.aat_mode == "adaptive_compression_level";
  const bool adaptive = s.adaptive;
  for (const std::string& a : cc.algorithm_order)
    s.compression_id += (s.compression_id.empty() ? "" : "+") + a;

  LearningParameters& lp = s.lp;
  lp = t.learning;
  lp.warmup_epochs = 0;  // fine-tuning from trained weights
  if (recipe.training.learning_rate) lp.learning_rate = *recipe.training.learning_rate;
  if (recipe.training.num_epochs) lp.num_epochs = *recipe.training.num_epochs;
  if (recipe.training.batch_size) lp.batch_size = *recipe.training.batch_size;
  if (cc.accuracy_aware) lp.num_epochs = cc.accuracy_aware->maximal_total_epochs;
  // Staged quantization-aware training, as the reference runs it when `params` is given: a
  // constant learning rate (base_lr, else the run's) with an optional polynomial drop,
  // base_wd, weight decay off from an epoch on, gradient accumulation, quantizers switched
  // on at their start epochs.
  if (qc && qc->params) {
    const compress::StagedQuantizationParams& st = *qc->params;
    lp.schedule = "poly_drop";
    lp.learning_rate = st.base_lr.value_or(lp.learning_rate);
    lp.weight_decay = st.base_wd.value_or(lp.weight_decay);
    if (st.lr_poly_drop_start_epoch) lp.poly_drop_start = *st.lr_poly_drop_start_epoch;
    lp.poly_drop_duration = st.lr_poly_drop_duration_epochs;
    lp.batch_multiplier = st.batch_multiplier;
    s.activations_quant_start = st.activations_quant_start_epoch;
    s.weights_quant_start = st.weights_quant_start_epoch;
    s.disable_wd_epoch = st.disable_wd_start_epoch.value_or(-1);
  }
  const std::string run_epochs =
      std::to_string(lp.num_epochs) +
      " epochs (runner.num_epochs, or accuracy_aware_training maximal_total_epochs)";
  for (const auto& [key, epoch] :
       {std::pair<const char*, int>{"activations_quant_start_epoch", s.activations_quant_start},
        {"weights_quant_start_epoch", s.weights_quant_start}})
    if (epoch > 0 && epoch >= lp.num_epochs)
      throw_invalid(s.config_file + ": quantization params." + key + " " + std::to_string(epoch) +
                    " is not before the end of the run's " + run_epochs +
                    ": those quantizers would never train");
  const compress::SparsityConfig* sc = s.sparsity();
  s.rb_used = sc && sc->algorithm == "rb_sparsity";
  s.sparsity_adaptive = sc && sc->schedule == "adaptive";
  const bool sparsity_adaptive = s.sparsity_adaptive;
  if (sparsity_adaptive && !s.rb_used)
    throw_unsupported(s.config_file + ": " + sc->algorithm +
                      ": params.schedule 'adaptive' follows the sparsity rb_sparsity's loss "
                      "reaches; use polynomial, exponential or multistep");
  // adaptive_compression_level searches the filter pruning rate, or without pruning the
  // magnitude or rb sparsity level.
  s.rate_is_sparsity = adaptive && !fp;
  if (adaptive && !fp && (!sc || sc->algorithm == "const_sparsity"))
    throw_unsupported(s.config_file +
                      ": accuracy_aware_training.mode 'adaptive_compression_level' adjusts the "
                      "filter pruning rate or the magnitude_sparsity / rb_sparsity level; the "
                      "config has none of them (const_sparsity keeps its zeros; the others "
                      "support early_exit)");
  if (s.rate_is_sparsity && sparsity_adaptive)
    throw_unsupported(s.config_file + ": " + sc->algorithm +
                      ": params.schedule 'adaptive' and accuracy_aware_training.mode "
                      "'adaptive_compression_level' both set the level; choose one");
  s.initial_phase = adaptive
                        ? std::min(lp.num_epochs, cc.accuracy_aware->initial_training_phase_epochs)
                        : lp.num_epochs;
  const int initial_phase = s.initial_phase;
  const std::string phase_words =
      "the adaptive search's initial phase of " + std::to_string(initial_phase) +
      " epochs (accuracy_aware_training initial_training_phase_epochs, at most "
      "maximal_total_epochs)";
  if (s.rate_is_sparsity && compress::sparsity_final_epoch(*sc) > initial_phase)
    throw_invalid(s.config_file + ": " + sc->algorithm + " reaches its final level at epoch " +
                  std::to_string(compress::sparsity_final_epoch(*sc)) +
                  " (params.sparsity_target_epoch / multistep_steps), after " + phase_words);
  if (sc && sc->algorithm != "const_sparsity" && !sparsity_adaptive &&
      compress::sparsity_final_epoch(*sc) > lp.num_epochs)
    throw_invalid(s.config_file + ": " + sc->algorithm + " reaches its final level at epoch " +
                  std::to_string(compress::sparsity_final_epoch(*sc)) +
                  " (params.sparsity_target_epoch / multistep_steps), after the run's " +
                  run_epochs);
  // The pruning schedule: every epoch's level (an impossible curve fails here), done
  // within the run (adaptive_compression_level sets the rate itself after its first phase).
  if (fp) {
    const int pruning_final = s.pruning_final = compress::pruning_final_epoch(*fp);
    for (int e = 0; e <= pruning_final; ++e) compress::pruning_level(*fp, e);
    if (adaptive) {
      // The search starts from the target: the initial phase must reach it.
      if (pruning_final > initial_phase)
        throw_invalid(s.config_file + ": filter_pruning reaches its target at epoch " +
                      std::to_string(pruning_final) +
                      " (params.num_init_steps + pruning_steps), after " + phase_words);
    } else if (pruning_final > lp.num_epochs)
      throw_invalid(s.config_file + ": filter_pruning reaches its target at epoch " +
                    std::to_string(pruning_final) +
                    " (params.num_init_steps + pruning_steps), after the run's " + run_epochs);
  }
  s.range_lr_scale =
      qc ? qc->compression_lr_multiplier.value_or(cc.compression_lr_multiplier.value_or(1.0)) : 1.0;

  return s;
}

std::vector<std::string> config_warnings(const CompressSettings& s, const Graph& model) {
  std::vector<std::string> w;
  const compress::CompressionConfig& cc = s.recipe.config;
  const std::string at = s.config_file + ": ";
  if (!cc.input_info.empty() && cc.input_info.size() != model.inputs().size())
    w.push_back(at + "input_info lists " + std::to_string(cc.input_info.size()) +
                " inputs, the model has " + std::to_string(model.inputs().size()) +
                " (the model's inputs are used)");
  for (size_t i = 0; i < cc.input_info.size() && i < model.inputs().size(); ++i) {
    const std::vector<int64_t>& want = cc.input_info[i].sample_size;
    const Value* in = model.inputs()[i];
    const Shape* shape = in->shape();
    bool same = shape && shape->rank() == want.size();
    for (size_t d = 1; same && d < want.size(); ++d)  // the batch dimension may differ
      same = !(*shape)[d].is_static() || (*shape)[d].value() == want[d];
    if (!same) {
      std::string dims;
      for (int64_t v : want) dims += (dims.empty() ? "" : ", ") + std::to_string(v);
      w.push_back(at + "input_info" +
                  (cc.input_info.size() > 1 ? "[" + std::to_string(i) + "]" : "") +
                  ".sample_size [" + dims + "] differs from the model's input '" + in->name() +
                  "' (its shape is used)");
    }
  }
  if (cc.target_device != "ANY" && cc.target_device != "CPU" && cc.target_device != "CPU_SPR")
    w.push_back(at + "target_device '" + cc.target_device +
                "': trex quantizes for its CPU INT8 runtime (the CPU constraints apply)");
  return w;
}

}  // namespace trex::engine
