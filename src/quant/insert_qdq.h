// Writes a quantization plan into the FP32 graph as standard ONNX QDQ: QuantizeLinear +
// DequantizeLinear on quantized activations, DequantizeLinear of int8 per-channel weights
// and of int32 biases (scale = input scale x weight scale), which ONNX Runtime and the trex
// runtime both lower to integer kernels.
#pragma once

#include <memory>

#include "ir/graph.h"
#include "quant/quantization_plan.h"

namespace trex::quant {

/// The metadata key a trex-quantized model carries ("ptq" or "qat").
inline constexpr const char* kQuantizedMetadataKey = "trex.quantized";

/// A new graph: `fp32` with the plan's quantizers. Nodes in plan.reverted keep float
/// inputs. Needs opset 13 or later (per-axis DequantizeLinear); errors otherwise.
std::shared_ptr<Graph> build_qdq_model(const Graph& fp32, const QuantizationPlan& plan);

/// Whether `g` already holds quantization (QuantizeLinear, DequantizeLinear, QLinear*,
/// ConvInteger, MatMulInteger, DynamicQuantizeLinear nodes); `what` names the first found.
bool is_quantized_model(const Graph& g, std::string* what = nullptr);

}  // namespace trex::quant
