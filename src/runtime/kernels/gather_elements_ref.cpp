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
    const size_t ax =
        static_cast<size_t>(normalize_axis(axis_, static_cast<int64_t>(data.rank()), label));
    if (!element_indices_fit(data.dims, idx_t.dims, ax))
      throw_invalid(label + ": indices " + Shape::from_static(idx_t.dims).to_string() +
                    " do not fit data " + Shape::from_static(data.dims).to_string() +
                    " (same rank, no larger outside the axis)");
    const std::vector<int64_t> offsets =
        element_offsets(data.dims, idx_t.dims, read_int64s(idx_t, label, "indices"), axis_, label);
    TensorView& y = ctx.output(0, data.dtype, idx_t.dims);
    const size_t esize = dtype_size(data.dtype);
    const uint8_t* px = static_cast<const uint8_t*>(data.data);
    uint8_t* py = static_cast<uint8_t*>(y.data);
    for (size_t i = 0; i < offsets.size(); ++i)
      std::memcpy(py + i * esize, px + static_cast<size_t>(offsets[i]) * esize, esize);
  }

 private:
  int64_t axis_;
};

}  // namespace

std::unique_ptr<OpKernel> create_gather_elements_ref(const KernelInit& init) {
  return std::make_unique<GatherElementsRef>(init);
}

}  // namespace trex
