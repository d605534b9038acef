// A task kind as a plug-in: what the task-generic flows (src/engine/: evaluation, PTQ,
// training-time compression; src/train/: training) need to know about one kind of model.
// Each task implements this in src/tasks/<task>/ and is registered by one line in
// tasks/task_list.h; `trex train | eval | optimize | data make` find it by the template's
// model.task (docs/adding-a-task.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/batch_loader.h"
#include "data/dataset.h"
#include "ir/graph.h"
#include "tasks/model_template.h"
#include "util/progress.h"

namespace trex {

/// Which part of a dataset a reader is asked for (layouts with split lists, such as
/// Pascal VOC's ImageSets, pick theirs; folder-per-split layouts ignore it).
enum class Split { kTrain, kVal, kTest };

/// A task's metric, accumulated batch by batch over the model's first output.
class Metric {
 public:
  virtual ~Metric() = default;
  /// Adds one batch: the model's output (row-major float, `dims`) for `batch`. An output
  /// whose shape does not fit the batch is kInvalidInput saying what was expected.
  virtual void add(const float* output, const std::vector<int64_t>& dims, const Batch& batch) = 0;
  void add_loss(double loss_sum) { loss_sum_ += loss_sum; }
  /// Samples added.
  virtual size_t count() const = 0;
  /// The task's headline score, in [0, 1], higher is better (the one budgets apply to).
  virtual double score() const = 0;
  /// Mean loss per sample, if losses were added.
  double mean_loss() const { return count() ? loss_sum_ / count() : 0.0; }
  /// {"metric": <name>, "score": ..., "count": ..., task details}.
  virtual nlohmann::json to_json() const = 0;
  /// A readable summary for the terminal.
  virtual std::string to_text() const = 0;

 private:
  double loss_sum_ = 0;
};

/// What `trex data make NAME -o DIR` passes a dataset maker.
struct DatasetMakeOptions {
  std::string output;  ///< built aside and renamed into place; must not exist or be empty
  std::string source;  ///< the raw data folder (Fashion-MNIST's IDX files)
  uint64_t seed = 0;
  /// Images per split; -1: the dataset's default. Makers with fixed splits refuse others.
  long long train_size = -1, val_size = -1, test_size = -1;
  ProgressFn progress;
};

/// A built-in dataset a task can write for `trex data make`.
struct DatasetMaker {
  std::string name;         ///< e.g. "fashion-mnist-cls"
  std::string description;  ///< layout and contents, for --help
  /// Writes the dataset; returns a summary (one line per split) for the terminal.
  std::function<std::string(const DatasetMakeOptions&)> make;
};

class Task {
 public:
  virtual ~Task() = default;
  /// model.task in templates.
  virtual std::string name() const = 0;
  /// The headline metric's name ("accuracy", "mDice").
  virtual std::string metric_name() const = 0;
  /// Reads a dataset root (the task's layouts) at the template's input size; errors name the
  /// file at fault.
  virtual ImageDataset load_dataset(const ModelTemplate& t, const std::string& root, Split split,
                                    const ProgressFn& progress) const = 0;
  /// Checks that training and validation data describe the same classes, and the template's.
  virtual void check_datasets(const ModelTemplate& t, const ImageDataset& train,
                              const ImageDataset& val) const = 0;
  /// Checks that `graph` takes the template's images and gives this task's outputs; errors
  /// name `source` and what differs.
  virtual void check_model(const Graph& graph, const ModelTemplate& t,
                           const std::string& source) const = 0;
  /// Checks that the classes a trex-trained model carries (metadata trex.classes) are the
  /// data's; errors name both.
  void check_model_classes(const Graph& graph, const ImageDataset& data,
                           const std::string& model) const;
  /// An empty metric for `data`.
  virtual std::unique_ptr<Metric> make_metric(const ImageDataset& data) const = 0;
  /// The accuracy budget (absolute, score units) PTQ keeps when --max-drop is not given, or
  /// < 0 for none: tasks whose PTQ is known to collapse on some layers get automatic
  /// sensitivity by default.
  virtual double default_max_drop() const { return -1; }
  /// The built-in datasets of this task.
  virtual std::vector<DatasetMaker> dataset_makers() const { return {}; }
};

/// The task registered as `name`; kInvalidInput naming `where` (a file and key) and the
/// known tasks otherwise.
const Task& find_task(const std::string& name, const std::string& where);
/// The registered task names, in registry order.
std::vector<std::string> task_names();
/// Every built-in dataset of every task, in registry order.
std::vector<DatasetMaker> all_dataset_makers();

}  // namespace trex
