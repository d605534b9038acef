// The pieces of a training loop that every trainer here shares (the trainer, training-time
// compression), for any task: the optimizer with its parameter groups and its saved state,
// one epoch of SGD steps on augmented batches, and validation in eval mode.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "data/batch_loader.h"
#include "tasks/model_template.h"
#include "tasks/task.h"
#include "tasks/task_training.h"
#include "train/graph_module.h"
#include "util/progress.h"

namespace trex::train {

/// The template's optimizer (sgd | adamw) over `module`'s weights in up to three groups:
/// conv/linear weights (rank >= 2) with weight decay, the other weights without, and the
/// tensors named in `separate` (e.g. quantizer ranges) without decay in a third group whose
/// learning rate set_learning_rate scales. Tensors named in `exclude` are left out (another
/// optimizer trains them).
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const LearningParameters& p,
                                                        GraphModule& module,
                                                        const std::set<std::string>& separate = {},
                                                        const std::set<std::string>& exclude = {});
/// Sets the learning rate of the groups: `lr` for the first two, `lr * separate_scale` for
/// the third.
void set_learning_rate(torch::optim::Optimizer& opt, double lr, double separate_scale = 1.0);

/// Sets the weight decay of the decayed group (the first) of a make_optimizer optimizer.
void set_weight_decay(torch::optim::Optimizer& opt, double wd);

/// The optimizer's state as bytes (for checkpoints), and back; a state that does not fit is
/// an error naming `source`.
std::string optimizer_bytes(const torch::optim::Optimizer& opt);
void load_optimizer(torch::optim::Optimizer& opt, const std::string& bytes,
                    const std::string& source);

struct EpochStats {
  double learning_rate = 0;  ///< at the end of the epoch
  double loss = 0, accuracy = 0;
  size_t images = 0;
  double seconds = 0;
};

/// Extra loss term of a batch (e.g. distillation), given the images and the model's output.
using ExtraLoss =
    std::function<torch::Tensor(const torch::Tensor& images, const torch::Tensor& logits)>;

/// One epoch (0-based `epoch`) of training with the template's augmentation, shuffling and
/// label smoothing, on the task's loss; the learning rate follows learning_rate_at(p, fractional
/// epoch); one optimizer step per p.batch_multiplier batches (their mean gradient). `extra` adds to
/// the loss; `after_step` runs after every optimizer step (e.g. re-applying sparsity masks). Errors
/// when the loss stops being finite.
EpochStats train_epoch(GraphModule& module, torch::optim::Optimizer& opt, const TaskTraining& task,
                       const ImageDataset& data, const TransformSpec& tf,
                       const LearningParameters& p, int epoch, const ProgressFn& progress,
                       double separate_lr_scale = 1.0, const ExtraLoss& extra = {},
                       const std::function<void()>& after_step = {});

/// The task's metric (and loss) of the module in eval mode on `data`.
std::unique_ptr<Metric> validate(GraphModule& module, const Task& task,
                                 const TaskTraining& training, const ImageDataset& data,
                                 const TransformSpec& tf, int workers, const ProgressFn& progress,
                                 const std::string& stage);

}  // namespace trex::train
