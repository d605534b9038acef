// Reference BatchNormalization, inference mode: y = (x - mean) / sqrt(var + epsilon) *
// scale + B per channel (per position with opset 7-8 spatial = 0). Training mode, which
// would update running statistics, is reported as unsupported when the model is loaded.
#include <cmath>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

/// The elements of a float tensor as doubles (scale, B, mean and var may differ in type
/// from X from opset 15 on).
std::vector<double> as_doubles(const TensorView& t, const std::string& label) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  dispatch_float(t.dtype, label, [&](auto zero) {
    using T = decltype(zero);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(t.as<T>()[i]);
  });
  return v;
}

class BatchNormalizationRef : public OpKernel {
 public:
  explicit BatchNormalizationRef(const KernelInit& init) {
    const Node& n = *init.node;
    epsilon_ = n.attr_float("epsilon", 1e-5f);
    spatial_ = n.attr_int("spatial", 1) != 0;
    // From opset 14 an attribute says so; before, asking for the statistics outputs did.
    bool training = n.attr_int("training_mode", 0) != 0;
    for (size_t i = 1; i < n.num_outputs() && init.opset < 14; ++i)
      if (n.output(i)) training = true;
    if (training)
      throw_unsupported(
          "training mode (statistics outputs) is not supported; export the model in inference "
          "mode");
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    for (size_t i = 0; i < 5; ++i)
      if (!ctx.input(i))
        throw_invalid(label + ": needs the 5 inputs X, scale, B, input_mean, input_var");
    const TensorView& x = *ctx.input(0);
    const ChannelPlanes shape = channel_planes(x, label);
    const int64_t batch = shape.batch, channels = shape.channels, plane = shape.plane;
    // One statistic per channel, or per (channel, position) when spatial = 0.
    const int64_t per_channel = !spatial_ && ctx.input(1)->numel() == channels * plane ? plane : 1;
    const char* names[] = {"scale", "B", "input_mean", "input_var"};
    std::vector<double> p[4];
    for (size_t i = 0; i < 4; ++i) {
      const TensorView& t = *ctx.input(i + 1);
      if (t.numel() != channels * per_channel)
        throw_invalid(
            label + ": " + names[i] + " has " + std::to_string(t.numel()) + " elements, expected " +
            std::to_string(channels * per_channel) +
            (per_channel == 1 ? " (one per channel)" : " (one per channel and position)"));
      p[i] = as_doubles(t, label);
    }
    TensorView& y = ctx.output(0, x.dtype, x.dims);
    dispatch_float(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      const T* src = x.as<T>();
      T* dst = y.as<T>();
#pragma omp parallel for schedule(static)
      for (int64_t nc = 0; nc < batch * channels; ++nc) {
        const int64_t c = nc % channels;
        for (int64_t i = 0; i < plane; ++i) {
          const size_t k = static_cast<size_t>(c * per_channel + (per_channel == 1 ? 0 : i));
          const double inv = 1.0 / std::sqrt(p[3][k] + static_cast<double>(epsilon_));
          const double v = static_cast<double>(src[nc * plane + i]);
          dst[nc * plane + i] = static_cast<T>((v - p[2][k]) * inv * p[0][k] + p[1][k]);
        }
      }
    });
  }

 private:
  float epsilon_;
  bool spatial_;
};

}  // namespace

std::unique_ptr<OpKernel> create_batch_normalization_ref(const KernelInit& init) {
  return std::make_unique<BatchNormalizationRef>(init);
}

}  // namespace trex
