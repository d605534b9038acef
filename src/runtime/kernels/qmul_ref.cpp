// Reference trex.QMul (see passes/qdq_lowering.h): each element dequantized and multiplied in
// float as the QDQ graph does, then the output quantization. B has A's shape or is a
// per-channel gate [N or 1, C, 1, ...]. Plain layout.
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/quantize.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class QMulRef : public OpKernel {
 public:
  explicit QMulRef(const KernelInit& init)
      : a_scale_(init.node->attr_float("a_scale", 0.0f)),
        b_scale_(init.node->attr_float("b_scale", 0.0f)),
        a_zero_(init.node->attr_int("a_zero_point", 0)),
        b_zero_(init.node->attr_int("b_zero_point", 0)),
        out_(OutputQuantization::read(*init.node)) {}

  void compute(KernelContext& ctx) override {
    const TensorView* a = ctx.input(0);
    const TensorView* b = ctx.input(1);
    auto int8 = [](const TensorView* t) {
      return t && (t->dtype == DType::kUInt8 || t->dtype == DType::kInt8);
    };
    if (!int8(a) || !int8(b)) throw_invalid(ctx.node_label() + ": A and B must be uint8/int8");
    bool gate = a->dims != b->dims;
    if (gate) {
      bool ok = a->rank() >= 3 && b->rank() == a->rank() && b->dims[1] == a->dims[1] &&
                (b->dims[0] == a->dims[0] || b->dims[0] == 1);
      for (size_t d = 2; ok && d < b->rank(); ++d) ok = b->dims[d] == 1;
      if (!ok)
        throw_invalid(ctx.node_label() + ": B of shape " +
                      Shape::from_static(b->dims).to_string() + " is neither A's shape " +
                      Shape::from_static(a->dims).to_string() +
                      " nor a per-channel [N or 1, C, 1, ...]");
    }
    const int64_t n = a->rank() ? a->dims[0] : 1, c = a->rank() > 1 ? a->dims[1] : 1;
    const int64_t pixels = a->numel() / std::max<int64_t>(n * c, 1);
    TensorView& y = ctx.output(0, out_.dtype, a->dims);
    for (int64_t i = 0; i < a->numel(); ++i) {
      int64_t j = i;
      if (gate) {
        const int64_t row = i / pixels;  // image * c + channel
        j = b->dims[0] == n ? row : row % c;
      }
      const float v = static_cast<float>(int8_at(*a, i) - a_zero_) * a_scale_ *
                      (static_cast<float>(int8_at(*b, j) - b_zero_) * b_scale_);
      out_.store(y.data, i, v);
    }
  }

 private:
  float a_scale_, b_scale_;
  int32_t a_zero_, b_zero_;
  OutputQuantization out_;
};

}  // namespace

std::unique_ptr<OpKernel> create_qmul_ref(const KernelInit& init) {
  return std::make_unique<QMulRef>(init);
}

}  // namespace trex
