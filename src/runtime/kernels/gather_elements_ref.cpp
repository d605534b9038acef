// Reference kernel of GatherElements: output[i][j][k] = data[indices[i][j][k]][j][k] for
// axis 0 (likewise for any axis); the output has the shape of indices, negative indices
// count from the end. Pure data movement, so any element type works.
#include <cstring>

#include "ir/shape.h"
#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class GatherElementsRef : public OpKernel {
 public:
  explicit GatherElementsRef(const KernelInit& init) : axis_(init.node->attr_int("axis", 0)) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& data = *ctx.input(0);
    if (!ctx.input(1)) throw_invalid(label + ": input indices is required");
    const TensorView& idx_t = *ctx.input(1);
    const size_t rank = data.rank();
    const size_t ax = static_cast<size_t>(normalize_axis(axis_, static_cast<int64_t>(rank), label));
    bool shape_ok = idx_t.rank() == rank;
    for (size_t d = 0; shape_ok && d < rank; ++d)
      shape_ok = d == ax || idx_t.dims[d] <= data.dims[d];
    if (!shape_ok)
      throw_invalid(label + ": indices " + Shape::from_static(idx_t.dims).to_string() +
                    " do not fit data " + Shape::from_static(data.dims).to_string() +
                    " (same rank, no larger outside the axis)");
    const std::vector<int64_t> indices = read_int64s(idx_t, label, "indices");
    const std::vector<int64_t> strides = strides_of(data.dims);
    const int64_t len = data.dims[ax];
    TensorView& y = ctx.output(0, data.dtype, idx_t.dims);
    const size_t esize = dtype_size(data.dtype);
    const uint8_t* px = static_cast<const uint8_t*>(data.data);
    uint8_t* py = static_cast<uint8_t*>(y.data);
    const int64_t n = y.numel();
    for (int64_t i = 0; i < n; ++i) {
      int64_t at = 0, rest = i;
      for (size_t d = rank; d-- > 0;) {
        int64_t c = rest % idx_t.dims[d];
        rest /= idx_t.dims[d];
        if (d == ax) {
          c = indices[static_cast<size_t>(i)];
          if (c < -len || c >= len)
            throw_invalid(label + ": index " + std::to_string(c) + " is out of range for axis " +
                          std::to_string(axis_) + " of size " + std::to_string(len));
          if (c < 0) c += len;
        }
        at += c * strides[d];
      }
      std::memcpy(py + static_cast<size_t>(i) * esize, px + static_cast<size_t>(at) * esize, esize);
    }
  }

 private:
  int64_t axis_;
};

}  // namespace

std::unique_ptr<OpKernel> create_gather_elements_ref(const KernelInit& init) {
  return std::make_unique<GatherElementsRef>(init);
}

}  // namespace trex
