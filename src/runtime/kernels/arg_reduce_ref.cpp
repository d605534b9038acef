// Reference kernels of ArgMax and ArgMin: the int64 index of the largest (smallest) element
// along `axis`, the first such index or, with select_last_index, the last.
#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class ArgReduceRef : public OpKernel {
 public:
  explicit ArgReduceRef(const KernelInit& init)
      : max_(init.node->op_type() == "ArgMax"),
        axis_(init.node->attr_int("axis", 0)),
        keepdims_(init.node->attr_int("keepdims", 1) != 0),
        select_last_(init.node->attr_int("select_last_index", 0) != 0) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    const AxisSplit lanes = split_at_axis(x.dims, axis_, label);
    const size_t ax = lanes.axis;
    const int64_t len = lanes.len, inner = lanes.inner;
    std::vector<int64_t> out_dims = x.dims;
    if (keepdims_)
      out_dims[ax] = 1;
    else
      out_dims.erase(out_dims.begin() + static_cast<std::ptrdiff_t>(ax));
    if (len == 0 && lanes.outer * inner > 0)
      throw_invalid(label + ": cannot take the arg" + (max_ ? "max" : "min") +
                    " of an empty axis " + std::to_string(axis_));
    TensorView& y = ctx.output(0, DType::kInt64, out_dims);
    int64_t* py = y.as<int64_t>();
    dispatch_numeric(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      const T* px = x.as<T>();
      for_each_lane(lanes, [&](int64_t o, int64_t in, int64_t base) {
        const T* row = px + base;
        int64_t best = 0;
        for (int64_t i = 1; i < len; ++i) {
          T v = row[i * inner], b = row[best * inner];
          if (b != b) break;  // a NaN is the answer, as numpy's argmax picks the first NaN
          bool better = v != v || (max_ ? v > b : v < b) || (select_last_ && v == b);
          if (better) best = i;
        }
        py[o * inner + in] = best;
      });
    });
  }

 private:
  bool max_;
  int64_t axis_;
  bool keepdims_;
  bool select_last_;
};

}  // namespace

std::unique_ptr<OpKernel> create_arg_reduce_ref(const KernelInit& init) {
  return std::make_unique<ArgReduceRef>(init);
}

}  // namespace trex
