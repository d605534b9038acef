// Knowledge distillation: an extra loss pulling the compressed model's logits towards the
// uncompressed model's (the teacher, run in eval mode without gradients) on the same batch.
#pragma once

#include <memory>

#include "compress/compression_config.h"
#include "train/graph_module.h"
#include "train/training_loop.h"

namespace trex::compress {

/// The distillation loss of `config` with `teacher` (compiled from the FP32 model):
///   mse:     scale * mean((student - teacher)^2)
///   softmax: scale * T^2 * mean over the batch of the cross-entropy between
///            softmax(teacher / T) and softmax(student / T)   (T = temperature; the T^2
///            keeps gradient sizes independent of T, as in Hinton et al.)
train::ExtraLoss distillation_loss(const DistillationConfig& config,
                                   std::shared_ptr<train::GraphModule> teacher);

}  // namespace trex::compress
