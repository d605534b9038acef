// Softmax and LogSoftmax on oneDNN (f32, plain layout). The input is viewed as 3-D
// [outer, len, inner] and normalized along the middle axis: from opset 13 `len` is the one
// `axis`; before, the input is coerced to 2-D [prod(dims[:axis]), prod(dims[axis:])] and each
// whole row normalized (inner = 1). A plain row-major tensor has both views without copying.
// Primitives are cached per view.
#include <map>
#include <tuple>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

class SoftmaxDnnl : public OpKernel {
 public:
  explicit SoftmaxDnnl(const KernelInit& init)
      : log_(init.node->op_type() == "LogSoftmax"),
        coerce_2d_(init.opset < 13),
        axis_(init.node->attr_int("axis", init.opset < 13 ? 1 : -1)) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    if (x.dtype != DType::kFloat32)
      throw_invalid(label + ": X must be f32, got " + dtype_name(x.dtype));
    const int64_t rank = static_cast<int64_t>(x.rank());
    int64_t outer, len, inner;
    if (coerce_2d_) {
      // axis == rank is legal here: every element is its own row.
      if (axis_ < -rank || axis_ > rank)
        throw_invalid(label + ": axis " + std::to_string(axis_) + " is out of range for rank " +
                      std::to_string(rank));
      const size_t ax = static_cast<size_t>(axis_ < 0 ? axis_ + rank : axis_);
      outer = dims_product(x.dims, 0, ax);
      len = dims_product(x.dims, ax, x.dims.size());
      inner = 1;
    } else {
      const AxisSplit s = split_at_axis(x.dims, axis_, label);
      outer = s.outer;
      len = s.len;
      inner = s.inner;
    }
    TensorView& y = ctx.output(0, DType::kFloat32, x.dims);
    if (x.numel() == 0) return;
    Compiled& c = compiled_for(outer, len, inner);
    memory src(c.md, dnnl_engine(), x.data), dst(c.md, dnnl_engine(), y.data);
    c.prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    dnnl_stream().wait();
  }

 private:
  struct Compiled {
    dnnl::primitive prim;
    memory::desc md;
  };

  Compiled& compiled_for(int64_t outer, int64_t len, int64_t inner) {
    auto key = std::make_tuple(outer, len, inner);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    Compiled c;
    c.md = inner == 1
               ? memory::desc({outer, len}, memory::data_type::f32, memory::format_tag::ab)
               : memory::desc({outer, len, inner}, memory::data_type::f32, memory::format_tag::abc);
    const auto prop = dnnl::prop_kind::forward_inference;
    if (log_) {
      dnnl::logsoftmax_forward::desc d(prop, c.md, 1);
      c.prim = dnnl::logsoftmax_forward(dnnl::logsoftmax_forward::primitive_desc(d, dnnl_engine()));
    } else {
      dnnl::softmax_forward::desc d(prop, c.md, 1);
      c.prim = dnnl::softmax_forward(dnnl::softmax_forward::primitive_desc(d, dnnl_engine()));
    }
    return cache_.emplace(key, std::move(c)).first->second;
  }

  bool log_, coerce_2d_;
  int64_t axis_;
  std::map<std::tuple<int64_t, int64_t, int64_t>, Compiled> cache_;
};

}  // namespace

bool softmax_dnnl_supports(const KernelInit& init) {
  return !init.input_types.empty() && init.input_types[0].dtype == DType::kFloat32;
}

std::unique_ptr<OpKernel> create_softmax_dnnl(const KernelInit& init) {
  return std::make_unique<SoftmaxDnnl>(init);
}

}  // namespace trex
