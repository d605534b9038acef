// The trex-domain int8 ops that the QDQ lowering passes (lower_qdq_*.cpp) create from
// standard ONNX QuantizeLinear/DequantizeLinear patterns, and the pattern helpers they share.
// Like trex.FusedConv, these ops exist only in a session's private copy of a graph.
//
// Common attributes of QConv, QGemm and QAdd (QMul, QResize, QAveragePool, QGlobalAveragePool:
// all but activation):
//   x_scale (float), x_zero_point (int)   the input's per-tensor quantization (QAdd, QMul:
//                                         a_*, b_*)
//   activation, activation_params         as trex.FusedConv, applied to the real-valued result
//   y_type ("float", "uint8" or "int8")   "float": output f32; else quantized with
//   y_scale (float), y_zero_point (int)   y = saturate(round_half_even(v / y_scale) + y_zero_point)
#pragma once

#include <optional>
#include <unordered_set>
#include <vector>

#include "ir/graph.h"

namespace trex {

/// trex.QConv: inputs X (uint8/int8, N x C x spatial), W (int8 constant, Conv layout, zero
/// point 0), B? (constant [Cout] in accumulator units: int32, or f32 when the bias's scale is
/// not x_scale * w_scale); Conv's attributes; w_scale (floats, one per output channel).
/// Computes v = x_scale * w_scale[c] * (sum (x - x_zero_point) * w + B[c]), activation, output.
constexpr const char* kQConv = "QConv";
/// trex.QGemm: inputs A (uint8/int8, [..., K]), B (int8 constant, [K, N], or [N, K] with
/// transB = 1), C? (constant [N] in accumulator units, int32 or f32); w_scale (N floats).
/// Computes v = x_scale * w_scale[n] * (sum_k (a - x_zero_point) * b + C[n]) over the last axis.
constexpr const char* kQGemm = "QGemm";
/// trex.QAdd: inputs A, B (uint8/int8, one shape); a_scale, a_zero_point, b_scale,
/// b_zero_point; activation "" or "Relu". v = a_scale (a - a_zp) + b_scale (b - b_zp).
constexpr const char* kQAdd = "QAdd";
/// trex.QMul: inputs A (uint8/int8), B (uint8/int8, A's shape or a per-channel gate
/// [N or 1, C, 1, ...]); a_scale, a_zero_point, b_scale, b_zero_point; no activation.
/// v = a_scale (a - a_zp) * b_scale (b - b_zp).
constexpr const char* kQMul = "QMul";
/// trex.QResize: Resize's inputs (X uint8/int8; roi, scales, sizes) and attributes (opset
/// 11+ semantics); x_scale, x_zero_point. v = Resize(x_scale (X - x_zero_point)).
constexpr const char* kQResize = "QResize";
/// trex.QGlobalAveragePool: input X (uint8/int8, N x C x spatial); x_scale, x_zero_point.
/// v = x_scale * (mean over the spatial axes of X - x_zero_point), output [N, C, 1, ...].
constexpr const char* kQGlobalAveragePool = "QGlobalAveragePool";
/// trex.QAveragePool: input X (uint8/int8, N x C x spatial); AveragePool's attributes (an
/// include-pad average only without pads); x_scale, x_zero_point. v = AveragePool(x_scale
/// (X - x_zero_point)).
constexpr const char* kQAveragePool = "QAveragePool";

/// A per-tensor quantization: the DequantizeLinear or QuantizeLinear node, its integer side
/// (the DQ input or the Q output), scale, zero point and integer type.
struct QuantInfo {
  Node* node = nullptr;
  Value* integer = nullptr;
  float scale = 1.0f;
  int64_t zero_point = 0;
  DType dtype = DType::kUInt8;
};

/// The per-tensor uint8/int8 DequantizeLinear producing `v` (constant scale and zero point),
/// or nullopt.
std::optional<QuantInfo> dequantize_producer(const Value* v);

/// The per-tensor uint8/int8 QuantizeLinear that is the only reader of `v` (which must not be
/// a graph output), or nullopt.
std::optional<QuantInfo> sole_quantize_reader(const Value* v);

/// The parameters of per-tensor uint8/int8 QuantizeLinear `q` (integer: its output), or
/// nullopt.
std::optional<QuantInfo> quantize_params(Node* q);

/// Whether two quantizations map integers to the same reals (same type, scale, zero point).
bool same_quantization(const QuantInfo& a, const QuantInfo& b);

/// Int8 weights behind a DequantizeLinear of constants with zero points 0: the int8 tensor
/// and one scale per channel along `axis` of it (a per-tensor scale repeated).
struct QuantWeights {
  const Tensor* values = nullptr;
  std::vector<float> scales;
};

/// The int8 weights `v` dequantizes with per-`axis` (or per-tensor) scales, or nullopt.
std::optional<QuantWeights> dequantized_weights(const Value* v, int64_t axis);

/// A bias `b` (omitted, an f32 constant, or DequantizeLinear of an int32 constant with zero
/// point 0) in accumulator units of x_scale * w_scales[c]: the int32 values when the bias
/// scale equals that product, else an f32 tensor. An empty Tensor when `b` is null; nullopt
/// when `b` has another form or size.
std::optional<Tensor> accumulator_bias(const Value* b, float x_scale,
                                       const std::vector<float>& w_scales);

/// Sets y_type, y_scale, y_zero_point on `n` for output quantization `y` (nullopt: "float").
void set_output_quantization(Node* n, const std::optional<QuantInfo>& y);

/// Makes `replacement` take the place of `old` (all uses, graph outputs, its name and shape;
/// its element type becomes `dtype`), then removes `dead` nodes in order: each must have no
/// readers left by then, and one of them must produce `old`.
void replace_value_and_remove(Graph& g, Value* old, Value* replacement, DType dtype,
                              const std::vector<Node*>& dead);

/// Sets the output quantization `y` on integer node `q`, then puts `q` in place of `n` (and
/// of the QuantizeLinear `y` came from, which `q` absorbs); the removed nodes go into
/// `removed`.
void replace_absorbing_quantize(Graph& g, Node* n, Node* q, const std::optional<QuantInfo>& y,
                                std::unordered_set<Node*>& removed);

/// Finishes lowering `n` (Conv or Gemm) to the integer node `q`: sets x_scale, x_zero_point,
/// w_scale and the output quantization `y` on `q`, then puts `q` in place of `n` (and of the
/// QuantizeLinear `y` came from); the removed nodes go into `removed`.
void replace_with_integer_op(Graph& g, Node* n, Node* q, const QuantInfo& x, const QuantWeights& w,
                             const std::optional<QuantInfo>& y, std::unordered_set<Node*>& removed);

/// The element type of output quantization `y` (f32 without one).
inline DType output_dtype(const std::optional<QuantInfo>& y) {
  return y ? y->dtype : DType::kFloat32;
}

}  // namespace trex
