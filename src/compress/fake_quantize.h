// Fake quantization for quantization-aware training: the forward pass rounds and clips as
// the INT8 model will (so training sees the quantization error), the backward pass lets
// gradients through inside the range (straight-through estimator) and trains the range
// itself (LSQ-style gradients). Parameters map one-to-one onto an ONNX QuantizeLinear /
// DequantizeLinear pair, so the trained quantizer exports exactly.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace trex::compress {

/// One quantizer's integer grid: values level_low..level_high (int8 -128..127, narrow-range
/// int8 weights -127..127, uint8 0..255).
struct QuantLevels {
  int32_t low = -128, high = 127;
  static QuantLevels int8() { return {-128, 127}; }
  static QuantLevels int8_narrow() { return {-127, 127}; }
  static QuantLevels uint8() { return {0, 255}; }
};

/// Symmetric: y = s * clamp(round(x / s), low, high), `scale` s > 0 broadcast against x
/// (one value, or one per channel shaped [C, 1, ...] for weights / [1, C, 1, 1] ...).
/// Gradients: dy/dx = 1 inside [s * low, s * high], 0 outside; dy/ds = round(x/s) - x/s
/// inside, the clipped level outside.
/// `grad_scale` multiplies the scale's gradient (see range_gradient_scale).
torch::Tensor fake_quantize_symmetric(const torch::Tensor& x, const torch::Tensor& scale,
                                      QuantLevels levels, double grad_scale = 1.0);

/// Asymmetric (uint8): the range [input_low, input_low + input_range] with input_range > 0;
/// the zero point round(-input_low / s) (s = input_range / (high - low)) is an integer
/// clipped to the grid, so 0.0 is exact, as in the exported QuantizeLinear. Gradients flow
/// to x (inside the range), input_low and input_range.
/// The gradient scales multiply the parameters' gradients.
torch::Tensor fake_quantize_asymmetric(const torch::Tensor& x, const torch::Tensor& input_low,
                                       const torch::Tensor& input_range, QuantLevels levels,
                                       double grad_scale_low = 1.0, double grad_scale_range = 1.0);

/// LSQ's step-size gradient scale 1 / sqrt(elements x level_high) for a range parameter
/// shared by `elements` values (per sample for activations): without it a scale's gradient
/// sums over thousands of elements and one SGD step at a weight learning rate moves the
/// range by a large fraction.
double range_gradient_scale(int64_t elements, QuantLevels levels);

}  // namespace trex::compress
