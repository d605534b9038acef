// Reference kernel of Tile: repeats the input repeats[d] times along each axis d. Pure data
// movement, so any element type works.
#include <cstring>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class TileRef : public OpKernel {
 public:
  explicit TileRef(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    if (!ctx.input(1)) throw_invalid(label + ": input repeats is required");
    const std::vector<int64_t> repeats = read_int64s(*ctx.input(1), label, "repeats");
    const size_t rank = x.rank();
    if (repeats.size() != rank)
      throw_invalid(label + ": repeats has " + std::to_string(repeats.size()) +
                    " values for an input of rank " + std::to_string(rank));
    std::vector<int64_t> out_dims(rank);
    for (size_t d = 0; d < rank; ++d) {
      if (repeats[d] < 0)
        throw_invalid(label + ": repeats[" + std::to_string(d) +
                      "] = " + std::to_string(repeats[d]) + " is negative");
      out_dims[d] = x.dims[d] * repeats[d];
    }
    TensorView& y = ctx.output(0, x.dtype, out_dims);
    const int64_t n = y.numel();
    const size_t esize = dtype_size(x.dtype);
    const std::vector<int64_t> in_strides = strides_of(x.dims);
    const uint8_t* px = static_cast<const uint8_t*>(x.data);
    uint8_t* py = static_cast<uint8_t*>(y.data);
#pragma omp parallel for
    for (int64_t i = 0; i < n; ++i) {
      int64_t rest = i, at = 0;
      for (size_t d = rank; d-- > 0;) {
        at += (rest % out_dims[d]) % x.dims[d] * in_strides[d];
        rest /= out_dims[d];
      }
      std::memcpy(py + static_cast<size_t>(i) * esize, px + static_cast<size_t>(at) * esize, esize);
    }
  }
};

}  // namespace

std::unique_ptr<OpKernel> create_tile_ref(const KernelInit& init) {
  return std::make_unique<TileRef>(init);
}

}  // namespace trex
