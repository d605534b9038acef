// The training loop: data, model, optimizer, schedule, validation, best-model keeping,
// per-epoch checkpoints and resume.
#include "train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <filesystem>

#include "data/batch_loader.h"
#include "data/random.h"
#include "onnx/onnx.h"
#include "runtime/session.h"
#include "tasks/task.h"
#include "tasks/task_training.h"
#include "train/checkpoint.h"
#include "train/graph_module.h"
#include "train/training_loop.h"
#include "util/error.h"
#include "util/file_io.h"

namespace fs = std::filesystem;

namespace trex::train {

namespace {

nlohmann::json to_json(const EpochRecord& r) {
  nlohmann::json j = {{"epoch", r.epoch},           {"learning_rate", r.learning_rate},
                      {"train_loss", r.train_loss}, {"train_accuracy", r.train_accuracy},
                      {"seconds", r.seconds},       {"images_per_second", r.images_per_second}};
  if (r.val_accuracy >= 0) {
    j["val_loss"] = r.val_loss;
    j["val_accuracy"] = r.val_accuracy;
  }
  return j;
}

EpochRecord from_json(const nlohmann::json& j) {
  EpochRecord r;
  r.epoch = j.at("epoch");
  r.learning_rate = j.at("learning_rate");
  r.train_loss = j.at("train_loss");
  r.train_accuracy = j.at("train_accuracy");
  r.seconds = j.at("seconds");
  r.images_per_second = j.at("images_per_second");
  r.val_loss = j.value("val_loss", 0.0);
  r.val_accuracy = j.value("val_accuracy", -1.0);
  return r;
}

}  // namespace

TrainResult train_model(const ModelTemplate& t, const TrainOptions& o) {
  const Task& task = find_task(t.task, t.path + ": model.task");
  const TaskTraining& training = find_training(t.task, t.path + ": model.task");
  const LearningParameters& lp = t.learning;
  torch::set_num_threads(resolve_threads(o.threads));

  TrainResult result;
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw_invalid(o.out_dir + ": cannot create the output folder: " + ec.message());
  result.model_path = (fs::path(o.out_dir) / "model.onnx").string();
  result.checkpoint_path = (fs::path(o.out_dir) / "checkpoint.pt").string();
  result.last_checkpoint_path = (fs::path(o.out_dir) / "last_checkpoint.pt").string();
  result.log_path = (fs::path(o.out_dir) / "train_log.json").string();

  // Resume first: a bad checkpoint should fail before minutes of data loading.
  Checkpoint ckpt;
  int start_epoch = 0;
  std::string from;
  if (o.resume || !o.resume_from.empty()) {
    from = o.resume_from.empty() ? result.last_checkpoint_path : o.resume_from;
    if (!fs::exists(from)) throw_invalid(from + ": no checkpoint to resume from");
    ckpt = load_checkpoint(from);
    if (ckpt.meta.value("architecture", "") != t.architecture)
      throw_invalid(from + ": checkpoint is of architecture '" +
                    ckpt.meta.value("architecture", "") + "', the template builds '" +
                    t.architecture + "'");
    start_epoch = ckpt.meta.value("epoch", 0);
    result.best_epoch = ckpt.meta.value("best_epoch", 0);
    result.best_accuracy = ckpt.meta.value("best_score", -1.0);
    for (const auto& e : ckpt.meta.value("history", nlohmann::json::array()))
      result.epochs.push_back(from_json(e));
    if (o.log) o.log("resuming from " + from + " after epoch " + std::to_string(start_epoch));
  }

  TransformSpec tf = transform_spec(t);
  ImageDataset train = task.load_dataset(t, o.train_root, Split::kTrain, o.progress);
  ImageDataset val;
  bool has_val = !o.val_root.empty();
  if (has_val) val = task.load_dataset(t, o.val_root, Split::kVal, o.progress);
  task.check_datasets(t, train, has_val ? val : train);
  if (train.size() < static_cast<size_t>(lp.batch_size))
    throw_invalid(o.train_root + ": " + std::to_string(train.size()) +
                  " images, fewer than one batch (learning_parameters.batch_size " +
                  std::to_string(lp.batch_size) + ")");

  std::unique_ptr<Graph> graph = std::move(ckpt.graph);
  if (!graph) {
    graph = training.build_model(t, train.classes.size(), lp.seed);
    graph->producer_name = "trex";
    graph->metadata = {{"trex.template", t.name},
                       {"trex.classes", nlohmann::json(train.classes).dump()}};
    // Typed intermediate values, as a model read back from a checkpoint has them: the
    // written model is then the same whether or not the run was resumed.
    infer_shapes(*graph);
  }
  GraphModule module(*graph);
  auto opt = make_optimizer(lp, module);
  if (!ckpt.optimizer_state.empty()) load_optimizer(*opt, ckpt.optimizer_state, from);

  nlohmann::json meta = {{"template", t.name},
                         {"template_path", t.path},
                         {"architecture", t.architecture},
                         {"task", t.task},
                         {"classes", train.classes}};

  for (int epoch = start_epoch; epoch < lp.num_epochs; ++epoch) {
    auto t0 = std::chrono::steady_clock::now();
    EpochStats st = train_epoch(module, *opt, training, train, tf, lp, epoch, o.progress);
    EpochRecord r;
    r.epoch = epoch + 1;
    r.learning_rate = st.learning_rate;
    r.train_loss = st.loss;
    r.train_accuracy = st.accuracy;
    r.images_per_second = st.images / st.seconds;
    if (has_val) {
      auto m = validate(module, task, training, val, tf, lp.num_workers, o.progress, "validate");
      r.val_accuracy = m->score();
      r.val_loss = m->mean_loss();
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.epochs.push_back(r);

    bool best = !has_val || r.val_accuracy > result.best_accuracy;
    std::unique_ptr<Graph> trained = module.export_graph();
    if (best) {
      result.best_epoch = r.epoch;
      result.best_accuracy = has_val ? r.val_accuracy : -1;
      save_onnx(*trained, result.model_path);
    }
    nlohmann::json history = nlohmann::json::array();
    for (const auto& e : result.epochs) history.push_back(to_json(e));
    meta["epoch"] = r.epoch;
    meta["best_epoch"] = result.best_epoch;
    meta["best_score"] = result.best_accuracy;
    meta["history"] = history;
    meta["learning_parameters"] = {{"optimizer", lp.optimizer},
                                   {"learning_rate", lp.learning_rate},
                                   {"num_epochs", lp.num_epochs},
                                   {"batch_size", lp.batch_size},
                                   {"seed", lp.seed}};
    Checkpoint out;
    out.graph = std::move(trained);
    out.optimizer_state = optimizer_bytes(*opt);
    out.meta = meta;
    save_checkpoint(out, result.last_checkpoint_path);
    if (best) {
      // The best epoch's weights are what compression starts from; it restarts the
      // optimizer, so the state (as large as the weights again) stays in last_checkpoint.pt.
      out.optimizer_state.clear();
      save_checkpoint(out, result.checkpoint_path);
    }

    nlohmann::json log = {{"template", t.name},
                          {"architecture", t.architecture},
                          {"train_data", o.train_root},
                          {"val_data", o.val_root},
                          {"metric", task.metric_name()},
                          {"best_epoch", result.best_epoch},
                          {"epochs", history}};
    if (has_val) log["score"] = result.best_accuracy;
    write_file_atomic(result.log_path, log.dump(2) + "\n");

    if (o.log) {
      char line[256];
      // "acc" for classification's accuracy, the metric's name otherwise (mDice).
      const std::string metric = task.metric_name() == "accuracy" ? "acc" : task.metric_name();
      std::snprintf(
          line, sizeof line, "epoch %d/%d: train loss %.4f acc %.2f%%%s, %.0f img/s, %.1fs%s",
          r.epoch, lp.num_epochs, r.train_loss, 100 * r.train_accuracy,
          has_val
              ? (", val " + metric + " " + std::to_string(100 * r.val_accuracy).substr(0, 5) + "%")
                    .c_str()
              : "",
          r.images_per_second, r.seconds, best && has_val ? " (best)" : "");
      o.log(line);
    }
  }
  if (start_epoch >= lp.num_epochs && o.log)
    o.log("nothing to do: the checkpoint has finished all " + std::to_string(lp.num_epochs) +
          " epochs");
  return result;
}

std::unique_ptr<Metric> evaluate_in_backend(const Graph& graph, const Task& task,
                                            const ImageDataset& data,
                                            const TransformSpec& transform, int threads,
                                            const ProgressFn& progress) {
  torch::set_num_threads(resolve_threads(threads));
  GraphModule module(graph);
  return validate(module, task, find_training(task.name(), "evaluate"), data, transform, 2,
                  progress, "evaluate");
}

}  // namespace trex::train
