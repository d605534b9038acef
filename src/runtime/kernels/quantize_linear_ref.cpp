// Reference QuantizeLinear (opsets 10-19): y = saturate(round_half_even(x / scale) + zero_point),
// per tensor or per axis, to uint8 (the default without a zero point) or int8. x is f32 or
// i32; scale is f32.
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/quantize.h"
#include "runtime/kernels/reference_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

class QuantizeLinearRef : public OpKernel {
 public:
  explicit QuantizeLinearRef(const KernelInit& init) : axis_(init.node->attr_int("axis", 1)) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView* x = ctx.input(0);
    const TensorView* scale = ctx.input(1);
    const TensorView* zp = ctx.input(2);
    if (!x || !scale) throw_invalid(label + ": needs inputs x and y_scale");
    if (x->dtype != DType::kFloat32 && x->dtype != DType::kInt32)
      throw_unsupported(label + ": x must be f32 or i32, not " + dtype_name(x->dtype));
    if (scale->dtype != DType::kFloat32)
      throw_unsupported(label + ": y_scale must be f32, not " + dtype_name(scale->dtype));
    const DType out = zp ? zp->dtype : DType::kUInt8;
    if (out != DType::kUInt8 && out != DType::kInt8)
      throw_unsupported(label + ": y_zero_point must be uint8 or int8, not " + dtype_name(out));
    if (zp && zp->numel() != scale->numel())
      throw_invalid(label + ": y_zero_point and y_scale differ in size");
    const QuantAxis q = quant_axis(*x, *scale, axis_, label);
    TensorView& y = ctx.output(0, out, x->dims);
    const float* s = scale->as<float>();
    const float lo = quant_min(out), hi = quant_max(out);
    auto zero = [&](int64_t c) -> float {
      if (!zp) return 0.0f;
      return out == DType::kUInt8 ? zp->as<uint8_t>()[c] : zp->as<int8_t>()[c];
    };
    for (int64_t o = 0; o < q.outer; ++o)
      for (int64_t c = 0; c < q.channels; ++c) {
        const float sc = s[c], z = zero(c);
        const int64_t base = (o * q.channels + c) * q.inner;
        for (int64_t i = base; i < base + q.inner; ++i) {
          const float v = x->dtype == DType::kFloat32 ? x->as<float>()[i]
                                                      : static_cast<float>(x->as<int32_t>()[i]);
          const float r = quantize_value(v / sc, z, lo, hi);
          if (out == DType::kUInt8)
            y.as<uint8_t>()[i] = static_cast<uint8_t>(r);
          else
            y.as<int8_t>()[i] = static_cast<int8_t>(r);
        }
      }
  }

 private:
  int64_t axis_;
};

}  // namespace

std::unique_ptr<OpKernel> create_quantize_linear_ref(const KernelInit& init) {
  return std::make_unique<QuantizeLinearRef>(init);
}

}  // namespace trex
