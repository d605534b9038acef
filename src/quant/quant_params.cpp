// Quantizer parameters (see quant_params.h).
#include "quant/quant_params.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace trex::quant {

namespace {

// A constant (all-zero) activation still needs a positive scale.
constexpr float kMinScale = 1e-8f;

}  // namespace

ActivationParams make_activation_params(Range r, bool symmetric, bool is_unsigned, int bits) {
  TREX_ASSERT(bits >= 2 && bits <= 8);
  ActivationParams p;
  p.range = r;
  p.bits = bits;
  p.symmetric = symmetric;
  if (symmetric) {
    p.is_unsigned = is_unsigned;
    float top = is_unsigned ? std::max(r.hi, 0.0f) : std::max(std::fabs(r.lo), std::fabs(r.hi));
    p.scale = std::max(kMinScale, top / static_cast<float>(p.level_high()));
    p.zero_point = 0;
    return p;
  }
  p.is_unsigned = true;
  float lo = std::min(r.lo, 0.0f), hi = std::max(r.hi, 0.0f);
  const float levels = static_cast<float>(p.level_high());
  p.scale = std::max(kMinScale, (hi - lo) / levels);
  p.zero_point = static_cast<int32_t>(std::clamp(std::nearbyint(-lo / p.scale), 0.0f, levels));
  return p;
}

int32_t quantize_value(float x, const ActivationParams& p) {
  float q = std::nearbyint(x / p.scale) + static_cast<float>(p.zero_point);  // ties to even
  return static_cast<int32_t>(
      std::clamp(q, static_cast<float>(p.level_low()), static_cast<float>(p.level_high())));
}

float fake_quantize(float x, const ActivationParams& p) {
  return static_cast<float>(quantize_value(x, p) - p.zero_point) * p.scale;
}

std::vector<float> channel_max_abs(const Tensor& w, int axis) {
  TREX_ASSERT(w.dtype() == DType::kFloat32 && axis >= 0 && static_cast<size_t>(axis) < w.rank());
  const auto& d = w.dims();
  int64_t channels = d[static_cast<size_t>(axis)], inner = 1;
  for (size_t i = static_cast<size_t>(axis) + 1; i < d.size(); ++i) inner *= d[i];
  const float* x = w.data<float>();
  std::vector<float> absmax(static_cast<size_t>(channels), 0.0f);
  for (int64_t k = 0; k < w.numel(); ++k) {
    float& m = absmax[static_cast<size_t>((k / inner) % channels)];
    m = std::max(m, std::fabs(x[k]));
  }
  return absmax;
}

Tensor round_weight(const Tensor& w, int axis, const std::vector<float>& scales, int max_level) {
  TREX_ASSERT(w.dtype() == DType::kFloat32 && axis >= 0 && static_cast<size_t>(axis) < w.rank());
  const auto& d = w.dims();
  int64_t channels = d[static_cast<size_t>(axis)], inner = 1;
  TREX_ASSERT(static_cast<size_t>(channels) == scales.size());
  for (size_t i = static_cast<size_t>(axis) + 1; i < d.size(); ++i) inner *= d[i];
  const float* x = w.data<float>();
  Tensor values(DType::kInt8, d);
  int8_t* out = values.mutable_data<int8_t>();
  const float lim = static_cast<float>(max_level);
  for (int64_t k = 0; k < w.numel(); ++k)
    out[k] = static_cast<int8_t>(std::clamp(
        std::nearbyint(x[k] / scales[static_cast<size_t>((k / inner) % channels)]), -lim, lim));
  return values;
}

QuantizedWeight quantize_weight(const Tensor& w, int axis, int max_level, bool per_channel) {
  QuantizedWeight q;
  q.axis = axis;
  q.max_level = max_level;
  q.per_channel = per_channel;
  std::vector<float> absmax = channel_max_abs(w, axis);
  if (!per_channel && !absmax.empty())
    absmax.assign(absmax.size(), *std::max_element(absmax.begin(), absmax.end()));
  q.scales.resize(absmax.size());
  for (size_t c = 0; c < absmax.size(); ++c)
    q.scales[c] = absmax[c] > 0 ? absmax[c] / static_cast<float>(max_level) : 1.0f;
  q.values = round_weight(w, axis, q.scales, max_level);
  return q;
}

Tensor dequantize_weight(const QuantizedWeight& q) {
  const auto& d = q.values.dims();
  int64_t channels = d[static_cast<size_t>(q.axis)], inner = 1, outer = 1;
  for (size_t i = static_cast<size_t>(q.axis) + 1; i < d.size(); ++i) inner *= d[i];
  for (size_t i = 0; i < static_cast<size_t>(q.axis); ++i) outer *= d[i];
  Tensor w(DType::kFloat32, d);
  float* out = w.mutable_data<float>();
  const int8_t* in = q.values.data<int8_t>();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t k = (o * channels + c) * inner + i;
        out[k] = static_cast<float>(in[k]) * q.scales[c];
      }
  return w;
}

}  // namespace trex::quant
