// The IR verifier: checks the structural invariants every pass must keep.
#pragma once

#include "ir/graph.h"

namespace trex {

/// Throws kInvalidInput naming the node or value at fault when `g` breaks an invariant:
/// inputs that nothing defines, broken use lists, cycles, missing outputs, constants whose
/// type disagrees with their data.
void verify(const Graph& g);

}  // namespace trex
