// `trex eval TEMPLATE --load-weights M --test-data-roots D [--output FILE.json]`: ONNX
// models run in the trex runtime, training checkpoints in the training backend.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "onnx/onnx.h"
#include "tasks/classification/evaluate.h"
#include "tasks/model_template.h"
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

/// The class names a trex-trained model carries, if any.
std::vector<std::string> model_classes(const Graph& g) {
  for (const auto& [k, v] : g.metadata)
    if (k == "trex.classes") {
      try {
        return nlohmann::json::parse(v).get<std::vector<std::string>>();
      } catch (const nlohmann::json::exception&) {
        return {};
      }
    }
  return {};
}
}  // namespace

Runner add_eval(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a model on test data (task metric)");
  cmd->footer(
      "M is an ONNX model (FP32 or INT8 QDQ; run by the trex runtime) or a training checkpoint "
      "(run by the training backend). Prints top-1 and per-class accuracy and the confusion "
      "matrix, and writes them as JSON with \"metric\" and \"score\" to --output (default "
      "outputs/<YYYYmmdd_HHMMSS>_eval/performance.json).");
  cmd->add_option("template", a->tmpl, "Model template (gives preprocessing)")->required();
  cmd->add_option("--load-weights", a->weights, "Model: ONNX file or checkpoint.pt")->required();
  cmd->add_option("--test-data-roots", a->data, "Test images (class folders)")->required();
  cmd->add_option("--output", a->output, "JSON file to write the metrics to");
  cmd->add_option("--threads", a->threads, "Threads (default: OMP_NUM_THREADS or all cores)");
  cmd->add_option("--batch", a->batch, "Batch size")->check(CLI::Range(1, 4096));
  return [a]() {
    ModelTemplate t = load_template(a->tmpl, parse_param_overrides(template_params()));
    if (t.task != "classification")
      throw_unsupported(t.path + ": evaluating task '" + t.task + "' is not supported yet");
    bool checkpoint = train::is_checkpoint_file(a->weights);
    std::unique_ptr<Graph> g;
    if (checkpoint) {
      g = train::load_checkpoint(a->weights).graph;
    } else {
      g = load_onnx(a->weights);
    }
    classification::check_classifier_io(*g, image_spec(t), t.num_classes, a->weights);
    ProgressBar bar;
    ClassFolderDataset data =
        load_class_folders(a->data, image_spec(t), t.learning.num_workers, bar.callback());
    std::vector<std::string> trained_on = model_classes(*g);
    if (!trained_on.empty() && trained_on != data.classes)
      throw_invalid(a->data + ": class folders differ from the classes " + a->weights +
                    " was trained on: " + describe_class_difference(trained_on, data.classes));
    classification::AccuracyMeter meter(data.classes);
    if (checkpoint) {
      meter = train::evaluate_in_backend(*g, data, transform_spec(t), a->threads, bar.callback());
    } else {
      classification::EvalOptions eo;
      eo.batch_size = a->batch;
      eo.threads = a->threads;
      eo.workers = t.learning.num_workers;
      meter = classification::evaluate_in_runtime(std::move(g), data, transform_spec(t), eo,
                                                  bar.callback());
    }
    bar.finish();
    std::printf("%s (%s) on %s:\n%s", a->weights.c_str(),
                checkpoint ? "checkpoint, training backend" : "ONNX, trex runtime", a->data.c_str(),
                meter.to_text().c_str());
    std::string out = a->output;
    if (out.empty()) {
      std::string dir = timestamped_output_dir("eval");
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec) throw_invalid(dir + ": cannot create the output folder: " + ec.message());
      out = dir + "/performance.json";
    }
    nlohmann::json j = meter.to_json();
    j["model"] = a->weights;
    j["data"] = a->data;
    j["template"] = t.name;
    write_file_atomic(out, j.dump(2) + "\n");
    std::printf("wrote %s\n", out.c_str());
    return 0;
  };
}

}  // namespace trex::cli
