// Optimized QuantizeLinear for the common case of a QDQ model's activations: f32 input, a
// per-tensor constant scale and zero point, uint8/int8 output. One division, a clamp by
// selects and a call-free round-half-even per element, so the loop vectorizes; OpenMP splits
// it. It writes channels-last when the readers take that (an int8 conv reading the quantized
// model input then needs no reorder) and reads either layout. Same results as the reference.
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/layout_map.h"
#include "runtime/kernels/quantize.h"
#include "util/error.h"

namespace trex {

namespace {

/// The one value of a per-tensor constant parameter (scale or zero point) as float.
float scalar_of(const Tensor& t) {
  return static_cast<float>(t.get_double(0));
}

class QuantizeLinearVec : public OpKernel {
 public:
  explicit QuantizeLinearVec(const KernelInit& init)
      : scale_(scalar_of(*init.constant(1))),
        zero_(init.constant(2) ? scalar_of(*init.constant(2)) : 0.0f),
        out_(init.constant(2) ? init.constant(2)->dtype() : DType::kUInt8) {}

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    if (x.dtype != DType::kFloat32)
      throw_unsupported(ctx.node_label() + ": x must be f32, not " + dtype_name(x.dtype));
    const bool y_cl = ctx.output_channels_last(0);
    TensorView& y = ctx.output(0, out_, x.dims);
    if (out_ == DType::kUInt8)
      run(x, y.as<uint8_t>(), y_cl);
    else
      run(x, y.as<int8_t>(), y_cl);
  }

  bool accepts_channels_last(size_t input) const override { return input == 0; }
  bool produces_channels_last() const override { return true; }

 private:
  template <typename T>
  void run(const TensorView& x, T* y, bool y_cl) const {
    // clamp(rne(v / s) + z, lo, hi) == rne(clamp(v / s, lo - z, hi - z)) + z: the bounds are
    // integers, which rounding keeps. The clamp comes first so the magic-number rounding is
    // exact; a NaN goes to lo as in the reference (its max(lo, NaN) is lo).
    const float s = scale_, z = zero_;
    const float lo = quant_min(out_) - z, hi = quant_max(out_) - z;
    map_layout(x.as<float>(), x.channels_last, y, y_cl, x.dims, [=](float v) {
      float t = v / s;
      t = t > lo ? t : lo;
      t = t < hi ? t : hi;
      return static_cast<T>(static_cast<int32_t>(round_half_even_small(t) + z));
    });
  }

  float scale_, zero_;
  DType out_;
};

}  // namespace

bool quantize_linear_vec_supports(const KernelInit& init) {
  if (init.input_types.empty() || init.input_types[0].dtype != DType::kFloat32) return false;
  const Tensor* scale = init.constant(1);
  if (!scale || scale->dtype() != DType::kFloat32 || scale->numel() != 1 || scale->rank() > 1 ||
      !(scalar_of(*scale) > 0.0f))
    return false;
  if (init.input_types.size() > 2 && init.input_types[2].dtype != DType::kUndefined) {
    const Tensor* zp = init.constant(2);
    if (!zp || zp->numel() != 1 || zp->rank() > 1 ||
        (zp->dtype() != DType::kUInt8 && zp->dtype() != DType::kInt8))
      return false;
  }
  return true;
}

std::unique_ptr<OpKernel> create_quantize_linear_vec(const KernelInit& init) {
  return std::make_unique<QuantizeLinearVec>(init);
}

}  // namespace trex
