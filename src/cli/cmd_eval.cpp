// `trex eval TEMPLATE --load-weights M --test-data-roots D [--output FILE.json]`: ONNX
// models run in the trex runtime, training checkpoints in the training backend.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "engine/evaluate.h"
#include "onnx/onnx.h"
#include "tasks/model_template.h"
#include "tasks/task.h"
#include "train/checkpoint.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/file_io.h"

namespace trex::cli {

namespace {
struct EvalArgs {
  std::string tmpl, weights, data, output;
  int threads = 0;
  int batch = 64;
};

}  // namespace

Runner add_eval(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a model on test data (task metric)");
  cmd->footer(
      "M is an ONNX model (FP32 or INT8 QDQ; run by the trex runtime) or a training checkpoint "
      "(run by the training backend). Prints the task's metrics (classification: top-1 and "
      "per-class accuracy and the confusion matrix) and writes them as JSON with \"metric\" "
      "and \"score\" to --output (default "
      "outputs/<YYYYmmdd_HHMMSS>_eval/performance.json).");
  cmd->add_option("template", a->tmpl, "Model template (gives preprocessing)")->required();
  cmd->add_option("--load-weights", a->weights, "Model: ONNX file or checkpoint.pt")->required();
  cmd->add_option("--test-data-roots", a->data, "Test images (the task's layout)")->required();
  cmd->add_option("--output", a->output, "JSON file to write the metrics to");
  cmd->add_option("--threads", a->threads, "Threads (default: OMP_NUM_THREADS or all cores)");
  cmd->add_option("--batch", a->batch, "Batch size")->check(CLI::Range(1, 4096));
  return [a]() {
    ModelTemplate t = load_template(a->tmpl, parse_param_overrides(template_params()));
    const Task& task = find_task(t.task, t.path + ": model.task");
    bool checkpoint = train::is_checkpoint_file(a->weights);
    std::unique_ptr<Graph> g;
    if (checkpoint) {
      g = train::load_checkpoint(a->weights).graph;
    } else {
      g = load_onnx(a->weights);
    }
    task.check_model(*g, t, a->weights);
    ProgressBar bar;
    ImageDataset data = task.load_dataset(t, a->data, Split::kTest, bar.callback());
    task.check_model_classes(*g, data, a->weights);
    std::unique_ptr<Metric> meter;
    if (checkpoint) {
      meter =
          train::evaluate_in_backend(*g, task, data, transform_spec(t), a->threads, bar.callback());
    } else {
      engine::EvalOptions eo;
      eo.batch_size = a->batch;
      eo.threads = a->threads;
      eo.workers = t.learning.num_workers;
      meter = engine::evaluate_in_runtime(std::move(g), task, data, transform_spec(t), eo,
                                          bar.callback());
    }
    bar.finish();
    std::printf("%s (%s) on %s:\n%s", a->weights.c_str(),
                checkpoint ? "checkpoint, training backend" : "ONNX, trex runtime", a->data.c_str(),
                meter->to_text().c_str());
    std::string out = a->output;
    if (out.empty()) {
      std::string dir = timestamped_output_dir("eval");
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec) throw_invalid(dir + ": cannot create the output folder: " + ec.message());
      out = dir + "/performance.json";
    }
    nlohmann::json j = meter->to_json();
    j["model"] = a->weights;
    j["data"] = a->data;
    j["template"] = t.name;
    write_file_atomic(out, j.dump(2) + "\n");
    std::printf("wrote %s\n", out.c_str());
    return 0;
  };
}

}  // namespace trex::cli
