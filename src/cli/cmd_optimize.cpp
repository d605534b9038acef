// `trex optimize TEMPLATE --load-weights M --train-data-roots D --val-data-roots V [-o OUT]
// [--mode ptq|nncf] [params ...]`: PTQ for a model file, training-time compression for a
// training checkpoint. Always says which path runs and why.
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "engine/compress.h"
#include "engine/ptq.h"
#include "tasks/model_template.h"
#include "tasks/task.h"
#include "train/checkpoint.h"
#include "util/error.h"

namespace trex::cli {

namespace {
struct OptimizeArgs {
  std::string tmpl, weights, train, val, output, mode, ptq_config, compression_config;
  bool resume = false;
  int threads = 0;
  double max_drop = -1;
  std::string drop_type = "absolute";
  bool accept_over_budget = false;
};

int run_nncf(const ModelTemplate& t, const OptimizeArgs& a, const std::string& why,
             bool checkpoint) {
  if (!checkpoint)
    throw_invalid(a.weights +
                  ": training-time compression needs a trex training checkpoint (checkpoint.pt "
                  "from trex train); this is a model file (PTQ takes it: --mode ptq)");
  if (!a.ptq_config.empty() || a.max_drop >= 0)
    throw_invalid(
        "--ptq-config and --max-drop are PTQ options; training-time compression "
        "reads its accuracy budget from the compression config");
  std::printf("optimize: training-time compression (nncf), because %s\n", why.c_str());
  engine::CompressTaskOptions o;
  o.checkpoint = a.weights;
  o.train_data = a.train;
  o.val_data = a.val;
  o.output_dir = a.output.empty() ? timestamped_output_dir("optimize") + "/nncf" : a.output;
  o.compression_config = a.compression_config;
  o.resume = a.resume;
  o.threads = a.threads;
  ProgressBar bar;
  o.progress = bar.callback();
  o.log = [&bar](const std::string& line) {
    bar.finish();
    std::printf("%s\n", line.c_str());
  };
  engine::CompressTaskResult r = engine::run_compression(t, o);
  bar.finish();
  for (const std::string& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  std::printf("            %10s %10s\n", "FP32", r.quantized ? "INT8" : "compressed");
  std::printf("%-11s %9.2f%% %9.2f%%   (drop %.2f pt, best epoch %d)\n",
              find_task(t.task, t.path).metric_name().c_str(), 100 * r.fp32_score, 100 * r.score,
              100 * (r.fp32_score - r.score), r.best_epoch);
  std::printf("latency     %8.3fms %8.3fms   (batch 1, speed-up %.2fx)\n", r.fp32_latency_ms,
              r.latency_ms, r.latency_ms > 0 ? r.fp32_latency_ms / r.latency_ms : 0);
  std::printf("size        %8.2fMB %8.2fMB\n", r.fp32_bytes / 1e6, r.bytes / 1e6);
  std::printf("wrote %s\n      %s\n      %s\n      %s\n      %s\n", r.model_path.c_str(),
              r.checkpoint_path.c_str(), r.performance_path.c_str(), r.report_path.c_str(),
              r.report_text_path.c_str());
  if (r.accuracy_aware && !r.within_budget) {
    std::fprintf(stderr,
                 "trex: the accuracy drop %.4g is over the budget %.4g after %d epochs "
                 "(accuracy_aware_training.params.maximal_total_epochs)%s\n",
                 r.fp32_score - r.score, r.budget, r.trajectory.back().epoch,
                 a.accept_over_budget ? "" : "; --accept-over-budget exits 0 anyway");
    return a.accept_over_budget ? 0 : 1;
  }
  return 0;
}

}  // namespace

Runner add_optimize(CLI::App& app) {
  auto a = std::make_shared<OptimizeArgs>();
  CLI::App* cmd = app.add_subcommand("optimize", "Quantize (PTQ) or compress a trained model");
  cmd->footer(
      "A model file (ONNX) means post-training quantization: calibrate on the training images, "
      "evaluate FP32 and INT8 on the validation images, write model.onnx (QDQ), "
      "ptq_report.{json,txt} and ptq_performance.json to OUT (default "
      "outputs/<YYYYmmdd_HHMMSS>_optimize/ptq). A training checkpoint means training-time "
      "compression (nncf): quantization-aware training from the template's "
      "compression_config.json (or --compression-config), writing model.onnx (QDQ), "
      "checkpoint.pt, last_checkpoint.pt, compression_report.{json,txt} and "
      "nncf_performance.json to OUT (default outputs/<YYYYmmdd_HHMMSS>_optimize/nncf); "
      "--resume continues an interrupted run in OUT. --mode overrides the choice. Start with PTQ; "
      "if the accuracy drop is "
      "too large, fall back to training-time compression from the checkpoint.\n"
      "Template parameters after `params`, e.g. params --pot_parameters.preset mixed "
      "--pot_parameters.stat_subset_size 500.");
  cmd->add_option("template", a->tmpl, "Model template")->required();
  cmd->add_option("--load-weights", a->weights, "FP32 ONNX model or training checkpoint")
      ->required();
  cmd->add_option("--train-data-roots", a->train, "Training images (calibration)")->required();
  cmd->add_option("--val-data-roots", a->val, "Validation images (evaluation)")->required();
  cmd->add_option("-o,--output", a->output, "Output folder");
  cmd->add_option("--mode", a->mode, "ptq or nncf (default: from the --load-weights file)")
      ->check(CLI::IsMember({"ptq", "nncf"}));
  cmd->add_option("--ptq-config", a->ptq_config,
                  "PTQ config file (default: ptq_config.yaml in the template folder, if any)");
  cmd->add_option("--compression-config", a->compression_config,
                  "Compression config (JSON; a composed recipe or a plain config) for "
                  "training-time compression (default: compression_config.json in the "
                  "template folder)");
  cmd->add_flag("--resume", a->resume,
                "Training-time compression: continue from OUT/last_checkpoint.pt");
  cmd->add_option("--max-drop", a->max_drop,
                  "Accuracy-aware PTQ: allowed accuracy drop in score units (0.01 = one point "
                  "of a [0, 1] accuracy) or, with --drop-type relative, as a fraction of FP32")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--drop-type", a->drop_type, "absolute (default) or relative")
      ->check(CLI::IsMember({"absolute", "relative"}));
  cmd->add_flag("--accept-over-budget", a->accept_over_budget,
                "Exit 0 even when --max-drop is not met (the model is written either way)");
  cmd->add_option("--threads", a->threads, "Threads (default: OMP_NUM_THREADS or all cores)");
  return [a]() {
    ModelTemplate t = load_template(a->tmpl, parse_param_overrides(template_params()));
    if (!std::filesystem::is_regular_file(a->weights))
      throw_invalid(a->weights + ": file not found");
    bool checkpoint = train::is_checkpoint_file(a->weights);
    std::string mode = a->mode;
    std::string why;
    if (mode.empty()) {
      mode = checkpoint ? "nncf" : "ptq";
      why = checkpoint ? "--load-weights is a training checkpoint"
                       : "--load-weights is a model file, not a training checkpoint";
    } else {
      why = "--mode " + mode;
    }
    if (mode == "nncf") return run_nncf(t, *a, why, checkpoint);
    if (!a->compression_config.empty() || a->resume)
      throw_invalid(
          "--compression-config and --resume are for training-time compression "
          "(a training checkpoint or --mode nncf)");
    if (checkpoint)
      throw_invalid(a->weights +
                    ": PTQ needs an ONNX model; this is a training checkpoint "
                    "(its model.onnx sits next to it after trex train)");
    std::printf("optimize: post-training quantization (PTQ), because %s\n", why.c_str());
    engine::PtqTaskOptions o;
    o.model = a->weights;
    o.train_data = a->train;
    o.val_data = a->val;
    o.output_dir = a->output.empty() ? timestamped_output_dir("optimize") + "/ptq" : a->output;
    o.ptq_config = a->ptq_config;
    o.threads = a->threads;
    o.max_drop = a->max_drop;
    o.relative_drop = a->drop_type == "relative";
    ProgressBar bar;
    o.progress = bar.callback();
    engine::PtqTaskResult r = engine::run_ptq(t, o);
    bar.finish();
    for (const std::string& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    std::printf(
        "PTQ: preset %s, %d calibration samples (seed %llu)%s%s, %.2f s (%.1fx one FP32 "
        "pass over them)\n",
        quant::preset_name(r.config.preset), r.config.stat_subset_size,
        static_cast<unsigned long long>(r.config.seed), r.config_source.empty() ? "" : ", config ",
        r.config_source.c_str(), r.ptq_seconds,
        r.fp32_pass_seconds > 0 ? r.ptq_seconds / r.fp32_pass_seconds : 0);
    std::printf("            %10s %10s\n", "FP32", "INT8");
    std::printf("%-11s %9.2f%% %9.2f%%   (drop %.2f pt)\n", r.metric.c_str(), 100 * r.fp32_score,
                100 * r.int8_score, 100 * (r.fp32_score - r.int8_score));
    std::printf("latency     %8.3fms %8.3fms   (batch 1, speed-up %.2fx)\n", r.fp32_latency_ms,
                r.int8_latency_ms,
                r.int8_latency_ms > 0 ? r.fp32_latency_ms / r.int8_latency_ms : 0);
    std::printf("size        %8.2fMB %8.2fMB\n", r.fp32_bytes / 1e6, r.int8_bytes / 1e6);
    if (r.accuracy_aware) {
      std::printf("accuracy-aware: budget %.4g (%s%s); %zu node(s) reverted to FP32%s\n",
                  r.max_drop, a->max_drop >= 0 ? a->drop_type.c_str() : "absolute",
                  a->max_drop >= 0 ? "" : ", the task's default", r.reverted.size(),
                  r.reverted.empty() ? "" : ":");
      for (const std::string& n : r.reverted) std::printf("  %s\n", n.c_str());
    }
    if (r.int8_latency_ms >= r.fp32_latency_ms)
      std::fprintf(stderr, "warning: the INT8 model is not faster than FP32 here\n");
    std::printf("wrote %s\n      %s\n      %s\n      %s\n", r.model_path.c_str(),
                r.performance_path.c_str(), r.report_path.c_str(), r.report_text_path.c_str());
    if (r.accuracy_aware && !r.within_budget) {
      std::fprintf(stderr,
                   "trex: the accuracy drop %.4g is over the budget %.4g (%s) even with every "
                   "candidate node reverted; try training-time compression (--mode nncf)%s\n",
                   quant::metric_drop(r.fp32_score, r.int8_score,
                                      {r.max_drop, a->max_drop >= 0 && a->drop_type == "relative"}),
                   r.max_drop, a->max_drop >= 0 ? a->drop_type.c_str() : "absolute",
                   a->accept_over_budget ? "" : " or --accept-over-budget");
      return a->accept_over_budget ? 0 : 1;
    }
    return 0;
  };
}

}  // namespace trex::cli
