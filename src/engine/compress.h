// `trex optimize` on a training checkpoint, for any task: training-time compression driven
// by a compression config (the template's compression_config.json or a given file).
// Quantization-aware training: quantizers placed and their ranges initialized as PTQ would
// (on the BatchNorm-folded model), BatchNorm adaptation, then fine-tuning with fake
// quantizers and trainable ranges, each epoch exported to INT8 QDQ and scored in the
// runtime; the best epoch is kept; per-epoch checkpoints let an interrupted run resume.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "tasks/model_template.h"
#include "util/progress.h"

namespace trex::engine {

struct CompressTaskOptions {
  std::string checkpoint;          ///< trex training checkpoint (FP32)
  std::string train_data;          ///< training images (class folders)
  std::string val_data;            ///< evaluation images (class folders)
  std::string output_dir;          ///< model.onnx, checkpoints, reports
  std::string compression_config;  ///< empty: the template folder's compression_config.json
  bool resume = false;             ///< continue from OUTPUT/last_checkpoint.pt
  int threads = 0;
  int eval_batch = 64;
  int bench_iterations = 50;
  ProgressFn progress;
  std::function<void(const std::string&)> log;  ///< one line per step and epoch
};

struct CompressEpoch {
  int epoch = 0;  ///< 1-based; 0 is the initialized model before training
  double learning_rate = 0, train_loss = 0, train_accuracy = 0;
  double score = 0;     ///< the epoch's exported model (INT8 with quantization) in the runtime
  double sparsity = 0;  ///< fraction of sparsified weights that are zero (with sparsity)
  double sparsity_level = 0;  ///< the level the sparsity schedule asked for
  double pruning_level = 0;   ///< the schedule's level (filter or FLOPs fraction)
  double flops_pruned = 0;    ///< fraction of multiply-accumulates the pruned filters remove
  double seconds = 0;
  bool within_budget = false;
};

struct CompressTaskResult {
  std::string config_file;
  std::vector<std::string> parts;    ///< composed recipe parts applied
  bool quantized = true;             ///< the output is INT8 (else a compressed FP32 model)
  double fp32_score = 0, score = 0;  ///< the uncompressed and the compressed model
  double fp32_latency_ms = 0, latency_ms = 0;
  size_t fp32_bytes = 0, bytes = 0;
  std::vector<CompressEpoch> trajectory;  ///< including epoch 0 (initialization)
  int best_epoch = 0;
  bool accuracy_aware = false;  ///< accuracy_aware_training configured (a budget)
  double budget = -1;           ///< absolute drop allowed (score units), -1 without
  bool within_budget = true;
  std::vector<std::string> warnings;
  std::string model_path, checkpoint_path, last_checkpoint_path, report_path, report_text_path,
      performance_path;
  nlohmann::json performance;
};

CompressTaskResult run_compression(const ModelTemplate& t, const CompressTaskOptions& options);

}  // namespace trex::engine
