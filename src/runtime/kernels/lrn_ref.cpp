// Reference LRN (local response normalization across channels):
// y = x / (bias + alpha / size * sum of x^2 over the nearby channels)^beta, the channel
// window running from c - floor((size-1)/2) to c + ceil((size-1)/2), clipped to [0, C).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class LrnRef : public OpKernel {
 public:
  explicit LrnRef(const KernelInit& init) {
    const Node& n = *init.node;
    if (!n.has_attr("size")) throw_invalid("attribute 'size' is required");
    size_ = n.attr_int("size", 1);
    if (size_ <= 0) throw_invalid("size must be positive");
    alpha_ = n.attr_float("alpha", 1e-4f);
    beta_ = n.attr_float("beta", 0.75f);
    bias_ = n.attr_float("bias", 1.0f);
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    if (!ctx.input(0)) throw_invalid(label + ": needs input X");
    const TensorView& x = *ctx.input(0);
    const ChannelPlanes shape = channel_planes(x, label);
    const int64_t batch = shape.batch, channels = shape.channels, plane = shape.plane;
    const int64_t before = (size_ - 1) / 2, after = size_ - 1 - before;
    TensorView& y = ctx.output(0, x.dtype, x.dims);
    dispatch_float(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      const T* src = x.as<T>();
      T* dst = y.as<T>();
      // Each (n, c) writes only its own plane.
#pragma omp parallel for schedule(static)
      for (int64_t nc = 0; nc < batch * channels; ++nc) {
        const int64_t n = nc / channels, c = nc % channels;
        const int64_t lo = std::max<int64_t>(0, c - before);
        const int64_t hi = std::min<int64_t>(channels - 1, c + after);
        for (int64_t i = 0; i < plane; ++i) {
          double sq = 0;
          for (int64_t k = lo; k <= hi; ++k) {
            const double v = static_cast<double>(src[(n * channels + k) * plane + i]);
            sq += v * v;
          }
          const double denom =
              std::pow(static_cast<double>(bias_) + static_cast<double>(alpha_) / size_ * sq,
                       static_cast<double>(beta_));
          dst[nc * plane + i] = static_cast<T>(static_cast<double>(src[nc * plane + i]) / denom);
        }
      }
    });
  }

 private:
  int64_t size_;
  float alpha_, beta_, bias_;
};

}  // namespace

std::unique_ptr<OpKernel> create_lrn_ref(const KernelInit& init) {
  return std::make_unique<LrnRef>(init);
}

}  // namespace trex
