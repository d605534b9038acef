// Optimized trex.QAdd: one fused multiply-add per element in float with the requantization
// folded into two factors and an offset, clamped and rounded (ties to even) without calls so
// the loop vectorizes; OpenMP splits it. Inputs and output may be plain or channels-last;
// an input in the other layout is converted first. Registered with the optimized kernels.
// The loops are multi-versioned (simd_clones.h): AVX2/AVX-512 where the CPU has them.
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/int8_layout.h"
#include "runtime/kernels/quantize.h"
#include "runtime/kernels/simd_clones.h"

namespace trex {

namespace {

/// y = saturate(round_half_even(a * ka + b * kb + offset)) clamped to [lo, hi].
template <typename TA, typename TB, typename TO>
TREX_SIMD_CLONES void add_requantize(const TA* a, const TB* b, TO* y, int64_t n, float ka, float kb,
                                     float offset, float lo, float hi) {
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    float v = static_cast<float>(a[i]) * ka + static_cast<float>(b[i]) * kb + offset;
    v = v < lo ? lo : v;  // selects, not std::min/max calls, so the loop if-converts
    v = v > hi ? hi : v;
    y[i] = static_cast<TO>(static_cast<int32_t>(round_half_even_small(v)));
  }
}

/// y = (a - a_zero) * a_scale + (b - b_zero) * b_scale, negatives to 0 with `relu`.
template <typename TA, typename TB>
TREX_SIMD_CLONES void add_dequantize(const TA* a, const TB* b, float* y, int64_t n, float a_scale,
                                     float a_zero, float b_scale, float b_zero, bool relu) {
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    float v = (static_cast<float>(a[i]) - a_zero) * a_scale +
              (static_cast<float>(b[i]) - b_zero) * b_scale;
    y[i] = relu && v < 0.0f ? 0.0f : v;
  }
}

class QAddVec : public OpKernel {
 public:
  explicit QAddVec(const KernelInit& init)
      : a_scale_(init.node->attr_float("a_scale", 0.0f)),
        b_scale_(init.node->attr_float("b_scale", 0.0f)),
        a_zero_(static_cast<float>(init.node->attr_int("a_zero_point", 0))),
        b_zero_(static_cast<float>(init.node->attr_int("b_zero_point", 0))),
        relu_(init.node->attr_string("activation", "") == "Relu"),
        out_(OutputQuantization::read(*init.node)) {}

  void compute(KernelContext& ctx) override {
    const TensorView& a = *ctx.input(0);
    const TensorView& b = *ctx.input(1);
    auto int8 = [](const TensorView& t) {
      return t.dtype == DType::kUInt8 || t.dtype == DType::kInt8;
    };
    if (!int8(a) || !int8(b) || a.dims != b.dims)
      throw_invalid(ctx.node_label() + ": A and B must be uint8/int8 of one shape");
    const bool cl = ctx.output_channels_last(0);
    TensorView& y = ctx.output(0, out_.dtype, a.dims);
    std::vector<uint8_t> a_tmp, b_tmp;
    const void* ap = int8_in_layout(a, cl, a_tmp);
    const void* bp = int8_in_layout(b, cl, b_tmp);
    auto with_b = [&](const auto* av) {
      if (b.dtype == DType::kUInt8)
        with_out(av, static_cast<const uint8_t*>(bp), y, a.numel());
      else
        with_out(av, static_cast<const int8_t*>(bp), y, a.numel());
    };
    if (a.dtype == DType::kUInt8)
      with_b(static_cast<const uint8_t*>(ap));
    else
      with_b(static_cast<const int8_t*>(ap));
  }

  bool accepts_channels_last(size_t input) const override { return input < 2; }
  bool produces_channels_last() const override { return true; }

 private:
  template <typename TA, typename TB>
  void with_out(const TA* a, const TB* b, TensorView& y, int64_t n) const {
    if (out_.dtype == DType::kUInt8)
      run(a, b, y.as<uint8_t>(), n);
    else if (out_.dtype == DType::kInt8)
      run(a, b, y.as<int8_t>(), n);
    else
      run_float(a, b, y.as<float>(), n);
  }

  template <typename TA, typename TB, typename TO>
  void run(const TA* a, const TB* b, TO* y, int64_t n) const {
    // y = a_scale/y_scale (a - a_zp) + b_scale/y_scale (b - b_zp) + y_zp, Relu as y >= y_zp.
    const float ka = a_scale_ / out_.scale, kb = b_scale_ / out_.scale;
    const float offset = out_.zero_point - a_zero_ * ka - b_zero_ * kb;
    const float lo =
        relu_ ? std::max(out_.zero_point, quant_min(out_.dtype)) : quant_min(out_.dtype);
    const float hi = quant_max(out_.dtype);
    add_requantize(a, b, y, n, ka, kb, offset, lo, hi);
  }

  template <typename TA, typename TB>
  void run_float(const TA* a, const TB* b, float* y, int64_t n) const {
    add_dequantize(a, b, y, n, a_scale_, a_zero_, b_scale_, b_zero_, relu_);
  }

  float a_scale_, b_scale_, a_zero_, b_zero_;
  bool relu_;
  OutputQuantization out_;
};

}  // namespace

std::unique_ptr<OpKernel> create_qadd_vec(const KernelInit& init) {
  return std::make_unique<QAddVec>(init);
}

}  // namespace trex
