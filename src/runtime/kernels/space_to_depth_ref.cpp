// Reference kernel of SpaceToDepth, the inverse of DepthToSpace in DCR mode: each
// blocksize x blocksize spatial tile of an [N, C, H, W] tensor becomes b^2 channel groups,
// giving [N, C*b^2, H/b, W/b].
#include <cstring>

#include "ir/shape.h"
#include "runtime/kernel.h"
#include "runtime/kernels/reference_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

class SpaceToDepthRef : public OpKernel {
 public:
  explicit SpaceToDepthRef(const KernelInit& init) : block_(init.node->attr_int("blocksize", 0)) {
    if (block_ <= 0) throw_invalid("blocksize " + std::to_string(block_) + " must be positive");
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    const int64_t b = block_;
    if (x.rank() != 4 || x.dims[2] % b != 0 || x.dims[3] % b != 0)
      throw_invalid(label + ": input " + Shape::from_static(x.dims).to_string() +
                    " is not [N, C, H, W] with H and W divisible by blocksize " +
                    std::to_string(b));
    const int64_t n = x.dims[0], c = x.dims[1], h = x.dims[2] / b, w = x.dims[3] / b;
    TensorView& y = ctx.output(0, x.dtype, {n, c * b * b, h, w});
    const size_t esize = dtype_size(x.dtype);
    const uint8_t* px = static_cast<const uint8_t*>(x.data);
    uint8_t* py = static_cast<uint8_t*>(y.data);
    for (int64_t in = 0; in < n; ++in)
      for (int64_t oc = 0; oc < c * b * b; ++oc)
        for (int64_t oh = 0; oh < h; ++oh)
          for (int64_t ow = 0; ow < w; ++ow) {
            // Output channel oc is (row i, column j, input channel ic) of the tile.
            const int64_t i = oc / (b * c), j = (oc / c) % b, ic = oc % c;
            const int64_t src = ((in * c + ic) * h * b + oh * b + i) * w * b + ow * b + j;
            const int64_t dst = ((in * c * b * b + oc) * h + oh) * w + ow;
            std::memcpy(py + static_cast<size_t>(dst) * esize,
                        px + static_cast<size_t>(src) * esize, esize);
          }
  }

 private:
  int64_t block_;
};

}  // namespace

std::unique_ptr<OpKernel> create_space_to_depth_ref(const KernelInit& init) {
  return std::make_unique<SpaceToDepthRef>(init);
}

}  // namespace trex
