// Reference Dropout for inference: output = input and the optional mask is all true (all
// ones of the input's type before opset 10). Training mode drops at random, which trex does
// not do: it is unsupported unless the ratio is 0, where it is again the identity.
#include <cstring>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

/// Element 0 of a float tensor as a double.
double first_as_double(const TensorView& t, const std::string& label) {
  if (t.numel() != 1) throw_invalid(label + ": ratio must be a scalar");
  return dispatch_float(t.dtype, label,
                        [&](auto zero) { return static_cast<double>(t.as<decltype(zero)>()[0]); });
}

class DropoutRef : public OpKernel {
 public:
  explicit DropoutRef(const KernelInit& init) : bool_mask_(init.opset >= 10) {
    // With training_mode a constant true, only a constant zero ratio keeps it deterministic.
    const Tensor* training = init.constant(2);
    if (training && training->numel() == 1 && training->get_int64(0) != 0) {
      const Tensor* ratio = init.constant(1);
      const bool zero_ratio = ratio && ratio->numel() == 1 && ratio->get_double(0) == 0.0;
      if (!zero_ratio) throw_unsupported("training mode (random dropout) is not supported");
    }
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    if (!ctx.input(0)) throw_invalid(label + ": needs input data");
    const TensorView& x = *ctx.input(0);
    if (const TensorView* t = ctx.input(2)) {
      if (t->dtype != DType::kBool || t->numel() != 1)
        throw_invalid(label + ": training_mode must be a bool scalar");
      // The ratio defaults to 0.5 when omitted.
      const double ratio = ctx.input(1) ? first_as_double(*ctx.input(1), label) : 0.5;
      if (t->as<uint8_t>()[0] && ratio != 0.0)
        throw_unsupported(label + ": training mode (random dropout) is not supported");
    }
    TensorView& y = ctx.output(0, x.dtype, x.dims);
    if (x.nbytes()) std::memcpy(y.data, x.data, x.nbytes());
    if (ctx.num_outputs() < 2) return;
    if (bool_mask_) {
      TensorView& mask = ctx.output(1, DType::kBool, x.dims);
      if (mask.nbytes()) std::memset(mask.data, 1, mask.nbytes());
      return;
    }
    TensorView& mask = ctx.output(1, x.dtype, x.dims);
    dispatch_numeric(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      for (int64_t i = 0; i < mask.numel(); ++i) mask.as<T>()[i] = T(1);
    });
  }

 private:
  bool bool_mask_;
};

}  // namespace

std::unique_ptr<OpKernel> create_dropout_ref(const KernelInit& init) {
  return std::make_unique<DropoutRef>(init);
}

}  // namespace trex
