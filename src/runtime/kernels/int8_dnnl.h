// What the oneDNN int8 kernels (qconv_dnnl.cpp, qgemm_dnnl.cpp) share: data types, and the
// epilogue that turns the s32 accumulator into the op's output. oneDNN 2.x computes
//   dst = saturate(round(post_ops(output_scale[c] * (acc_s32 + bias[c]))))
// (round to nearest even), so the real value is x_scale * w_scale[c] * (acc + bias) and the
// requantization to y_scale / y_zero_point is folded into the scales or a linear post-op.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <vector>

#include "runtime/kernels/activation.h"
#include "runtime/kernels/quantize.h"

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
  dnnl::post_ops ops;

  Int8Epilogue(float x_scale, const std::vector<float>& w_scale, const Activation& act,
               const OutputQuantization& out) {
    // Activations that commute with a positive scale run on the already requantized value
    // (1 / y_scale folded into the output scales); the others run on real values, then a
    // linear post-op requantizes. The zero point is added last, before the rounding.
    using K = Activation::Kind;
    const bool homogeneous = act.kind == K::kNone || act.kind == K::kRelu ||
                             act.kind == K::kLeakyRelu || act.kind == K::kClip;
    const float fold = out.quantized() && homogeneous ? 1.0f / out.scale : 1.0f;
    for (float s : w_scale) scales.push_back(x_scale * s * fold);
    Activation scaled = act;
    if (scaled.kind == K::kClip) {
      scaled.a *= fold;
      scaled.b *= fold;
    }
    if (act.kind == K::kHardSigmoid && act.a > 0 && out.quantized()) {
      // clip(a x + b, 0, 1) = a clip(x, -b/a, (1-b)/a) + b, and the affine part merges with
      // the requantization: two post-ops instead of three (oneDNN 2.6's brgconv_1x1 int8
      // gives wrong results for the linear -> clip -> linear chain).
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip_v2, -act.b / act.a,
                         (1.0f - act.b) / act.a);
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, act.a / out.scale,
                         act.b / out.scale + out.zero_point);
      return;
    }
    scaled.append_to(ops);
    if (out.quantized() && !homogeneous)
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f / out.scale, out.zero_point);
    else if (out.quantized() && out.zero_point != 0.0f)
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f, out.zero_point);
  }
};

}  // namespace trex
