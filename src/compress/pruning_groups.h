// Filter pruning's view of a graph: which output channels must be removed together.
// Channels are tracked through the graph as "channel spaces" (dim 1 of NCHW tensors, and
// of the [N, C] tensor a Flatten of a 1x1 map gives): a Conv starts a new space (it is the
// space's producer); BatchNorm, activations, pooling, depthwise Conv and per-tensor fake
// quantizers keep it; elementwise ops (residual Add, squeeze-excitation Mul) join their
// inputs' spaces into one. A group is one joined space: removing channel c means removing
// it from every producer's filters, every BatchNorm, depthwise Conv and per-channel
// constant in the space, and from the input channels of every Conv / Gemm reading it.
// Spaces reaching an op this analysis does not know, a model output or input, a grouped
// (non-depthwise) Conv or a Concat are kept whole.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compress/compression_config.h"
#include "ir/graph.h"

namespace trex::compress {

struct PruningGroup {
  std::string name;  ///< its first producer
  int64_t channels = 0;
  std::vector<std::string> producers;  ///< Conv nodes whose filters are the channels
  /// Constants holding one slice per channel: removed at export; `masked` ones are held at
  /// zero for pruned channels during training (producer filters and biases, BatchNorm
  /// scale and bias with prune_batch_norms, depthwise filters).
  struct Slice {
    std::string value;
    int axis = 0;
    bool masked = false;
  };
  std::vector<Slice> slices;
  std::vector<std::string> depthwise;  ///< depthwise Convs (their `group` follows)
  std::vector<std::string> values;     ///< activations carrying the space (dim 1)
  bool prunable = false;
  std::string reason;  ///< why not, when not prunable
};

/// The groups of `g` (a float graph, BatchNorm kept or folded, trex fake quantizers
/// allowed), prunable or not; `config` decides scopes, first and downsample convolutions
/// and BatchNorm masking.
std::vector<PruningGroup> find_pruning_groups(const Graph& g, const FilterPruningConfig& config);

/// Pruned channel indices by group name.
using PrunedChannels = std::map<std::string, std::vector<int64_t>>;

/// Removes the pruned channels from `g` physically: constants sliced, depthwise `group`
/// attributes and the channel dim of the space's activations updated. A group or channel
/// not in `groups`, or a slice whose constant is missing, is an error naming it.
void remove_pruned_channels(Graph& g, const std::vector<PruningGroup>& groups,
                            const PrunedChannels& pruned);

}  // namespace trex::compress
