// Reference GlobalAveragePool and GlobalMaxPool: one value per (batch, channel) over all
// spatial positions; the output keeps the rank with every spatial dim 1.
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class GlobalPoolRef : public OpKernel {
 public:
  explicit GlobalPoolRef(const KernelInit& init) : max_(init.node->op_type() == "GlobalMaxPool") {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView* xp = ctx.input(0);
    if (!xp) throw_invalid(label + ": needs input X");
    const TensorView& x = *xp;
    if (x.rank() < 2)
      throw_invalid(label + ": X has " + std::to_string(x.rank()) +
                    " dims, expected N x C x D1 ... (at least 2)");
    std::vector<int64_t> out_dims(x.rank(), 1);
    out_dims[0] = x.dims[0];
    out_dims[1] = x.dims[1];
    const int64_t planes = x.dims[0] * x.dims[1];
    const int64_t plane = dims_product(x.dims, 2, x.rank());
    if (plane == 0 && planes > 0)
      throw_invalid(label + ": X has an empty spatial extent, nothing to pool");
    TensorView& y = ctx.output(0, x.dtype, out_dims);
    dispatch_float(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      const T* src = x.as<T>();
      T* dst = y.as<T>();
#pragma omp parallel for schedule(static)
      for (int64_t p = 0; p < planes; ++p) {
        const T* xp = src + p * plane;
        if (max_) {
          T best = xp[0];
          for (int64_t i = 1; i < plane; ++i) best = xp[i] > best ? xp[i] : best;
          dst[p] = best;
        } else {
          double sum = 0;
          for (int64_t i = 0; i < plane; ++i) sum += static_cast<double>(xp[i]);
          dst[p] = static_cast<T>(sum / static_cast<double>(plane));
        }
      }
    });
  }

 private:
  bool max_;
};

}  // namespace

std::unique_ptr<OpKernel> create_global_pool_ref(const KernelInit& init) {
  return std::make_unique<GlobalPoolRef>(init);
}

}  // namespace trex
