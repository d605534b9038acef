// Reference trex.QGlobalAveragePool (see passes/qdq_lowering.h): each element dequantized,
// averaged in float over the spatial axes as the QDQ graph's GlobalAveragePool does, then the
// output quantization. Plain layout.
#include "runtime/kernel.h"
#include "runtime/kernels/quantize.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class QGlobalAveragePoolRef : public OpKernel {
 public:
  explicit QGlobalAveragePoolRef(const KernelInit& init)
      : x_scale_(init.node->attr_float("x_scale", 0.0f)),
        x_zero_(init.node->attr_int("x_zero_point", 0)),
        out_(OutputQuantization::read(*init.node)) {}

  void compute(KernelContext& ctx) override {
    const TensorView* x = ctx.input(0);
    if (!x || (x->dtype != DType::kUInt8 && x->dtype != DType::kInt8) || x->rank() < 3)
      throw_invalid(ctx.node_label() + ": X must be uint8/int8 with spatial dims");
    std::vector<int64_t> dims = {x->dims[0], x->dims[1]};
    dims.resize(x->rank(), 1);
    const int64_t planes = x->dims[0] * x->dims[1], spatial = x->numel() / planes;
    TensorView& y = ctx.output(0, out_.dtype, dims);
    for (int64_t p = 0; p < planes; ++p) {
      float sum = 0.0f;
      for (int64_t i = p * spatial; i < (p + 1) * spatial; ++i)
        sum += static_cast<float>(int8_at(*x, i) - x_zero_) * x_scale_;
      out_.store(y.data, p, sum / static_cast<float>(spatial));
    }
  }

 private:
  float x_scale_;
  int32_t x_zero_;
  OutputQuantization out_;
};

}  // namespace

std::unique_ptr<OpKernel> create_qglobal_average_pool_ref(const KernelInit& init) {
  return std::make_unique<QGlobalAveragePoolRef>(init);
}

}  // namespace trex
