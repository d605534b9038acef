// Fake quantization with straight-through and trainable-range gradients (fake_quantize.h).
// Written with autograd-visible ops: round_ste(t) = t + (round(t) - t).detach() has value
// round(t) and gradient 1, and clamp passes gradients only inside its bounds, which gives the
// estimator the header describes without a custom backward.
#include "compress/fake_quantize.h"

namespace trex::compress {

namespace {

/// Value round-half-to-even (as QuantizeLinear), gradient one.
torch::Tensor round_ste(const torch::Tensor& t) {
  return t + (torch::round(t) - t).detach();
}

}  // namespace

torch::Tensor fake_quantize_symmetric(const torch::Tensor& x, const torch::Tensor& scale,
                                      QuantLevels levels) {
  // A scale trained to (or initialized at) zero would divide by zero: keep it positive.
  torch::Tensor s = scale.abs().clamp_min(1e-12);
  torch::Tensor q = torch::clamp(round_ste(x / s), levels.low, levels.high);
  return q * s;
}

AffineParams asymmetric_params(const torch::Tensor& input_low, const torch::Tensor& input_range,
                               QuantLevels levels) {
  torch::Tensor s = input_range.abs().clamp_min(1e-12) / (levels.high - levels.low);
  torch::Tensor z = torch::clamp(round_ste(-input_low / s) + levels.low, levels.low, levels.high);
  return {s, z};
}

torch::Tensor fake_quantize_asymmetric(const torch::Tensor& x, const torch::Tensor& input_low,
                                       const torch::Tensor& input_range, QuantLevels levels) {
  AffineParams p = asymmetric_params(input_low, input_range, levels);
  torch::Tensor q = torch::clamp(round_ste(x / p.scale) + p.zero_point, levels.low, levels.high);
  return (q - p.zero_point) * p.scale;
}

}  // namespace trex::compress
