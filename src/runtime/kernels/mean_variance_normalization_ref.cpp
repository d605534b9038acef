// Reference MeanVarianceNormalization: y = (x - mean) / (std + 1e-9), mean and (biased)
// std taken over `axes` (default 0, 2, 3), as the ONNX function body computes it.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class MeanVarianceNormalizationRef : public OpKernel {
 public:
  explicit MeanVarianceNormalizationRef(const KernelInit& init)
      : axes_(init.node->attr_ints("axes", {0, 2, 3})) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    if (!ctx.input(0)) throw_invalid(label + ": needs input X");
    const TensorView& x = *ctx.input(0);
    const int64_t rank = static_cast<int64_t>(x.rank());
    std::vector<bool> reduced(x.rank(), false);
    for (int64_t a : axes_) {
      const int64_t k = a < 0 ? a + rank : a;
      if (k < 0 || k >= rank)
        throw_invalid(label + ": axis " + std::to_string(a) + " is out of range for rank " +
                      std::to_string(rank));
      reduced[static_cast<size_t>(k)] = true;
    }
    // Each element's statistics slot: its index with the reduced axes dropped.
    const std::vector<int64_t> strides = strides_of(x.dims);
    std::vector<int64_t> kept_strides(x.rank(), 0);
    int64_t groups = 1;
    for (size_t i = x.rank(); i-- > 0;)
      if (!reduced[i]) {
        kept_strides[i] = groups;
        groups *= x.dims[i];
      }
    std::vector<int64_t> slot(static_cast<size_t>(x.numel()));
    for (int64_t e = 0; e < x.numel(); ++e) {
      int64_t s = 0;
      for (size_t i = 0; i < x.rank(); ++i) s += (e / strides[i]) % x.dims[i] * kept_strides[i];
      slot[static_cast<size_t>(e)] = s;
    }
    TensorView& y = ctx.output(0, x.dtype, x.dims);
    dispatch_float(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      const T* src = x.as<T>();
      std::vector<double> mean(static_cast<size_t>(groups)), var(mean.size()), count(mean.size());
      for (int64_t e = 0; e < x.numel(); ++e) {
        mean[static_cast<size_t>(slot[static_cast<size_t>(e)])] += static_cast<double>(src[e]);
        count[static_cast<size_t>(slot[static_cast<size_t>(e)])] += 1;
      }
      for (size_t g = 0; g < mean.size(); ++g) mean[g] /= std::max(1.0, count[g]);
      for (int64_t e = 0; e < x.numel(); ++e) {
        const size_t g = static_cast<size_t>(slot[static_cast<size_t>(e)]);
        const double d = static_cast<double>(src[e]) - mean[g];
        var[g] += d * d;
      }
      for (size_t g = 0; g < var.size(); ++g) var[g] /= std::max(1.0, count[g]);
      for (int64_t e = 0; e < x.numel(); ++e) {
        const size_t g = static_cast<size_t>(slot[static_cast<size_t>(e)]);
        y.as<T>()[e] =
            static_cast<T>((static_cast<double>(src[e]) - mean[g]) / (std::sqrt(var[g]) + 1e-9));
      }
    });
  }

 private:
  std::vector<int64_t> axes_;
};

}  // namespace

std::unique_ptr<OpKernel> create_mean_variance_normalization_ref(const KernelInit& init) {
  return std::make_unique<MeanVarianceNormalizationRef>(init);
}

}  // namespace trex
