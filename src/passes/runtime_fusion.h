// The trex-internal ops that runtime fusions produce. They live in the "trex" domain and
// exist only in a session's private copy of a graph.
#pragma once

#include "ir/graph.h"

namespace trex {

constexpr const char* kTrexDomain = "trex";
/// Conv (inputs X, W, B?) + optional Sum input (index 3, added before the activation) +
/// attributes of Conv, plus `activation` (op name or "") and `activation_params` (floats).
constexpr const char* kFusedConv = "FusedConv";

/// Replaces a Conv node by an equivalent trex.FusedConv (same inputs, attributes and
/// output value) and returns it.
Node* make_fused_conv(Graph& g, Node* conv);

}  // namespace trex
