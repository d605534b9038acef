// Reference DequantizeLinear (opsets 10-19): y = (x - zero_point) * scale in f32, per tensor
// or per axis, for uint8, int8 and int32 x (int32 with a zero point of 0 only, as ONNX says).
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/quantize.h"
#include "runtime/kernels/reference_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

class DequantizeLinearRef : public OpKernel {
 public:
  explicit DequantizeLinearRef(const KernelInit& init) : axis_(init.node->attr_int("axis", 1)) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView* x = ctx.input(0);
    const TensorView* scale = ctx.input(1);
    const TensorView* zp = ctx.input(2);
    if (!x || !scale) throw_invalid(label + ": needs inputs x and x_scale");
    if (x->dtype != DType::kUInt8 && x->dtype != DType::kInt8 && x->dtype != DType::kInt32)
      throw_unsupported(label + ": x must be uint8, int8 or int32, not " + dtype_name(x->dtype));
    if (scale->dtype != DType::kFloat32)
      throw_unsupported(label + ": x_scale must be f32, not " + dtype_name(scale->dtype));
    if (zp && (zp->dtype != x->dtype || zp->numel() != scale->numel()))
      throw_invalid(label + ": x_zero_point must have x's type and x_scale's size");
    const QuantAxis q = quant_axis(*x, *scale, axis_, label);
    TensorView& y = ctx.output(0, DType::kFloat32, x->dims);
    const float* s = scale->as<float>();
    float* out = y.as<float>();
    auto get = [](const TensorView& t, int64_t i) -> int64_t {
      switch (t.dtype) {
        case DType::kUInt8:
          return t.as<uint8_t>()[i];
        case DType::kInt8:
          return t.as<int8_t>()[i];
        default:
          return t.as<int32_t>()[i];
      }
    };
    for (int64_t c = 0; c < q.channels; ++c)
      if (zp && x->dtype == DType::kInt32 && get(*zp, c) != 0)
        throw_invalid(label + ": an int32 x needs a zero point of 0");
    for (int64_t o = 0; o < q.outer; ++o)
      for (int64_t c = 0; c < q.channels; ++c) {
        const int64_t z = zp ? get(*zp, c) : 0;
        const float sc = s[c];
        const int64_t base = (o * q.channels + c) * q.inner;
        for (int64_t i = base; i < base + q.inner; ++i)
          out[i] = static_cast<float>(get(*x, i) - z) * sc;
      }
  }

 private:
  int64_t axis_;
};

}  // namespace

std::unique_ptr<OpKernel> create_dequantize_linear_ref(const KernelInit& init) {
  return std::make_unique<DequantizeLinearRef>(init);
}

}  // namespace trex
