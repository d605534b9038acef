// Reference kernel of DepthToSpace: moves blocks of channels of an [N, C, H, W] tensor into
// blocksize x blocksize spatial tiles, giving [N, C/b^2, H*b, W*b]. Mode DCR (default)
// reads the channel as (row, column, channel), CRD (opset 11) as (channel, row, column).
#include <cstring>

#include "ir/shape.h"
#include "runtime/kernel.h"
#include "runtime/kernels/reference_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

class DepthToSpaceRef : public OpKernel {
 public:
  explicit DepthToSpaceRef(const KernelInit& init)
      : block_(init.node->attr_int("blocksize", 0)),
        crd_(init.node->attr_string("mode", "DCR") == "CRD") {
    const std::string mode = init.node->attr_string("mode", "DCR");
    if (mode != "DCR" && mode != "CRD") throw_invalid("unknown mode '" + mode + "'");
    if (block_ <= 0) throw_invalid("blocksize " + std::to_string(block_) + " must be positive");
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    const int64_t b = block_;
    if (x.rank() != 4 || x.dims[1] % (b * b) != 0)
      throw_invalid(
          label + ": input " + Shape::from_static(x.dims).to_string() +
          " is not [N, C, H, W] with C divisible by blocksize^2 = " + std::to_string(b * b));
    const int64_t n = x.dims[0], c = x.dims[1] / (b * b), h = x.dims[2], w = x.dims[3];
    TensorView& y = ctx.output(0, x.dtype, {n, c, h * b, w * b});
    const size_t esize = dtype_size(x.dtype);
    const uint8_t* px = static_cast<const uint8_t*>(x.data);
    uint8_t* py = static_cast<uint8_t*>(y.data);
    for (int64_t in = 0; in < n; ++in)
      for (int64_t ic = 0; ic < c; ++ic)
        for (int64_t oh = 0; oh < h * b; ++oh)
          for (int64_t ow = 0; ow < w * b; ++ow) {
            const int64_t i = oh % b, j = ow % b;
            const int64_t src_c = crd_ ? (ic * b + i) * b + j : (i * b + j) * c + ic;
            const int64_t src = ((in * c * b * b + src_c) * h + oh / b) * w + ow / b;
            const int64_t dst = ((in * c + ic) * h * b + oh) * w * b + ow;
            std::memcpy(py + static_cast<size_t>(dst) * esize,
                        px + static_cast<size_t>(src) * esize, esize);
          }
  }

 private:
  int64_t block_;
  bool crd_;
};

}  // namespace

std::unique_ptr<OpKernel> create_depth_to_space_ref(const KernelInit& init) {
  return std::make_unique<DepthToSpaceRef>(init);
}

}  // namespace trex
