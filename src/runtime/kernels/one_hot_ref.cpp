// Reference kernel of OneHot: a new axis of size `depth` at `axis` holding values[1] where
// the coordinate equals the index and values[0] elsewhere. Negative indices count from
// the end (opset 11); indices outside [-depth, depth) give an all-off row.
#include <cmath>
#include <cstring>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class OneHotRef : public OpKernel {
 public:
  explicit OneHotRef(const KernelInit& init) : axis_(init.node->attr_int("axis", -1)) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& idx_t = *ctx.input(0);
    const TensorView* depth_t = ctx.input(1);
    const TensorView* values = ctx.input(2);
    if (!depth_t || !values) throw_invalid(label + ": depth and values are required");
    if (depth_t->numel() != 1)
      throw_invalid(label + ": depth must hold one value, got " + std::to_string(depth_t->numel()));
    if (values->numel() != 2)
      throw_invalid(label + ": values must hold [off, on], got " + std::to_string(values->numel()) +
                    " elements");
    // depth and indices may be any numeric type; ONNX truncates them to integers.
    const std::vector<double> depth_v = as_doubles(*depth_t, label);
    if (!(depth_v[0] >= 1) || depth_v[0] > 9.0e15)
      throw_invalid(label + ": depth " + std::to_string(depth_v[0]) + " is not a positive size");
    const int64_t depth = static_cast<int64_t>(depth_v[0]);
    const std::vector<double> idx = as_doubles(idx_t, label);
    const int64_t out_rank = static_cast<int64_t>(idx_t.rank()) + 1;
    const size_t ax = static_cast<size_t>(normalize_axis(axis_, out_rank, label));
    std::vector<int64_t> out_dims = idx_t.dims;
    out_dims.insert(out_dims.begin() + static_cast<std::ptrdiff_t>(ax), depth);
    TensorView& y = ctx.output(0, values->dtype, out_dims);
    const int64_t outer = dims_product(idx_t.dims, 0, ax);
    const int64_t inner = dims_product(idx_t.dims, ax, idx_t.dims.size());
    const size_t esize = dtype_size(values->dtype);
    const uint8_t* off = static_cast<const uint8_t*>(values->data);
    const uint8_t* on = off + esize;
    uint8_t* py = static_cast<uint8_t*>(y.data);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t d = 0; d < depth; ++d)
        for (int64_t in = 0; in < inner; ++in) {
          double v = std::trunc(idx[static_cast<size_t>(o * inner + in)]);
          if (v < 0) v += static_cast<double>(depth);
          const bool hot = v == static_cast<double>(d);
          std::memcpy(py + static_cast<size_t>((o * depth + d) * inner + in) * esize,
                      hot ? on : off, esize);
        }
  }

 private:
  static std::vector<double> as_doubles(const TensorView& t, const std::string& label) {
    return dispatch_numeric(t.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      std::vector<double> out(static_cast<size_t>(t.numel()));
      for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(t.as<T>()[i]);
      return out;
    });
  }

  int64_t axis_;
};

}  // namespace

std::unique_ptr<OpKernel> create_one_hot_ref(const KernelInit& init) {
  return std::make_unique<OneHotRef>(init);
}

}  // namespace trex
