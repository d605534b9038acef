// Optimized DequantizeLinear for a QDQ model's activations: uint8/int8 input with a
// per-tensor constant scale and zero point, f32 output, (x - zero_point) * scale per element
// in a vectorized OpenMP loop. Reads and writes plain or channels-last, so an int8 tensor
// passed between int8 kernels channels-last needs no conversion where it leaves integer land.
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/layout_map.h"
#include "runtime/kernels/quantize.h"
#include "util/error.h"

namespace trex {

namespace {

float scalar_of(const Tensor& t) {
  return static_cast<float>(t.get_double(0));
}

class DequantizeLinearVec : public OpKernel {
 public:
  explicit DequantizeLinearVec(const KernelInit& init)
      : scale_(scalar_of(*init.constant(1))),
        zero_(init.constant(2) ? scalar_of(*init.constant(2)) : 0.0f) {}

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    if (x.dtype != DType::kUInt8 && x.dtype != DType::kInt8)
      throw_unsupported(ctx.node_label() + ": x must be uint8 or int8, not " + dtype_name(x.dtype));
    const bool y_cl = ctx.output_channels_last(0);
    TensorView& y = ctx.output(0, DType::kFloat32, x.dims);
    // (x - z) * s exactly as the reference: x - z is an exact small integer in float.
    const float s = scale_, z = zero_;
    auto f = [=](auto v) { return (static_cast<float>(v) - z) * s; };
    if (x.dtype == DType::kUInt8)
      map_layout(x.as<uint8_t>(), x.channels_last, y.as<float>(), y_cl, x.dims, f);
    else
      map_layout(x.as<int8_t>(), x.channels_last, y.as<float>(), y_cl, x.dims, f);
  }

  bool accepts_channels_last(size_t input) const override { return input == 0; }
  bool produces_channels_last() const override { return true; }

 private:
  float scale_, zero_;
};

}  // namespace

bool dequantize_linear_vec_supports(const KernelInit& init) {
  if (init.input_types.empty()) return false;
  const DType t = init.input_types[0].dtype;
  if (t != DType::kUInt8 && t != DType::kInt8) return false;
  const Tensor* scale = init.constant(1);
  if (!scale || scale->dtype() != DType::kFloat32 || scale->numel() != 1 || scale->rank() > 1)
    return false;
  if (init.input_types.size() > 2 && init.input_types[2].dtype != DType::kUndefined) {
    const Tensor* zp = init.constant(2);
    if (!zp || zp->numel() != 1 || zp->rank() > 1 || zp->dtype() != t) return false;
  }
  return true;
}

std::unique_ptr<OpKernel> create_dequantize_linear_vec(const KernelInit& init) {
  return std::make_unique<DequantizeLinearVec>(init);
}

}  // namespace trex
