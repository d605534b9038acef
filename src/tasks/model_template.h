// Model templates: recipes/<task>/<model>/template.yaml read, validated and overridden from
// the command line (`params --learning_parameters.num_epochs 3`). Every task shares this
// format; the model builder named by `model.architecture` lives under src/tasks/<task>/.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "data/class_folder_dataset.h"
#include "data/transforms.h"

namespace trex {

struct LearningParameters {
  std::string optimizer = "sgd";  ///< sgd | adamw
  double learning_rate = 0.1;
  double momentum = 0.9;  ///< sgd only
  bool nesterov = true;   ///< sgd only
  double weight_decay = 5e-4;
  double label_smoothing = 0.0;
  /// cosine | step; poly_drop (staged QAT, not a template choice): `learning_rate` until
  /// poly_drop_start, then learning_rate * ((poly_drop_start + poly_drop_duration - epoch) /
  /// poly_drop_duration)^2.1, 0 after.
  std::string schedule = "cosine";
  std::vector<int> step_milestones;  ///< epochs where the step schedule multiplies by gamma
  double step_gamma = 0.1;
  double warmup_epochs = 0;        ///< linear warm-up from 0, in (fractional) epochs
  double min_learning_rate = 0.0;  ///< cosine floor
  int num_epochs = 10;
  int batch_size = 128;
  uint64_t seed = 0;
  int num_workers = 2;  ///< data loading threads
  double poly_drop_start = std::numeric_limits<double>::infinity();
  double poly_drop_duration = 30;
  int batch_multiplier = 1;  ///< batches whose gradients make one optimizer step
};

struct DataParameters {
  int height = 0, width = 0, channels = 0;  ///< the model's input
  std::vector<float> mean, std;             ///< per channel, on pixel / 255
  int crop_padding = 0;                     ///< training augmentation
  bool horizontal_flip = false;             ///< training augmentation
};

struct PotParameters {
  std::string preset = "performance";  ///< performance | mixed
  int stat_subset_size = 300;          ///< 1..1000
};

struct NncfOptimization {
  bool enable_quantization = true;
  bool enable_pruning = false;
  bool pruning_supported = false;
  double maximal_accuracy_degradation = 1.0;  ///< absolute, in percent
};

struct ModelTemplate {
  std::string path;          ///< the template.yaml read
  std::string dir;           ///< its folder (compression_config.json, ptq config)
  std::string name;          ///< model.name
  std::string task;          ///< model.task: classification, ...
  std::string architecture;  ///< model.architecture: builder name
  int num_classes = 0;
  LearningParameters learning;
  DataParameters data;
  PotParameters pot;
  NncfOptimization nncf;
};

/// Finds a template: a template.yaml path, a folder holding one, or a model name searched
/// under ./recipes/*/ and trex's installed recipes. Errors name what was looked for.
std::string resolve_template_path(const std::string& spec);

/// Reads and validates a template, then applies `overrides` (key path -> value, e.g.
/// {"learning_parameters.num_epochs", "3"}). Unknown keys, wrong types and out-of-range
/// values are errors naming the file and key path.
ModelTemplate load_template(const std::string& spec,
                            const std::vector<std::pair<std::string, std::string>>& overrides = {});

/// `--a.b value --c.d value ...` as given after `params` -> key/value pairs.
std::vector<std::pair<std::string, std::string>> parse_param_overrides(
    const std::vector<std::string>& args);

/// The image size and channels the template's model takes.
ImageSpec image_spec(const ModelTemplate& t);
/// The template's normalization and (training) augmentation.
TransformSpec transform_spec(const ModelTemplate& t);

}  // namespace trex
