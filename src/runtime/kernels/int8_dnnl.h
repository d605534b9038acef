// What the oneDNN int8 kernels (qconv_dnnl.cpp, qgemm_dnnl.cpp) share: data types, and the
// epilogue that turns the s32 accumulator into the op's output. oneDNN 2.x computes
//   dst = saturate(round(post_ops(output_scale[c] * (acc_s32 + bias[c]))))
// (round to nearest even), so the real value is x_scale * w_scale[c] * (acc + bias) and the
// requantization to y_scale / y_zero_point is folded into the scales or a linear post-op.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <unordered_map>
#include <vector>

#include "ir/tensor.h"
#include "runtime/kernels/activation.h"
#include "runtime/kernels/quantize.h"
#include "runtime/tensor_view.h"

namespace trex {

inline dnnl::memory::data_type dnnl_type(DType t) {
  using dt = dnnl::memory::data_type;
  switch (t) {
    case DType::kUInt8:
      return dt::u8;
    case DType::kInt8:
      return dt::s8;
    case DType::kInt32:
      return dt::s32;
    default:
      return dt::f32;
  }
}

/// Output scales (one per output channel) and post-ops of an int8 primitive.
struct Int8Epilogue {
  std::vector<float> scales;

  Int8Epilogue(float x_scale, const std::vector<float>& w_scale, const Activation& act,
               const OutputQuantization& out)
      : act_(act), out_(out) {
    // Activations that commute with a positive scale run on the already requantized value
    // (1 / y_scale folded into the output scales); the others run on real values, then a
    // linear post-op requantizes. The zero point is added last, before the rounding.
    const float fold = out.quantized() && homogeneous() ? 1.0f / out.scale : 1.0f;
    for (float s : w_scale) scales.push_back(x_scale * s * fold);
    fold_ = fold;
  }

  /// The post-ops; with `partial`, they first add that f32 tensor (the same primitive's
  /// scaled result for the other half of split weights, see split_weights_for_pairs).
  dnnl::post_ops ops(const dnnl::memory::desc* partial = nullptr) const {
    using K = Activation::Kind;
    dnnl::post_ops ops;
    if (partial) ops.append_binary(dnnl::algorithm::binary_add, *partial);
    if (act_.kind == K::kHardSigmoid && act_.a > 0 && out_.quantized()) {
      // clip(a x + b, 0, 1) = a clip(x, -b/a, (1-b)/a) + b, and the affine part merges with
      // the requantization: two post-ops instead of three (oneDNN 2.6's brgconv_1x1 int8
      // gives wrong results for the linear -> clip -> linear chain).
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip_v2, -act_.b / act_.a,
                         (1.0f - act_.b) / act_.a);
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, act_.a / out_.scale,
                         act_.b / out_.scale + out_.zero_point);
      return ops;
    }
    Activation scaled = act_;
    if (scaled.kind == K::kClip) {
      scaled.a *= fold_;
      scaled.b *= fold_;
    }
    scaled.append_to(ops);
    if (out_.quantized() && !homogeneous())
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f / out_.scale, out_.zero_point);
    else if (out_.quantized() && out_.zero_point != 0.0f)
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f, out_.zero_point);
    return ops;
  }

 private:
  bool homogeneous() const {
    using K = Activation::Kind;
    return act_.kind == K::kNone || act_.kind == K::kRelu || act_.kind == K::kLeakyRelu ||
           act_.kind == K::kClip;
  }

  Activation act_;
  OutputQuantization out_;
  float fold_ = 1.0f;
};

/// True when oneDNN's int8 kernels on this CPU add u8 x s8 products in pairs into a
/// saturating 16-bit sum before widening (no VNNI: SSE4.1, AVX2, AVX-512 without VNNI), so
/// two weights of the same sign whose magnitudes add past 128 can overflow it: 255 * (64 + 65)
/// > 32767. oneDNN leaves this to the caller for u8 sources. Follows ONEDNN_MAX_CPU_ISA.
bool int8_pairs_saturate();

/// On such CPUs, splits s8 weights into hi + lo = w with both halves within [-64, 64]
/// (255 * 64 * 2 = 32640 fits), so two primitives whose scaled results add up compute the
/// exact product. Returns false, leaving hi and lo alone, when the CPU has VNNI or every
/// |w| <= 64 already (weights quantized with the overflow fix).
bool split_weights_for_pairs(const Tensor& w, Tensor& hi, Tensor& lo);

/// dst[i] = src[i] + 128 as u8 (the sign bit flipped): s8 activations for a u8 primitive
/// with the zero point raised by 128, on CPUs where oneDNN would halve the weights of
/// s8 x s8 products to keep the pairs from saturating.
void flip_sign_bit(const int8_t* src, int64_t n, uint8_t* dst);

/// The activations an int8 primitive reads: `x`'s data, or, with `flip`, its sign-flipped
/// copy in `scratch`.
void* int8_source(const TensorView& x, bool flip, std::vector<uint8_t>& scratch);

/// Split weights: runs `first` (the high half, `weights_hi`) on `args` into `partial`, then
/// points the low half's leading binary post-op at `partial` and drops the bias from `args`
/// (the high half added it).
void run_high_half(const dnnl::primitive& first, const dnnl::memory& weights_hi,
                   const dnnl::memory& partial, std::unordered_map<int, dnnl::memory>& args);

}  // namespace trex
