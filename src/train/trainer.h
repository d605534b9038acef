// The trainer, for any task: a template's model trained on the task's data with the
// template's learning parameters, validated every epoch, the best model kept, and a
// checkpoint written every epoch so an interrupted run resumes exactly where it stopped.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "tasks/model_template.h"
#include "tasks/task.h"
#include "util/progress.h"

namespace trex::train {

struct TrainOptions {
  std::string train_root;
  std::string val_root;  ///< may be empty: then the last epoch is kept
  std::string out_dir;
  /// Continue from OUT/last_checkpoint.pt (or `resume_from` when set).
  bool resume = false;
  std::string resume_from;
  int threads = 0;  ///< libtorch threads; 0 = OMP_NUM_THREADS or all cores
  ProgressFn progress;
  /// One line per finished epoch (the CLI prints it).
  std::function<void(const std::string&)> log;
};

struct EpochRecord {
  int epoch = 0;             ///< 1-based
  double learning_rate = 0;  ///< at the end of the epoch
  double train_loss = 0, train_accuracy = 0;
  double val_loss = 0, val_accuracy = -1;  ///< -1 without validation data
  double seconds = 0, images_per_second = 0;
};

struct TrainResult {
  std::vector<EpochRecord> epochs;  ///< all epochs, including those before a resume
  int best_epoch = 0;
  double best_accuracy = -1;
  std::string model_path, checkpoint_path, last_checkpoint_path, log_path;
};

/// Trains `tmpl` (its task's model, loss and metric) and writes OUT/model.onnx (best
/// validation score),
/// OUT/checkpoint.pt (the best epoch's weights and metadata, no optimizer state),
/// OUT/last_checkpoint.pt (the full training state after the latest epoch, for --resume)
/// and OUT/train_log.json.
TrainResult train_model(const ModelTemplate& tmpl, const TrainOptions& options);

/// The task's metric of `graph` run by the training backend in eval mode (how checkpoints
/// are evaluated).
std::unique_ptr<Metric> evaluate_in_backend(const Graph& graph, const Task& task,
                                            const ImageDataset& data,
                                            const TransformSpec& transform, int threads,
                                            const ProgressFn& progress = {});

}  // namespace trex::train
