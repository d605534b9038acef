// Training checkpoints (`checkpoint.pt`): the model graph with its current weights (so a
// checkpoint is self-describing), the optimizer state, and where training stood. Written
// atomically; read back with every field checked.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ir/graph.h"

namespace trex::train {

struct Checkpoint {
  std::unique_ptr<Graph> graph;  ///< weights and BatchNorm statistics as of `epoch`
  std::string optimizer_state;   ///< libtorch optimizer archive bytes ("" if none)
  /// A second optimizer's state (rb_sparsity's mask logits train with their own), "" if none.
  std::string aux_optimizer_state;
  /// {"format": 1, "template", "architecture", "epoch" (completed), "best_epoch",
  ///  "best_score", "history": [...], "classes": [...], ...}
  nlohmann::json meta;
};

void save_checkpoint(const Checkpoint& ckpt, const std::string& path);
/// Errors (kInvalidInput) name the file when it is not a trex checkpoint.
Checkpoint load_checkpoint(const std::string& path);
/// True when `path` looks like a trex checkpoint (a libtorch archive), false for ONNX etc.
bool is_checkpoint_file(const std::string& path);

}  // namespace trex::train
