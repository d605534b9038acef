// The CPU hardware description for quantizer placement: which inputs of an op take
// activation quantizers, which input is a weight (and its output-channel axis), which ops
// let a quantizer pass through unchanged, and which take one scale for all inputs.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace trex::quant {

struct OpRole {
  enum class Kind {
    kFloat,        ///< stays in float; its inputs get no quantizers
    kQuantizable,  ///< its activation inputs (and weight) are quantized
    kAgnostic,     ///< works on quantized data as is (max, reshapes): quantizers pass through
  };
  Kind kind = Kind::kFloat;
  std::vector<size_t> activation_inputs;  ///< inputs to quantize (constants are skipped)
  int weight_input = -1;                  ///< the constant weight's input, -1 if none
  int weight_axis = 0;                    ///< its output-channel axis (per-channel scales)
  bool unified_scales = false;            ///< all inputs share one scale (Concat)
  std::string why;                        ///< for kFloat: why the op stays in float
};

/// The role of `n` on trex's CPU target (SPEC.md, "Where quantizers go"). For transformer
/// models elementwise arithmetic and normalization stay float.
OpRole cpu_op_role(const Node& n, bool transformer = false);

}  // namespace trex::quant
