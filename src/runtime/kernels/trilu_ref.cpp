// Reference kernel of Trilu: keeps the upper (default) or lower triangle of the last two
// dims of each matrix, shifted by the optional diagonal offset k, and zeroes the rest.
#include <cstring>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class TriluRef : public OpKernel {
 public:
  explicit TriluRef(const KernelInit& init) : upper_(init.node->attr_int("upper", 1) != 0) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    if (x.rank() < 2)
      throw_invalid(label + ": input must have at least 2 dims, got " + std::to_string(x.rank()));
    int64_t k = 0;
    if (const TensorView* kt = ctx.input(1)) {
      std::vector<int64_t> kv = read_int64s(*kt, label, "k");
      if (kv.size() != 1)
        throw_invalid(label + ": k must hold one value, got " + std::to_string(kv.size()));
      k = kv[0];
    }
    const int64_t rows = x.dims[x.rank() - 2], cols = x.dims.back();
    const int64_t mats = dims_product(x.dims, 0, x.rank() - 2);
    TensorView& y = ctx.output(0, x.dtype, x.dims);
    const size_t esize = dtype_size(x.dtype);
    const uint8_t* px = static_cast<const uint8_t*>(x.data);
    uint8_t* py = static_cast<uint8_t*>(y.data);
    for (int64_t m = 0; m < mats; ++m)
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) {
          // Element (i, j) lies on diagonal j - i; upper keeps j - i >= k, lower j - i <= k.
          const bool keep = upper_ ? j - i >= k : j - i <= k;
          const size_t at = static_cast<size_t>((m * rows + i) * cols + j) * esize;
          if (keep)
            std::memcpy(py + at, px + at, esize);
          else
            std::memset(py + at, 0, esize);
        }
  }

 private:
  bool upper_;
};

}  // namespace

std::unique_ptr<OpKernel> create_trilu_ref(const KernelInit& init) {
  return std::make_unique<TriluRef>(init);
}

}  // namespace trex
