// The training loop: data, model, optimizer, schedule, validation, best-model keeping,
// per-epoch checkpoints and resume.
#include "train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "data/batch_loader.h"
#include "data/random.h"
#include "onnx/onnx.h"
#include "runtime/session.h"
#include "tasks/classification/metrics.h"
#include "tasks/classification/model_zoo.h"
#include "train/checkpoint.h"
#include "train/graph_module.h"
#include "train/lr_schedule.h"
#include "util/error.h"
#include "util/file_io.h"

namespace fs = std::filesystem;

namespace trex::train {

namespace {

namespace F = torch::nn::functional;

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const LearningParameters& p,
                                                        GraphModule& module) {
  // Weight decay on convolution and linear weights only, not on biases or BatchNorm.
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& [name, t] : module.named_weights())
    (t.dim() >= 2 ? decay : no_decay).push_back(t);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (p.optimizer == "sgd") {
    auto opts = [&](double wd) {
      return std::make_unique<torch::optim::SGDOptions>(torch::optim::SGDOptions(p.learning_rate)
                                                            .momentum(p.momentum)
                                                            .nesterov(p.nesterov && p.momentum > 0)
                                                            .weight_decay(wd));
    };
    groups.emplace_back(decay, opts(p.weight_decay));
    groups.emplace_back(no_decay, opts(0.0));
    return std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(p.learning_rate));
  }
  auto opts = [&](double wd) {
    return std::make_unique<torch::optim::AdamWOptions>(
        torch::optim::AdamWOptions(p.learning_rate).weight_decay(wd));
  };
  groups.emplace_back(decay, opts(p.weight_decay));
  groups.emplace_back(no_decay, opts(0.0));
  return std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(p.learning_rate));
}

std::string optimizer_bytes(const torch::optim::Optimizer& opt) {
  torch::serialize::OutputArchive archive;
  opt.save(archive);
  std::ostringstream os;
  archive.save_to(os);
  return os.str();
}

void load_optimizer(torch::optim::Optimizer& opt, const std::string& bytes,
                    const std::string& source) {
  try {
    torch::serialize::InputArchive archive;
    std::istringstream is(bytes);
    archive.load_from(is);
    opt.load(archive);
  } catch (const c10::Error& e) {
    throw_invalid(source + ": optimizer state does not fit this model and optimizer (" +
                  std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  }
}

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

torch::Tensor batch_images(Batch& b) {
  return torch::from_blob(b.data.data(), {b.n, b.channels, b.height, b.width}, torch::kFloat32);
}
torch::Tensor batch_labels(Batch& b) {
  return torch::from_blob(b.labels.data(), {b.n}, torch::kInt64);
}

/// Loss and accuracy of the module in eval mode on `data`.
classification::AccuracyMeter validate(GraphModule& module, const ClassFolderDataset& data,
                                       const TransformSpec& tf, int workers,
                                       const ProgressFn& progress, const std::string& stage) {
  module.eval();
  torch::NoGradGuard no_grad;
  LoaderOptions lo;
  lo.batch_size = 256;
  lo.workers = workers;
  BatchLoader loader(data, tf, lo);
  classification::AccuracyMeter meter(data.classes);
  Batch b;
  while (loader.next(b)) {
    torch::Tensor logits = module.forward(batch_images(b)).contiguous();
    torch::Tensor y = batch_labels(b);
    meter.add(logits.data_ptr<float>(), b.labels.data(), b.n);
    meter.add_loss(F::cross_entropy(logits, y, F::CrossEntropyFuncOptions().reduction(torch::kSum))
                       .item<double>());
    report(progress, {stage, meter.count(), loader.num_samples(), ""});
  }
  return meter;
}

}  // namespace

TrainResult train_classifier(const ModelTemplate& t, const TrainOptions& o) {
  if (t.task != "classification")
    throw_unsupported(t.path + ": task '" + t.task + "' cannot be trained yet");
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

  ImageSpec spec = image_spec(t);
  TransformSpec tf = transform_spec(t);
  ClassFolderDataset train = load_class_folders(o.train_root, spec, lp.num_workers, o.progress);
  ClassFolderDataset val;
  bool has_val = !o.val_root.empty();
  if (has_val) {
    val = load_class_folders(o.val_root, spec, lp.num_workers, o.progress);
    check_same_classes(train, val);
  }
  if (static_cast<int>(train.classes.size()) != t.num_classes)
    throw_invalid(o.train_root + ": has " + std::to_string(train.classes.size()) +
                  " classes; template " + t.path + " has model.num_classes " +
                  std::to_string(t.num_classes));
  if (train.size() < static_cast<size_t>(lp.batch_size))
    throw_invalid(o.train_root + ": " + std::to_string(train.size()) +
                  " images, fewer than one batch (learning_parameters.batch_size " +
                  std::to_string(lp.batch_size) + ")");

  std::unique_ptr<Graph> graph = std::move(ckpt.graph);
  if (!graph) {
    classification::ModelSpec ms{spec.channels, spec.height, spec.width, t.num_classes, lp.seed};
    graph = classification::build_model(t.architecture, ms);
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
    module.train();
    torch::manual_seed(derive_seed(lp.seed, static_cast<uint64_t>(epoch)));  // dropout
    LoaderOptions lo;
    lo.batch_size = lp.batch_size;
    lo.shuffle = lo.augment = lo.drop_last = true;
    lo.seed = lp.seed;
    lo.epoch = epoch;
    lo.workers = lp.num_workers;
    BatchLoader loader(train, tf, lo);
    size_t iters = loader.num_batches(), seen = 0, correct = 0;
    double loss_sum = 0, lr = 0;
    std::string stage = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(lp.num_epochs);
    Batch b;
    for (size_t it = 0; loader.next(b); ++it) {
      lr = learning_rate_at(lp, epoch + static_cast<double>(it) / iters);
      for (auto& g : opt->param_groups()) g.options().set_lr(lr);
      torch::Tensor x = batch_images(b), y = batch_labels(b);
      opt->zero_grad();
      torch::Tensor logits = module.forward(x);
      torch::Tensor loss = F::cross_entropy(
          logits, y, F::CrossEntropyFuncOptions().label_smoothing(lp.label_smoothing));
      loss.backward();
      opt->step();
      double l = loss.item<double>();
      if (!std::isfinite(l))
        throw_invalid(stage + ": the loss became " + std::to_string(l) +
                      "; lower learning_parameters.learning_rate");
      loss_sum += l * b.n;
      correct += logits.argmax(1).eq(y).sum().item<int64_t>();
      seen += b.n;
      char detail[96];
      std::snprintf(detail, sizeof detail, "loss %.4f acc %.2f%% lr %.5f", loss_sum / seen,
                    100.0 * correct / seen, lr);
      report(o.progress, {stage, it + 1, iters, detail});
    }
    double train_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    EpochRecord r;
    r.epoch = epoch + 1;
    r.learning_rate = lr;
    r.train_loss = loss_sum / std::max<size_t>(1, seen);
    r.train_accuracy = static_cast<double>(correct) / std::max<size_t>(1, seen);
    r.images_per_second = seen / train_seconds;
    if (has_val) {
      auto m = validate(module, val, tf, lp.num_workers, o.progress, "validate");
      r.val_accuracy = m.accuracy();
      r.val_loss = m.mean_loss();
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

    nlohmann::json log = {{"template", t.name},         {"architecture", t.architecture},
                          {"train_data", o.train_root}, {"val_data", o.val_root},
                          {"metric", "accuracy"},       {"best_epoch", result.best_epoch},
                          {"epochs", history}};
    if (has_val) log["score"] = result.best_accuracy;
    write_file_atomic(result.log_path, log.dump(2) + "\n");

    if (o.log) {
      char line[256];
      std::snprintf(
          line, sizeof line, "epoch %d/%d: train loss %.4f acc %.2f%%%s, %.0f img/s, %.1fs%s",
          r.epoch, lp.num_epochs, r.train_loss, 100 * r.train_accuracy,
          has_val ? (", val acc " + std::to_string(100 * r.val_accuracy).substr(0, 5) + "%").c_str()
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

classification::AccuracyMeter evaluate_in_backend(const Graph& graph,
                                                  const ClassFolderDataset& data,
                                                  const TransformSpec& transform, int threads,
                                                  const ProgressFn& progress) {
  torch::set_num_threads(resolve_threads(threads));
  GraphModule module(graph);
  return validate(module, data, transform, 2, progress, "evaluate");
}

}  // namespace trex::train
