// The quantization-aware training graph: the FP32 graph with a trex FakeQuantize node
// wherever a PTQ plan (placement from place_quantizers, parameters from range
// initialization) puts a quantizer, so QAT and PTQ share one placement code path; and back:
// the trained graph's weights and quantizer parameters as a plan for build_qdq_model, so
// QAT exports the same standard QDQ model PTQ writes.
#pragma once

#include <memory>

#include "ir/graph.h"
#include "quant/quantization_plan.h"

namespace trex::compress {

/// Op type (domain "trex") of a fake quantizer. Inputs: (x, scale) when attribute mode is
/// "symmetric" (scale broadcasts against x: a scalar, or per channel along `axis`), or
/// (x, input_low, input_range) when "asymmetric". Attributes level_low, level_high: the
/// integer grid (see fake_quantize.h); log_scale (0 or 1): the scale / input_range input
/// holds its natural logarithm.
inline constexpr const char* kFakeQuantize = "FakeQuantize";

/// A new graph: `fp32` with fake quantizers initialized from `plan`. Activation quantizers
/// are named after their value ("<value>_fq"), weight quantizers after their node
/// ("<node>_weight_fq"); plan.biases (bias correction) replace the float biases; nodes in
/// plan.reverted keep float inputs.
std::shared_ptr<Graph> build_qat_graph(const Graph& fp32, const quant::QuantizationPlan& plan);

/// logarithm_scale: the weight (and/or activation) quantizers of `qat` train the log of their
/// scale (symmetric) or range (asymmetric) instead: the parameter becomes log|p| and the
/// quantizer gets attribute log_scale = 1. The export reads the scale back.
void use_log_scales(Graph& qat, bool weights, bool activations);

/// The value a node's weight input `v` comes from: through a trex weight fake quantizer and
/// an rb_sparsity mask (trex RBSparsify) when `v` is their output, else `v` (null stays
/// null).
const Value* weight_source(const Value* v);

struct QatExport {
  std::shared_ptr<Graph> fp32;   ///< the trained float graph without the fake quantizers
  quant::QuantizationPlan plan;  ///< `initial`'s placement with the trained parameters
};

/// Reads a (trained) QAT graph built from `initial` back into a float graph and a plan
/// (int8 weights rounded with the trained per-channel scales; no bias corrections, the
/// trained biases are in the graph).
QatExport export_qat_graph(const Graph& qat, const quant::QuantizationPlan& initial);

/// The trained QAT graph as the standard INT8 QDQ model (metadata trex.quantized = "qat"):
/// export_qat_graph, then BatchNorm layers folded with the plan following them exactly
/// (transfer_plan), then build_qdq_model. `folded_plan` receives the plan of the result.
std::shared_ptr<Graph> export_qdq_model(const Graph& qat, const quant::QuantizationPlan& initial,
                                        quant::QuantizationPlan* folded_plan = nullptr);

}  // namespace trex::compress
