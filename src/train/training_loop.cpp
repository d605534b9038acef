// Shared training-loop pieces (see training_loop.h).
#include "train/training_loop.h"

#include <chrono>
#include <cmath>
#include <sstream>

#include "data/random.h"
#include "train/lr_schedule.h"
#include "util/error.h"

namespace trex::train {

namespace {

torch::Tensor batch_images(Batch& b) {
  return torch::from_blob(b.data.data(), {b.n, b.channels, b.height, b.width}, torch::kFloat32);
}

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const LearningParameters& p,
                                                        GraphModule& module,
                                                        const std::set<std::string>& separate,
                                                        const std::set<std::string>& exclude) {
  // Weight decay on convolution and linear weights only, not on biases or BatchNorm.
  std::vector<torch::Tensor> decay, no_decay, sep;
  for (const auto& [name, t] : module.named_weights())
    if (!exclude.count(name))
      (separate.count(name) ? sep : t.dim() >= 2 ? decay : no_decay).push_back(t);
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
    if (!sep.empty()) groups.emplace_back(sep, opts(0.0));
    return std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(p.learning_rate));
  }
  auto opts = [&](double wd) {
    return std::make_unique<torch::optim::AdamWOptions>(
        torch::optim::AdamWOptions(p.learning_rate).weight_decay(wd));
  };
  groups.emplace_back(decay, opts(p.weight_decay));
  groups.emplace_back(no_decay, opts(0.0));
  if (!sep.empty()) groups.emplace_back(sep, opts(0.0));
  return std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(p.learning_rate));
}

void set_weight_decay(torch::optim::Optimizer& opt, double wd) {
  torch::optim::OptimizerOptions& o = opt.param_groups().at(0).options();
  if (auto* sgd = dynamic_cast<torch::optim::SGDOptions*>(&o))
    sgd->weight_decay(wd);
  else
    dynamic_cast<torch::optim::AdamWOptions&>(o).weight_decay(wd);
}

void set_learning_rate(torch::optim::Optimizer& opt, double lr, double separate_scale) {
  auto& groups = opt.param_groups();
  for (size_t i = 0; i < groups.size(); ++i)
    groups[i].options().set_lr(i >= 2 ? lr * separate_scale : lr);
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

EpochStats train_epoch(GraphModule& module, torch::optim::Optimizer& opt, const TaskTraining& task,
                       const ImageDataset& data, const TransformSpec& tf,
                       const LearningParameters& p, int epoch, const ProgressFn& progress,
                       double separate_lr_scale, const ExtraLoss& extra,
                       const std::function<void()>& after_step) {
  auto t0 = std::chrono::steady_clock::now();
  module.train();
  torch::manual_seed(derive_seed(p.seed, static_cast<uint64_t>(epoch)));  // dropout
  LoaderOptions lo;
  lo.batch_size = p.batch_size;
  lo.shuffle = lo.augment = lo.drop_last = true;
  lo.seed = p.seed;
  lo.epoch = epoch;
  lo.workers = p.num_workers;
  BatchLoader loader(data, tf, lo);
  size_t iters = loader.num_batches();
  int64_t correct = 0, counted = 0;
  double loss_sum = 0;
  EpochStats st;
  std::string stage = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(p.num_epochs);
  Batch b;
  // batch_multiplier: the mean gradient of that many batches (fewer at the epoch's end)
  // makes one step.
  const size_t per_step = static_cast<size_t>(std::max(1, p.batch_multiplier));
  for (size_t it = 0; loader.next(b); ++it) {
    st.learning_rate = learning_rate_at(p, epoch + static_cast<double>(it) / iters);
    set_learning_rate(opt, st.learning_rate, separate_lr_scale);
    torch::Tensor x = batch_images(b), y = task.targets(b);
    const size_t first = it - it % per_step, in_step = std::min(per_step, iters - first);
    if (it == first) opt.zero_grad();
    torch::Tensor out = module.forward(x);
    torch::Tensor loss = task.loss(out, y, p.label_smoothing, false);
    if (extra) loss = loss + extra(x, out);
    (in_step > 1 ? loss / static_cast<double>(in_step) : loss).backward();
    if (it + 1 == first + in_step) {
      opt.step();
      if (after_step) after_step();
    }
    double l = loss.item<double>();
    if (!std::isfinite(l))
      throw_invalid(stage + ": the loss became " + std::to_string(l) +
                    "; lower learning_parameters.learning_rate");
    loss_sum += l * b.n;
    auto [hit, units] = task.hits(out, y);
    correct += hit;
    counted += units;
    st.images += b.n;
    char detail[96];
    std::snprintf(detail, sizeof detail, "loss %.4f acc %.2f%% lr %.5f", loss_sum / st.images,
                  100.0 * correct / std::max<int64_t>(1, counted), st.learning_rate);
    report(progress, {stage, it + 1, iters, detail});
  }
  st.loss = loss_sum / std::max<size_t>(1, st.images);
  st.accuracy = static_cast<double>(correct) / std::max<int64_t>(1, counted);
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

std::unique_ptr<Metric> validate(GraphModule& module, const Task& task,
                                 const TaskTraining& training, const ImageDataset& data,
                                 const TransformSpec& tf, int workers, const ProgressFn& progress,
                                 const std::string& stage) {
  module.eval();
  torch::NoGradGuard no_grad;
  LoaderOptions lo;
  lo.batch_size = 256;
  lo.workers = workers;
  BatchLoader loader(data, tf, lo);
  std::unique_ptr<Metric> metric = task.make_metric(data);
  Batch b;
  while (loader.next(b)) {
    torch::Tensor out = module.forward(batch_images(b)).contiguous();
    torch::Tensor y = training.targets(b);
    metric->add(out.data_ptr<float>(), std::vector<int64_t>(out.sizes().begin(), out.sizes().end()),
                b);
    metric->add_loss(training.loss(out, y, 0.0, true).item<double>());
    report(progress, {stage, metric->count(), loader.num_samples(), ""});
  }
  return metric;
}

}  // namespace trex::train
