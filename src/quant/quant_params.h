// From ranges to quantizer parameters: activation scale / zero point / signedness, and
// per-channel symmetric narrow-range weight quantization.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/tensor.h"
#include "quant/range_estimator.h"

namespace trex::quant {

/// An 8-bit per-tensor activation quantizer: uint8 or int8 with `zero_point`.
struct ActivationParams {
  float scale = 1;
  int32_t zero_point = 0;
  bool is_unsigned = true;
  Range range;  ///< the range it was made from
};

/// Symmetric: zero point 0, uint8 for non-negative data (`is_unsigned`), else int8 with
/// scale max|x| / 127. Asymmetric: uint8 over [min(lo, 0), max(hi, 0)] with zero exactly
/// representable.
ActivationParams make_activation_params(Range r, bool symmetric, bool is_unsigned);

/// A quantized weight: int8 values in [-max_level, max_level] and one scale per channel
/// along `axis` (value = q * scale).
struct QuantizedWeight {
  Tensor values;  ///< int8, the weight's shape
  std::vector<float> scales;
  int axis = 0;
  int max_level = 127;
};

/// The largest |w| of each channel along `axis` (f32 `w`).
std::vector<float> channel_max_abs(const Tensor& w, int axis);
/// int8 values round(w / scale of the channel), clamped to [-max_level, max_level].
Tensor round_weight(const Tensor& w, int axis, const std::vector<float>& scales, int max_level);

/// Per-channel symmetric quantization with scale = max|w| / max_level (127, or 63 for the
/// overflow fix). `w` is f32.
QuantizedWeight quantize_weight(const Tensor& w, int axis, int max_level);

/// The float weight the quantized one stands for.
Tensor dequantize_weight(const QuantizedWeight& q);

/// ONNX QuantizeLinear of one value (round half to even, saturate).
int32_t quantize_value(float x, const ActivationParams& p);
/// QuantizeLinear then DequantizeLinear.
float fake_quantize(float x, const ActivationParams& p);

}  // namespace trex::quant
