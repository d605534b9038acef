// A deterministic text form of a Graph: for tests (round-trip equality) and debugging.
#pragma once

#include <string>

#include "ir/graph.h"

namespace trex {

/// One line per input, constant (by fingerprint), node and output, in topological order.
std::string to_text(const Graph& g);

}  // namespace trex
