// The trex-internal ops that runtime fusions produce. They live in the "trex" domain and
// exist only in a session's private copy of a graph.
#pragma once

#include "ir/graph.h"

namespace trex {

constexpr const char* kTrexDomain = "trex";
/// Conv (inputs X, W, B?) + optional Sum input (index 3, added before the activation) +
/// attributes of Conv, plus `activation` (op name or "") and `activation_params` (floats).
constexpr const char* kFusedConv = "FusedConv";
/// Gemm (inputs A, B, C?) + attributes of Gemm, plus `activation` / `activation_params`.
constexpr const char* kFusedGemm = "FusedGemm";

/// Replaces a Conv or Gemm node by the equivalent trex-domain `fused_op` (same inputs,
/// attributes and output value name) and returns it.
Node* make_fused(Graph& g, Node* node, const char* fused_op);

/// Gives `fused` the name of the value it now stands for (the activation's or the Add's
/// output) when that name is free: fusion keeps the names of the values that remain, so
/// observers (PTQ statistics) and messages still find them.
void keep_name(Graph& g, Value* fused, const std::string& name);

}  // namespace trex
