// Reference InstanceNormalization: each (batch, channel) plane is normalized by its own
// mean and (biased) variance, then scaled and shifted per channel.
#include <cmath>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class InstanceNormalizationRef : public OpKernel {
 public:
  explicit InstanceNormalizationRef(const KernelInit& init)
      : epsilon_(init.node->attr_float("epsilon", 1e-5f)) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    if (!ctx.input(0) || !ctx.input(1) || !ctx.input(2))
      throw_invalid(label + ": needs the 3 inputs input, scale, B");
    const TensorView& x = *ctx.input(0);
    const TensorView& scale = *ctx.input(1);
    const TensorView& bias = *ctx.input(2);
    if (x.rank() < 3)
      throw_invalid(label + ": input has " + std::to_string(x.rank()) +
                    " dims, expected N x C x D1 ... (at least 3)");
    const int64_t batch = x.dims[0], channels = x.dims[1];
    for (const TensorView* t : {&scale, &bias}) {
      if (t->dtype != x.dtype) throw_invalid(label + ": scale and B must have the input's type");
      if (t->rank() != 1 || t->dims[0] != channels)
        throw_invalid(label + ": scale and B must have shape [" + std::to_string(channels) + "]");
    }
    const int64_t plane = dims_product(x.dims, 2, x.rank());
    TensorView& y = ctx.output(0, x.dtype, x.dims);
    if (plane == 0) return;
    dispatch_float(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      const T* src = x.as<T>();
      T* dst = y.as<T>();
#pragma omp parallel for schedule(static)
      for (int64_t nc = 0; nc < batch * channels; ++nc) {
        const int64_t c = nc % channels;
        const T* xp = src + nc * plane;
        double mean = 0, var = 0;
        for (int64_t i = 0; i < plane; ++i) mean += static_cast<double>(xp[i]);
        mean /= static_cast<double>(plane);
        for (int64_t i = 0; i < plane; ++i) {
          const double d = static_cast<double>(xp[i]) - mean;
          var += d * d;
        }
        var /= static_cast<double>(plane);
        const double inv = 1.0 / std::sqrt(var + static_cast<double>(epsilon_));
        const double s = static_cast<double>(scale.as<T>()[c]);
        const double b = static_cast<double>(bias.as<T>()[c]);
        for (int64_t i = 0; i < plane; ++i)
          dst[nc * plane + i] = static_cast<T>((static_cast<double>(xp[i]) - mean) * inv * s + b);
      }
    });
  }

 private:
  float epsilon_;
};

}  // namespace

std::unique_ptr<OpKernel> create_instance_normalization_ref(const KernelInit& init) {
  return std::make_unique<InstanceNormalizationRef>(init);
}

}  // namespace trex
