// Reference trex.QGemm (see passes/qdq_lowering.h): for each row of A ([..., K]) and column n,
// the exact int64 sum of (a - x_zero_point) * B[k, n], plus C[n], scaled to a real value in
// double, the activation, and the output quantization.
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/activation.h"
#include "runtime/kernels/quantize.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class QGemmRef : public OpKernel {
 public:
  explicit QGemmRef(const KernelInit& init)
      : trans_b_(init.node->attr_int("transB", 0) != 0),
        x_scale_(init.node->attr_float("x_scale", 0.0f)),
        x_zero_(init.node->attr_int("x_zero_point", 0)),
        w_scale_(init.node->attr_floats("w_scale")),
        act_(Activation::parse(init.node->attr_string("activation", ""),
                               init.node->attr_floats("activation_params"))),
        out_(OutputQuantization::read(*init.node)) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView* a = ctx.input(0);
    const TensorView* b = ctx.input(1);
    const TensorView* c = ctx.input(2);
    if (!a || !b || a->rank() < 2 || b->rank() != 2 ||
        (a->dtype != DType::kUInt8 && a->dtype != DType::kInt8) || b->dtype != DType::kInt8)
      throw_invalid(label + ": A must be uint8/int8 of rank >= 2 and B a 2-D int8 matrix");
    const int64_t k = a->dims.back(), n = trans_b_ ? b->dims[0] : b->dims[1];
    if ((trans_b_ ? b->dims[1] : b->dims[0]) != k)
      throw_invalid(label + ": A has " + std::to_string(k) + " columns, B " +
                    Shape::from_static(b->dims).to_string() + (trans_b_ ? " (transposed)" : ""));
    if (static_cast<int64_t>(w_scale_.size()) != n || (c && c->numel() != n))
      throw_invalid(label + ": w_scale and C need one value per output column");
    std::vector<int64_t> dims = a->dims;
    dims.back() = n;
    TensorView& y = ctx.output(0, out_.dtype, dims);
    const int64_t rows = a->numel() / std::max<int64_t>(k, 1);
    const int8_t* bd = b->as<int8_t>();
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < n; ++j) {
        int64_t acc = 0;
        for (int64_t i = 0; i < k; ++i)
          acc += static_cast<int64_t>(int8_at(*a, r * k + i) - x_zero_) *
                 bd[trans_b_ ? j * k + i : i * n + j];
        double v = static_cast<double>(acc);
        if (c) v += c->dtype == DType::kInt32 ? c->as<int32_t>()[j] : c->as<float>()[j];
        v *= static_cast<double>(x_scale_) * static_cast<double>(w_scale_[j]);
        out_.store(y.data, r * n + j, act_.apply(static_cast<float>(v)));
      }
  }

 private:
  bool trans_b_;
  float x_scale_;
  int32_t x_zero_;
  std::vector<float> w_scale_;
  Activation act_;
  OutputQuantization out_;
};

}  // namespace

std::unique_ptr<OpKernel> create_qgemm_ref(const KernelInit& init) {
  return std::make_unique<QGemmRef>(init);
}

}  // namespace trex
