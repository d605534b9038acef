// Reference trex.QResize and trex.QAveragePool (see passes/qdq_lowering.h), the int8 ops that
// are one float op between a DequantizeLinear and a QuantizeLinear: the input dequantized to
// f32, the float op's reference kernel on it, then the output quantization, as the QDQ graph
// does. Registered plain; as the fallback of the oneDNN kernels it also reads and writes
// channels-last.
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/layout_map.h"
#include "runtime/kernels/quantize.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

/// Shows the wrapped Resize kernel a dequantized X and collects its f32 output.
class DequantizedInput : public KernelContext {
 public:
  DequantizedInput(KernelContext& ctx, const TensorView& x) : ctx_(ctx), x_(x) {}
  size_t num_inputs() const override { return ctx_.num_inputs(); }
  const TensorView* input(size_t i) const override { return i == 0 ? &x_ : ctx_.input(i); }
  size_t num_outputs() const override { return 1; }
  TensorView& output(size_t, DType dtype, const std::vector<int64_t>& dims) override {
    y_.dtype = dtype;
    y_.dims = dims;
    data_.resize(static_cast<size_t>(y_.numel()));
    y_.data = data_.data();
    return y_;
  }
  TensorView& output_reusing(size_t i, size_t, DType dtype, const std::vector<int64_t>& dims,
                             bool& reused) override {
    reused = false;
    return output(i, dtype, dims);
  }
  bool output_needed(size_t) const override { return true; }
  bool output_channels_last(size_t) const override { return false; }
  int threads() const override { return ctx_.threads(); }
  const std::string& node_label() const override { return ctx_.node_label(); }
  const TensorView& written() const { return y_; }

 private:
  KernelContext& ctx_;
  const TensorView& x_;
  TensorView y_;
  std::vector<float> data_;
};

/// The reference kernel of the float op inside int8 op `init.node`.
std::unique_ptr<OpKernel> float_reference(const KernelInit& init) {
  const std::string& op = init.node->op_type();
  if (op == "QResize") return create_resize_ref(init);
  if (op == "QAveragePool") return create_average_pool_ref(init);
  throw_internal(__FILE__, __LINE__, op + " is not a dequantized float op");
}

class QDequantizedRef : public OpKernel {
 public:
  explicit QDequantizedRef(const KernelInit& init)
      : float_op_(float_reference(init)),
        x_scale_(init.node->attr_float("x_scale", 0.0f)),
        x_zero_(init.node->attr_int("x_zero_point", 0)),
        out_(OutputQuantization::read(*init.node)) {}

  void compute(KernelContext& ctx) override {
    const TensorView* x = ctx.input(0);
    if (!x || (x->dtype != DType::kUInt8 && x->dtype != DType::kInt8))
      throw_invalid(ctx.node_label() + ": X must be uint8/int8");
    std::vector<float> real(static_cast<size_t>(x->numel()));
    const float scale = x_scale_, zero = static_cast<float>(x_zero_);
    auto dequantize = [scale, zero](auto q) { return (static_cast<float>(q) - zero) * scale; };
    if (x->dtype == DType::kUInt8)
      map_layout(x->as<uint8_t>(), x->channels_last, real.data(), false, x->dims, dequantize);
    else
      map_layout(x->as<int8_t>(), x->channels_last, real.data(), false, x->dims, dequantize);
    TensorView xf{DType::kFloat32, x->dims, real.data()};
    DequantizedInput inner(ctx, xf);
    float_op_->compute(inner);
    const TensorView& r = inner.written();
    TensorView& y = ctx.output(0, out_.dtype, r.dims);
    const bool y_cl = ctx.output_channels_last(0);
    const OutputQuantization q = out_;
    auto quantize = [q](float v) {
      return quantize_value(v / q.scale, q.zero_point, quant_min(q.dtype), quant_max(q.dtype));
    };
    if (out_.dtype == DType::kUInt8)
      map_layout(r.as<float>(), false, y.as<uint8_t>(), y_cl, r.dims,
                 [quantize](float v) { return static_cast<uint8_t>(quantize(v)); });
    else if (out_.dtype == DType::kInt8)
      map_layout(r.as<float>(), false, y.as<int8_t>(), y_cl, r.dims,
                 [quantize](float v) { return static_cast<int8_t>(quantize(v)); });
    else
      map_layout(r.as<float>(), false, y.as<float>(), y_cl, r.dims, [](float v) { return v; });
  }

 private:
  std::unique_ptr<OpKernel> float_op_;
  float x_scale_;
  int32_t x_zero_;
  OutputQuantization out_;
};

}  // namespace

std::unique_ptr<OpKernel> create_qdequantized_ref(const KernelInit& init) {
  return std::make_unique<QDequantizedRef>(init);
}

}  // namespace trex
