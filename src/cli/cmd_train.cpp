// `trex train TEMPLATE --train-data-roots D [--val-data-roots V] -o OUT [params ...]`.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "tasks/model_template.h"
#include "tasks/task.h"
#include "train/trainer.h"

namespace trex::cli {

namespace {
struct TrainArgs {
  std::string tmpl, train_root, val_root, out;
  bool resume = false;
  std::string resume_from;
  int threads = 0;
};
}  // namespace

Runner add_train(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train a model template on a dataset");
  cmd->footer(
      "TEMPLATE is a template.yaml, its folder, or a model name under recipes/<task>/ "
      "(e.g. resnet18). Data are in the task's layout (classification: class folders, "
      "ROOT/<class>/<images>). Hyper-parameters come "
      "from the template; override them after `params`, e.g.\n"
      "  trex train resnet18 --train-data-roots d/train --val-data-roots d/val -o out "
      "params --learning_parameters.num_epochs 3\n"
      "Writes OUT/model.onnx (best validation score), OUT/checkpoint.pt (its weights and "
      "metadata, what training-time compression starts from), OUT/last_checkpoint.pt (written "
      "every epoch; --resume continues from it) and OUT/train_log.json.");
  cmd->add_option("template", a->tmpl, "Model template")->required();
  cmd->add_option("--train-data-roots", a->train_root, "Training images (the task's layout)")
      ->required();
  cmd->add_option("--val-data-roots", a->val_root, "Validation images (the task's layout)");
  cmd->add_option("-o,--output", a->out, "Output folder")->required();
  cmd->add_flag("--resume", a->resume, "Continue from OUTPUT/last_checkpoint.pt");
  cmd->add_option("--resume-from", a->resume_from, "Continue from this checkpoint");
  cmd->add_option("--threads", a->threads, "Threads (default: OMP_NUM_THREADS or all cores)");
  return [a]() {
    ModelTemplate t = load_template(a->tmpl, parse_param_overrides(template_params()));
    const LearningParameters& lp = t.learning;
    std::printf("train %s (%s, %s) from %s: %d epochs, batch %d, %s lr %g %s, seed %llu\n",
                t.name.c_str(), t.architecture.c_str(), t.task.c_str(), t.path.c_str(),
                lp.num_epochs, lp.batch_size, lp.optimizer.c_str(), lp.learning_rate,
                lp.schedule.c_str(), static_cast<unsigned long long>(lp.seed));
    ProgressBar bar;
    train::TrainOptions o;
    o.train_root = a->train_root;
    o.val_root = a->val_root;
    o.out_dir = a->out;
    o.resume = a->resume;
    o.resume_from = a->resume_from;
    o.threads = a->threads;
    o.progress = bar.callback();
    o.log = [&bar](const std::string& line) {
      bar.finish();
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    };
    train::TrainResult r = train::train_model(t, o);
    bar.finish();
    if (r.best_accuracy >= 0)
      std::printf("best validation %s %.2f%% at epoch %d\n",
                  find_task(t.task, t.path).metric_name().c_str(), 100 * r.best_accuracy,
                  r.best_epoch);
    std::printf("wrote %s, %s, %s, %s\n", r.model_path.c_str(), r.checkpoint_path.c_str(),
                r.last_checkpoint_path.c_str(), r.log_path.c_str());
    return 0;
  };
}

}  // namespace trex::cli
