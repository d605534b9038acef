// Reference trex.FusedConv and trex.FusedGemm: the reference Conv or Gemm, then (FusedConv)
// the Sum input added, then the activation, exactly the unfused ops in sequence. The oneDNN
// kernels are checked against it.
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/activation.h"
#include "runtime/kernels/reference_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

/// Shows the wrapped Conv kernel only X, W and B; outputs go to the real context.
class ConvInputs : public KernelContext {
 public:
  explicit ConvInputs(KernelContext& ctx) : ctx_(ctx) {}
  size_t num_inputs() const override { return std::min<size_t>(3, ctx_.num_inputs()); }
  const TensorView* input(size_t i) const override { return i < 3 ? ctx_.input(i) : nullptr; }
  size_t num_outputs() const override { return 1; }
  TensorView& output(size_t i, DType dtype, const std::vector<int64_t>& dims) override {
    out_ = &ctx_.output(i, dtype, dims);
    return *out_;
  }
  /// The output the Conv wrote, after it ran.
  TensorView* written() const { return out_; }
  TensorView& output_reusing(size_t i, size_t input, DType dtype, const std::vector<int64_t>& dims,
                             bool& reused) override {
    reused = false;  // the wrapped kernel sees only X, W, B: nothing to take over
    return output(i, dtype, dims);
  }
  bool output_needed(size_t i) const override { return ctx_.output_needed(i); }
  bool output_channels_last(size_t i) const override { return ctx_.output_channels_last(i); }
  int threads() const override { return ctx_.threads(); }
  const std::string& node_label() const override { return ctx_.node_label(); }

 private:
  KernelContext& ctx_;
  TensorView* out_ = nullptr;
};

class FusedConvRef : public OpKernel {
 public:
  explicit FusedConvRef(const KernelInit& init)
      : conv_(init.node->op_type() == "FusedGemm" ? create_gemm_ref(init) : create_conv_ref(init)),
        act_(Activation::parse(init.node->attr_string("activation", ""),
                               init.node->attr_floats("activation_params"))) {}

  void compute(KernelContext& ctx) override {
    ConvInputs conv_ctx(ctx);
    conv_->compute(conv_ctx);
    const TensorView* x = ctx.input(0);
    if (x->dtype != DType::kFloat32)
      throw_unsupported(ctx.node_label() + ": FusedConv is f32 only");
    TREX_ASSERT(conv_ctx.written() != nullptr);
    TensorView& y = *conv_ctx.written();
    const TensorView* sum = ctx.input(3);
    if (sum && sum->dims != y.dims)
      throw_invalid(ctx.node_label() + ": Sum input shape differs from the Conv output");
    float* out = y.as<float>();
    for (int64_t i = 0; i < y.numel(); ++i) {
      float v = out[i] + (sum ? sum->as<float>()[i] : 0.0f);
      out[i] = act_.apply(v);
    }
  }

 private:
  std::unique_ptr<OpKernel> conv_;
  Activation act_;
};

}  // namespace

std::unique_ptr<OpKernel> create_fused_ref(const KernelInit& init) {
  return std::make_unique<FusedConvRef>(init);
}

}  // namespace trex
