// Reference kernel of Split: cuts the input along `axis` into one piece per output, with
// sizes from `split` (an attribute before opset 13, an input from 13) or equal pieces when
// it is absent. Pure data movement, so any element type works.
#include <cstring>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class SplitRef : public OpKernel {
 public:
  explicit SplitRef(const KernelInit& init)
      : axis_(init.node->attr_int("axis", 0)),
        split_attr_(init.opset < 13 ? init.node->attr_ints("split", {}) : std::vector<int64_t>{}) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    const AxisSplit lanes = split_at_axis(x.dims, axis_, label);
    const size_t ax = lanes.axis;
    const int64_t len = lanes.len;
    const size_t parts = ctx.num_outputs();
    if (parts == 0) throw_invalid(label + ": Split has no outputs");
    std::vector<int64_t> split = split_attr_;
    if (const TensorView* s = ctx.input(1)) split = read_int64s(*s, label, "split");
    if (split.empty()) {
      if (len % static_cast<int64_t>(parts) != 0)
        throw_invalid(label + ": axis of size " + std::to_string(len) +
                      " does not split evenly into " + std::to_string(parts) + " outputs");
      split.assign(parts, len / static_cast<int64_t>(parts));
    }
    if (split.size() != parts)
      throw_invalid(label + ": split has " + std::to_string(split.size()) + " sizes for " +
                    std::to_string(parts) + " outputs");
    int64_t total = 0;
    for (int64_t s : split) {
      if (s < 0) throw_invalid(label + ": split size " + std::to_string(s) + " is negative");
      total += s;
    }
    if (total != len)
      throw_invalid(label + ": split sizes add up to " + std::to_string(total) + ", the axis has " +
                    std::to_string(len));
    const int64_t outer = lanes.outer;
    const size_t row_bytes = static_cast<size_t>(lanes.inner) * dtype_size(x.dtype);
    const uint8_t* src = static_cast<const uint8_t*>(x.data);
    int64_t offset = 0;
    for (size_t p = 0; p < parts; ++p) {
      std::vector<int64_t> dims = x.dims;
      dims[ax] = split[p];
      TensorView& y = ctx.output(p, x.dtype, dims);
      const size_t chunk = static_cast<size_t>(split[p]) * row_bytes;
      uint8_t* dst = static_cast<uint8_t*>(y.data);
      for (int64_t o = 0; o < outer && chunk; ++o)
        std::memcpy(dst + static_cast<size_t>(o) * chunk,
                    src + (static_cast<size_t>(o * len + offset)) * row_bytes, chunk);
      offset += split[p];
    }
  }

 private:
  int64_t axis_;
  std::vector<int64_t> split_attr_;
};

}  // namespace

std::unique_ptr<OpKernel> create_split_ref(const KernelInit& init) {
  return std::make_unique<SplitRef>(init);
}

}  // namespace trex
