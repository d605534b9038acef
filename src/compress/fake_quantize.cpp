// Fake quantization with straight-through and trainable-range gradients (fake_quantize.h).
// Each quantizer is one fused autograd function: a forward and a backward pass over the
// tensor (instead of half a dozen libtorch ops each way), parameter arithmetic in plain
// C++ on the few per-channel values.
#include "compress/fake_quantize.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace trex::compress {

namespace {

/// Round half to even without a libm call (vectorizable on baseline x86-64): adding and
/// subtracting 1.5 * 2^23 rounds in the default rounding mode. Values beyond 2^22 are
/// clamped first; every quantizer clamps them to its grid anyway.
inline float round_half_even(float v) {
  constexpr float kMagic = 12582912.0f;  // 1.5 * 2^23
  constexpr float kLimit = 4194304.0f;   // 2^22
  v = std::min(std::max(v, -kLimit), kLimit);
  return (v + kMagic) - kMagic;
}

constexpr int kLanes = 16;
constexpr int64_t kTile = 256;

/// How a parameter (scale or zero point) broadcasts against x: x is [outer, C, inner] with
/// one parameter per C (C == 1: a single value).
struct Layout {
  int64_t outer = 1, channels = 1, inner = 1;
};

Layout layout_of(const torch::Tensor& x, const torch::Tensor& p) {
  Layout l;
  if (p.numel() == 1) {
    l.inner = x.numel();
    return l;
  }
  TORCH_CHECK(p.dim() == x.dim(), "fake quantizer: parameter rank differs from the input's");
  int axis = -1;
  for (int64_t d = 0; d < p.dim(); ++d)
    if (p.size(d) != 1) {
      TORCH_CHECK(axis < 0 && p.size(d) == x.size(d),
                  "fake quantizer: parameters must vary along one axis of the input");
      axis = static_cast<int>(d);
    }
  for (int64_t d = 0; d < axis; ++d) l.outer *= x.size(d);
  l.channels = x.size(axis);
  for (int64_t d = axis + 1; d < x.dim(); ++d) l.inner *= x.size(d);
  return l;
}

/// Per-channel (s, z) of a quantizer from its trained parameters: symmetric a = scale
/// (s = max(|a|, 1e-12), z = 0); asymmetric a = input_low, b = input_range (s = max(|b|,
/// 1e-12) / levels, z = clamp(round(-a / s) + low, low, high)).
struct Params {
  std::vector<float> s, z;
  std::vector<bool> z_inside;  ///< asymmetric: the zero point was not clipped
};

Params params_of(bool asymmetric, const torch::Tensor& a, const torch::Tensor& b, float lo,
                 float hi) {
  const int64_t n = a.numel();
  Params p;
  p.s.resize(static_cast<size_t>(n));
  p.z.assign(static_cast<size_t>(n), 0.0f);
  p.z_inside.assign(static_cast<size_t>(n), false);
  const float* ap = a.data_ptr<float>();
  for (int64_t c = 0; c < n; ++c) {
    if (!asymmetric) {
      p.s[c] = std::max(std::fabs(ap[c]), 1e-12f);
      continue;
    }
    p.s[c] = std::max(std::fabs(b.data_ptr<float>()[c]), 1e-12f) / (hi - lo);
    const float zr = std::nearbyint(-ap[c] / p.s[c]) + lo;
    p.z[c] = std::min(std::max(zr, lo), hi);
    p.z_inside[c] = zr >= lo && zr <= hi;
  }
  return p;
}

/// A fake quantizer as one autograd function: y = (clamp(round(x / s) + z, low, high) - z)
/// * s per channel, with (s, z) from the trained parameters. Gradients (straight-through):
/// inside the grid dy/dx = 1, dy/ds = round(x/s) - x/s, dy/dz = 0; clipped to level L:
/// dy/dx = 0, dy/ds = L - z, dy/dz = -s; then through (s, z) to the parameters (the zero
/// point's round straight-through), times the caller's gradient scales. One pass over x
/// forward and one backward, per-channel sums in a fixed order (any thread count gives the
/// same result); the per-parameter arithmetic costs no libtorch ops.
class FakeQuantizeFn : public torch::autograd::Function<FakeQuantizeFn> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x,
                               torch::Tensor a, torch::Tensor b, bool asymmetric, int64_t low,
                               int64_t high, double grad_scale_a, double grad_scale_b) {
    x = x.contiguous();
    a = a.contiguous();
    b = asymmetric ? b.contiguous() : a;
    TORCH_CHECK(x.scalar_type() == torch::kFloat32 && a.scalar_type() == torch::kFloat32 &&
                    b.scalar_type() == torch::kFloat32,
                "fake quantizer: float32 tensors expected");
    TORCH_CHECK(b.numel() == a.numel(), "fake quantizer: parameter sizes differ");
    const Layout l = layout_of(x, a);
    const float lo = static_cast<float>(low), hi = static_cast<float>(high);
    const Params p = params_of(asymmetric, a, b, lo, hi);
    torch::Tensor y = torch::empty_like(x);
    const float* xp = x.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    const int64_t blocks = l.outer * l.channels;
    at::parallel_for(0, blocks, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, l.inner)),
                     [&](int64_t b0, int64_t b1) {
                       for (int64_t blk = b0; blk < b1; ++blk) {
                         const size_t c = static_cast<size_t>(blk % l.channels);
                         const float sc = p.s[c], zc = p.z[c];
                         const float* xb = xp + blk * l.inner;
                         float* yb = yp + blk * l.inner;
                         for (int64_t i = 0; i < l.inner; ++i) {
                           const float q =
                               std::min(std::max(round_half_even(xb[i] / sc) + zc, lo), hi);
                           yb[i] = (q - zc) * sc;
                         }
                       }
                     });
    ctx->save_for_backward({x, a, b});
    ctx->saved_data["asymmetric"] = asymmetric;
    ctx->saved_data["low"] = low;
    ctx->saved_data["high"] = high;
    ctx->saved_data["grad_scale_a"] = grad_scale_a;
    ctx->saved_data["grad_scale_b"] = grad_scale_b;
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &a = saved[1], &b = saved[2];
    const bool asymmetric = ctx->saved_data["asymmetric"].toBool();
    const float lo = static_cast<float>(ctx->saved_data["low"].toInt());
    const float hi = static_cast<float>(ctx->saved_data["high"].toInt());
    torch::Tensor g = grads[0].contiguous();
    const Layout l = layout_of(x, a);
    const Params p = params_of(asymmetric, a, b, lo, hi);
    torch::Tensor gx = torch::empty_like(x);
    const float* xp = x.data_ptr<float>();
    const float* gp = g.data_ptr<float>();
    float* gxp = gx.data_ptr<float>();
    // Partial sums per unit: a block of `inner` values, or a chunk of one long run when
    // there is a single channel.
    const int64_t chunk = l.channels == 1 ? 32768 : l.inner;
    const int64_t per_block = l.channels == 1 ? (l.inner + chunk - 1) / chunk : 1;
    const int64_t units = l.outer * l.channels * per_block;
    std::vector<double> ds(static_cast<size_t>(units)), dz(static_cast<size_t>(units));
    at::parallel_for(0, units, 1, [&](int64_t u0, int64_t u1) {
      for (int64_t u = u0; u < u1; ++u) {
        const int64_t blk = u / per_block, part = u % per_block;
        const size_t c = static_cast<size_t>(blk % l.channels);
        const int64_t begin = blk * l.inner + part * chunk;
        const int64_t end = std::min(blk * l.inner + l.inner, begin + chunk);
        const float sc = p.s[c], zc = p.z[c];
        // Tiles: per-element terms first (a branch-free, vectorizable loop), then summed
        // into kLanes partial sums in a fixed order (deterministic).
        float acc_s[kLanes] = {}, acc_z[kLanes] = {};
        float ts[kTile], tz[kTile];
        for (int64_t t0 = begin; t0 < end; t0 += kTile) {
          const int64_t m = std::min<int64_t>(kTile, end - t0);
          for (int64_t k = 0; k < m; ++k) {
            const int64_t i = t0 + k;
            const float v = xp[i] / sc;
            const float r = round_half_even(v);
            const float q = r + zc;
            const bool inside = (q >= lo) & (q <= hi);
            const float level = q < lo ? lo : hi;
            const float g = gp[i];
            gxp[i] = inside ? g : 0.0f;
            ts[k] = g * (inside ? r - v : level - zc);
            tz[k] = inside ? 0.0f : g * sc;
          }
          const int64_t padded = (m + kLanes - 1) / kLanes * kLanes;
          for (int64_t k = m; k < padded; ++k) ts[k] = tz[k] = 0.0f;
          for (int64_t k = 0; k < padded; k += kLanes)
            for (int j = 0; j < kLanes; ++j) {
              acc_s[j] += ts[k + j];
              acc_z[j] -= tz[k + j];
            }
        }
        double sum_s = 0, sum_z = 0;
        for (int j = 0; j < kLanes; ++j) sum_s += acc_s[j], sum_z += acc_z[j];
        ds[static_cast<size_t>(u)] = sum_s;
        dz[static_cast<size_t>(u)] = sum_z;
      }
    });
    std::vector<double> sum_s(static_cast<size_t>(l.channels)), sum_z(sum_s.size());
    for (int64_t u = 0; u < units; ++u) {
      const size_t c = static_cast<size_t>((u / per_block) % l.channels);
      sum_s[c] += ds[static_cast<size_t>(u)];
      sum_z[c] += dz[static_cast<size_t>(u)];
    }
    // Through (s, z) to the parameters.
    const double ga = ctx->saved_data["grad_scale_a"].toDouble();
    const double gb = ctx->saved_data["grad_scale_b"].toDouble();
    torch::Tensor grad_a = torch::zeros_like(a), grad_b = torch::zeros_like(b);
    const float* ap = a.data_ptr<float>();
    const float* bp = b.data_ptr<float>();
    for (int64_t c = 0; c < l.channels; ++c) {
      const size_t k = static_cast<size_t>(c);
      if (!asymmetric) {
        // s = max(|a|, 1e-12)
        const double sign = std::fabs(ap[c]) > 1e-12f ? (ap[c] < 0 ? -1.0 : 1.0) : 0.0;
        grad_a.data_ptr<float>()[c] = static_cast<float>(sum_s[k] * sign * ga);
        continue;
      }
      // z = round(-a / s) + low (straight-through, when not clipped): dz/da = -1/s,
      // dz/ds = a / s^2; s = max(|b|, 1e-12) / levels: ds/db = sign(b) / levels.
      const double sc = p.s[k];
      const double dz_total = p.z_inside[k] ? sum_z[k] : 0.0;
      const double ds_total = sum_s[k] + dz_total * ap[c] / (sc * sc);
      const double sign = std::fabs(bp[c]) > 1e-12f ? (bp[c] < 0 ? -1.0 : 1.0) : 0.0;
      grad_a.data_ptr<float>()[c] = static_cast<float>(-dz_total / sc * ga);
      grad_b.data_ptr<float>()[c] = static_cast<float>(ds_total * sign / (hi - lo) * gb);
    }
    if (!asymmetric) grad_b = torch::Tensor();
    return {gx,
            grad_a,
            grad_b,
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor()};
  }
};

}  // namespace

torch::Tensor fake_quantize_symmetric(const torch::Tensor& x, const torch::Tensor& scale,
                                      QuantLevels levels, double grad_scale) {
  return FakeQuantizeFn::apply(x, scale, scale, false, levels.low, levels.high, grad_scale, 1.0);
}

torch::Tensor fake_quantize_asymmetric(const torch::Tensor& x, const torch::Tensor& input_low,
                                       const torch::Tensor& input_range, QuantLevels levels,
                                       double grad_scale_low, double grad_scale_range) {
  return FakeQuantizeFn::apply(x, input_low, input_range, true, levels.low, levels.high,
                               grad_scale_low, grad_scale_range);
}

double range_gradient_scale(int64_t elements, QuantLevels levels) {
  const double n = static_cast<double>(std::max<int64_t>(1, elements));
  return 1.0 / std::sqrt(n * std::max(1, levels.high));
}

}  // namespace trex::compress
