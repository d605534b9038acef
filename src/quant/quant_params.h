// From ranges to quantizer parameters: activation scale / zero point / signedness, and
// per-channel symmetric narrow-range weight quantization.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/tensor.h"
#include "quant/range_estimator.h"

namespace trex::quant {

/// A per-tensor activation quantizer: uint8 or int8 with `zero_point`, on the grid of `bits`
/// bits (8: the whole type; fewer: a sub-range of it, see level_low / level_high).
struct ActivationParams {
  float scale = 1;
  int32_t zero_point = 0;
  bool is_unsigned = true;
  Range range;  ///< the range it was made from
  int bits = 8;
  bool symmetric = true;  ///< zero point 0 (int8, or uint8 for non-negative data)

  /// The integer grid: [0, 2^bits - 1] unsigned, [-2^(bits-1), 2^(bits-1) - 1] signed.
  int32_t level_low() const { return is_unsigned ? 0 : -(1 << (bits - 1)); }
  int32_t level_high() const { return is_unsigned ? (1 << bits) - 1 : (1 << (bits - 1)) - 1; }
};

/// Symmetric: zero point 0, uint8 for non-negative data (`is_unsigned`: negative values
/// clip to 0), else int8 with scale max|x| / (2^(bits-1) - 1). Asymmetric: uint8 over
/// [min(lo, 0), max(hi, 0)] with zero exactly representable. `bits` 2-8.
ActivationParams make_activation_params(Range r, bool symmetric, bool is_unsigned, int bits = 8);

/// A quantized weight: int8 values in [-max_level, max_level] and one scale per channel
/// along `axis` (value = q * scale). A per-tensor weight (`per_channel` false) has all
/// scales equal until a per-channel factor (a folded BatchNorm) is applied to them.
struct QuantizedWeight {
  Tensor values;  ///< int8, the weight's shape
  std::vector<float> scales;
  int axis = 0;
  int max_level = 127;
  bool per_channel = true;
};

/// The largest |w| of each channel along `axis` (f32 `w`).
std::vector<float> channel_max_abs(const Tensor& w, int axis);
/// int8 values round(w / scale of the channel), clamped to [-max_level, max_level].
Tensor round_weight(const Tensor& w, int axis, const std::vector<float>& scales, int max_level);

/// Symmetric quantization with scale = max|w| / max_level (127, or 63 for the overflow fix)
/// per channel along `axis`, or over the whole tensor when not `per_channel`. `w` is f32.
QuantizedWeight quantize_weight(const Tensor& w, int axis, int max_level, bool per_channel = true);

/// The float weight the quantized one stands for.
Tensor dequantize_weight(const QuantizedWeight& q);

/// ONNX QuantizeLinear of one value (round half to even, saturate to the grid).
int32_t quantize_value(float x, const ActivationParams& p);
/// QuantizeLinear then DequantizeLinear.
float fake_quantize(float x, const ActivationParams& p);

}  // namespace trex::quant
