// Reference kernels for the data-movement and shape ops that constant folding already
// evaluates (passes/fold_eval.cpp): Constant, Shape, Size, Cast, Reshape, Flatten, Squeeze,
// Unsqueeze, Concat, Gather, Slice, Transpose, Where, Range, ConstantOfShape, Expand. They
// copy inputs in and results out, so they are plain rather than fast; hot ones get their
// own kernels.
#include <cstring>

#include "passes/fold_eval.h"
#include "runtime/kernel.h"
#include "runtime/kernels/reference_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

class FoldEvalRef : public OpKernel {
 public:
  explicit FoldEvalRef(const KernelInit& init) : node_(*init.node) {
    if (node_.op_type() == "Constant") {
      auto out = evaluate_constant_node(node_, {});
      if (!out) throw_unsupported("Constant with a string or sparse value is not supported");
      constant_ = (*out)[0];
    }
  }

  void compute(KernelContext& ctx) override {
    std::vector<Tensor> values;
    if (node_.op_type() == "Constant") {
      values.push_back(constant_);
    } else {
      std::vector<Tensor> held;
      std::vector<const Tensor*> in;
      held.reserve(ctx.num_inputs());
      for (size_t i = 0; i < ctx.num_inputs(); ++i) {
        const TensorView* v = ctx.input(i);
        if (!v) {
          in.push_back(nullptr);
          continue;
        }
        held.push_back(Tensor::from_bytes(v->dtype, v->dims, v->data, v->nbytes()));
        in.push_back(&held.back());
      }
      auto out = evaluate_constant_node(node_, in);
      if (!out)
        throw_invalid(ctx.node_label() +
                      ": inputs are outside what the reference kernel handles (shapes, indices "
                      "or sizes out of range)");
      values = std::move(*out);
    }
    for (size_t i = 0; i < values.size() && i < ctx.num_outputs(); ++i) {
      const Tensor& t = values[i];
      TensorView& y = ctx.output(i, t.dtype(), t.dims());
      if (t.nbytes()) std::memcpy(y.data, t.raw(), t.nbytes());
    }
  }

 private:
  const Node& node_;
  Tensor constant_;
};

}  // namespace

std::unique_ptr<OpKernel> create_fold_eval_ref(const KernelInit& init) {
  return std::make_unique<FoldEvalRef>(init);
}

}  // namespace trex
