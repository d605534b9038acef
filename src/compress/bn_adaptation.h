// BatchNorm adaptation: after fake quantizers go in, the activations a BatchNorm layer sees
// shift, so its running statistics are re-estimated on training images (no gradients, no
// weight change): each statistic becomes the plain average, over the batches, of the
// batch's mean and variance.
#pragma once

#include <functional>

#include "ir/graph.h"
#include "train/graph_module.h"

namespace trex::compress {

/// Runs `module` (compiled from `graph`) in training mode on the batches `next` yields
/// (false when done) and sets every BatchNormalization's running mean and variance to the
/// average of the batch statistics, weighted by batch size (batches of one image are
/// skipped). Returns the number of batches used; leaves the module in eval mode.
int adapt_batch_norm(train::GraphModule& module, const Graph& graph,
                     const std::function<bool(torch::Tensor&)>& next);

}  // namespace trex::compress
