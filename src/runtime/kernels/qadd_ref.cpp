// Reference trex.QAdd (see passes/qdq_lowering.h): each element dequantized, added in float
// as the QDQ graph does, Relu when asked, then the output quantization. Plain layout.
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/quantize.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class QAddRef : public OpKernel {
 public:
  explicit QAddRef(const KernelInit& init)
      : a_scale_(init.node->attr_float("a_scale", 0.0f)),
        b_scale_(init.node->attr_float("b_scale", 0.0f)),
        a_zero_(init.node->attr_int("a_zero_point", 0)),
        b_zero_(init.node->attr_int("b_zero_point", 0)),
        relu_(init.node->attr_string("activation", "") == "Relu"),
        out_(OutputQuantization::read(*init.node)) {
    const std::string act = init.node->attr_string("activation", "");
    if (!act.empty() && act != "Relu") throw_unsupported("QAdd activation " + act);
  }

  void compute(KernelContext& ctx) override {
    const TensorView* a = ctx.input(0);
    const TensorView* b = ctx.input(1);
    auto int8 = [](const TensorView* t) {
      return t && (t->dtype == DType::kUInt8 || t->dtype == DType::kInt8);
    };
    if (!int8(a) || !int8(b) || a->dims != b->dims)
      throw_invalid(ctx.node_label() + ": A and B must be uint8/int8 of one shape");
    TensorView& y = ctx.output(0, out_.dtype, a->dims);
    for (int64_t i = 0; i < a->numel(); ++i) {
      float v = static_cast<float>(int8_at(*a, i) - a_zero_) * a_scale_ +
                static_cast<float>(int8_at(*b, i) - b_zero_) * b_scale_;
      if (relu_ && v < 0.0f) v = 0.0f;
      out_.store(y.data, i, v);
    }
  }

 private:
  float a_scale_, b_scale_;
  int32_t a_zero_, b_zero_;
  bool relu_;
  OutputQuantization out_;
};

}  // namespace

std::unique_ptr<OpKernel> create_qadd_ref(const KernelInit& init) {
  return std::make_unique<QAddRef>(init);
}

}  // namespace trex
