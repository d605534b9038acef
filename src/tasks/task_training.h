// What the training backend needs from a task (tasks/task.h has the rest): its model
// builders, its training targets and loss, and the running accuracy the progress line shows.
// Implemented in src/tasks/<task>/training.cpp (trex_train, libtorch); registered by the
// same task_list.h line as the task.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>

#include "data/batch_loader.h"
#include "ir/graph.h"
#include "tasks/model_template.h"

namespace trex {

class TaskTraining {
 public:
  virtual ~TaskTraining() = default;
  /// The template's untrained model (model.architecture) for `classes` classes, weights
  /// drawn from `seed`; unknown architectures are kInvalidInput naming them.
  virtual std::unique_ptr<Graph> build_model(const ModelTemplate& t, size_t classes,
                                             uint64_t seed) const = 0;
  /// The batch's targets as a tensor over the batch's memory (labels [N]; label maps
  /// [N, H, W]).
  virtual torch::Tensor targets(Batch& batch) const = 0;
  /// The loss of `output` against `targets`: the mean over the batch, or the sum when `sum`
  /// (validation), with `label_smoothing` where the loss has it.
  virtual torch::Tensor loss(const torch::Tensor& output, const torch::Tensor& targets,
                             double label_smoothing, bool sum) const = 0;
  /// Correct predictions and the units counted (images, or labelled pixels), for the
  /// running training accuracy.
  virtual std::pair<int64_t, int64_t> hits(const torch::Tensor& output,
                                           const torch::Tensor& targets) const = 0;
};

/// The training hooks of the task registered as `name` (see find_task).
const TaskTraining& find_training(const std::string& name, const std::string& where);

}  // namespace trex
