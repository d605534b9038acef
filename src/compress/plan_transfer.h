// Moves a quantization plan between two forms of one model that differ by BatchNorm
// folding: QAT trains the model with its BatchNorm layers (so their statistics can adapt),
// while placement, statistics and the QDQ export work on the folded, canonical graph.
// Per-channel symmetric weight quantization commutes with the per-channel scaling a fold
// applies (the int8 values stay, the scales scale by |gamma / sqrt(var + eps)|), so the
// move is exact in both directions.
#pragma once

#include "ir/graph.h"
#include "quant/quantization_plan.h"

namespace trex::compress {

/// `plan`, made for `from`, restated for `to`: each activation quantizer sits on the value
/// its consumers read in `to`; each weight's per-channel scales are multiplied by the ratio
/// of the channel's largest magnitude in `to` to that in `from`, and its int8 values are
/// re-rounded from `to`'s weight. Nodes keep their names across a fold; a node or
/// consumer missing from `to` is an error naming it.
quant::QuantizationPlan transfer_plan(const quant::QuantizationPlan& plan, const Graph& from,
                                      const Graph& to);

}  // namespace trex::compress
