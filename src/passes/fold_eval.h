// Evaluation of single nodes on constant inputs, for constant folding. Covers the ops that
// shape computations and weight preprocessing use; anything else is left unfolded.
#pragma once

#include <optional>
#include <vector>

#include "ir/graph.h"

namespace trex {

/// The outputs of `n` given its inputs (nullptr for omitted optional ones), or nullopt when
/// the op is not foldable here or the inputs are out of its contract. Ops that create
/// elements (broadcasts, Concat, Gather, Range, ConstantOfShape, Expand) fold only results of
/// at most kMaxFoldedElements or of the size of their inputs, whichever is larger, so a
/// small file cannot make trex allocate gigabytes.
std::optional<std::vector<Tensor>> evaluate_constant_node(const Node& n,
                                                          const std::vector<const Tensor*>& inputs);

constexpr int64_t kMaxFoldedElements = int64_t{1} << 24;

/// Shape's opset-15 start/end: negative counts from the back; both clamp to [0, rank].
std::vector<int64_t> shape_slice(const std::vector<int64_t>& dims, int64_t start, int64_t end);

}  // namespace trex
