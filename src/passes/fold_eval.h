// Evaluation of single nodes on constant inputs, for constant folding. Covers the ops that
// shape computations and weight preprocessing use; anything else is left unfolded.
#pragma once

#include <optional>
#include <vector>

#include "ir/graph.h"

namespace trex {

/// The outputs of `n` given its inputs (nullptr for omitted optional ones), or nullopt when
/// the op is not foldable here, the inputs are out of its contract, or the result would be
/// larger than kMaxFoldedElements.
std::optional<std::vector<Tensor>> evaluate_constant_node(const Node& n,
                                                          const std::vector<const Tensor*>& inputs);

constexpr int64_t kMaxFoldedElements = int64_t{1} << 24;

}  // namespace trex
