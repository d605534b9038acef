// Integer quantization arithmetic shared by the QuantizeLinear/DequantizeLinear kernels and
// the trex int8 kernels (QConv, QGemm, QAdd): ONNX's round-half-to-even and saturation, and
// the per-tensor / per-axis parameter layout of Q/DQ nodes.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ir/dtype.h"
#include "ir/graph.h"
#include "runtime/tensor_view.h"
#include "util/error.h"

namespace trex {

/// The range of an 8-bit (or 32-bit) integer dtype.
inline float quant_min(DType t) {
  return t == DType::kUInt8 ? 0.0f : t == DType::kInt8 ? -128.0f : -2147483648.0f;
}
inline float quant_max(DType t) {
  return t == DType::kUInt8 ? 255.0f : t == DType::kInt8 ? 127.0f : 2147483520.0f;
}

/// round-half-to-even(v) + zp, saturated to [lo, hi] (ONNX QuantizeLinear after the division).
inline float quantize_value(float v, float zp, float lo, float hi) {
  return std::min(hi, std::max(lo, std::nearbyint(v) + zp));
}

/// Rounds to nearest, ties to even, for |v| < 2^22 without a call, so loops vectorize on any
/// x86-64: adding and removing 1.5 * 2^23 rounds in the FPU's default mode (compilers keep
/// the two operations apart unless -ffast-math, which trex does not use).
inline float round_half_even_small(float v) {
  constexpr float kMagic = 12582912.0f;
  return (v + kMagic) - kMagic;
}

/// How a Q/DQ parameter tensor spreads over the data: `outer` blocks of `channels` x `inner`
/// elements, the parameter indexed by the channel (per-tensor: channels = 1).
struct QuantAxis {
  int64_t outer = 1, channels = 1, inner = 1;
};

/// The layout of scale `scale` over data `x` with attribute `axis` (negative counts from
/// the back): per-tensor for a scalar or one-element scale, else per-axis, where the scale
/// must be 1-D with x's size along the axis. Throws kInvalidInput naming `label` otherwise.
inline QuantAxis quant_axis(const TensorView& x, const TensorView& scale, int64_t axis,
                            const std::string& label) {
  QuantAxis q;
  q.inner = x.numel();
  if (scale.numel() == 1 && scale.rank() <= 1) return q;
  const int64_t rank = static_cast<int64_t>(x.rank());
  if (axis < 0) axis += rank;
  if (scale.rank() != 1 || axis < 0 || axis >= rank || x.dims[axis] != scale.dims[0])
    throw_invalid(label + ": scale of shape " + Shape::from_static(scale.dims).to_string() +
                  " does not match axis " + std::to_string(axis) + " of input " +
                  Shape::from_static(x.dims).to_string());
  q.outer = 1;
  for (int64_t i = 0; i < axis; ++i) q.outer *= x.dims[i];
  q.channels = x.dims[axis];
  q.inner = 1;
  for (int64_t i = axis + 1; i < rank; ++i) q.inner *= x.dims[i];
  return q;
}

/// The output side of the trex int8 ops (attributes y_type, y_scale, y_zero_point; see
/// passes/qdq_lowering.h): f32, or uint8/int8 with a scale and zero point.
struct OutputQuantization {
  DType dtype = DType::kFloat32;
  float scale = 1.0f, zero_point = 0.0f;

  bool quantized() const { return dtype != DType::kFloat32; }

  /// Reads the attributes of `n`; throws kInvalidInput on an unknown y_type or a bad scale.
  static OutputQuantization read(const Node& n) {
    OutputQuantization q;
    const std::string type = n.attr_string("y_type", "float");
    if (type == "float") return q;
    if (type != "uint8" && type != "int8") throw_invalid("unknown y_type '" + type + "'");
    q.dtype = type == "uint8" ? DType::kUInt8 : DType::kInt8;
    q.scale = n.attr_float("y_scale", 0.0f);
    q.zero_point = static_cast<float>(n.attr_int("y_zero_point", 0));
    if (!(q.scale > 0.0f) || q.zero_point < quant_min(q.dtype) || q.zero_point > quant_max(q.dtype))
      throw_invalid("y_scale must be positive and y_zero_point within " +
                    std::string(dtype_name(q.dtype)));
    return q;
  }

  /// Writes real value `v` as element i of `out` (of this dtype): as is, or quantized.
  void store(void* out, int64_t i, float v) const {
    if (dtype == DType::kFloat32) {
      static_cast<float*>(out)[i] = v;
      return;
    }
    const float r = quantize_value(v / scale, zero_point, quant_min(dtype), quant_max(dtype));
    if (dtype == DType::kUInt8)
      static_cast<uint8_t*>(out)[i] = static_cast<uint8_t>(r);
    else
      static_cast<int8_t*>(out)[i] = static_cast<int8_t>(r);
  }
};

/// Element i of an 8-bit integer tensor `t` (uint8 or int8) as int32.
inline int32_t int8_at(const TensorView& t, int64_t i) {
  return t.dtype == DType::kUInt8 ? t.as<uint8_t>()[i] : t.as<int8_t>()[i];
}

}  // namespace trex
