// Reference kernel of TopK: the k largest (or smallest) elements along `axis` with their
// int64 indices, best first. k is an attribute before opset 10 and an input from then on;
// equal values keep the lower index first, as the ONNX tests expect.
#include <algorithm>
#include <numeric>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class TopKRef : public OpKernel {
 public:
  explicit TopKRef(const KernelInit& init)
      : k_attr_(init.opset < 10 ? init.node->attr_int("k", -1) : -1),
        axis_(init.node->attr_int("axis", -1)),
        largest_(init.node->attr_int("largest", 1) != 0) {}
  // No `sorted` member: sorted = 0 leaves the order unspecified, which sorted output meets.

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    int64_t k = k_attr_;
    if (const TensorView* kt = ctx.input(1)) {
      std::vector<int64_t> kv = read_int64s(*kt, label, "k");
      if (kv.size() != 1)
        throw_invalid(label + ": k must hold one value, got " + std::to_string(kv.size()));
      k = kv[0];
    } else if (k < 0) {
      throw_invalid(label + ": k is missing");
    }
    const AxisSplit lanes = split_at_axis(x.dims, axis_, label);
    const size_t ax = lanes.axis;
    const int64_t len = lanes.len, inner = lanes.inner;
    if (k < 0 || k > len)
      throw_invalid(label + ": k = " + std::to_string(k) + " is outside [0, " +
                    std::to_string(len) + "] (the size of axis " + std::to_string(axis_) + ")");
    std::vector<int64_t> out_dims = x.dims;
    out_dims[ax] = k;
    TensorView& values = ctx.output(0, x.dtype, out_dims);
    TensorView& indices = ctx.output(1, DType::kInt64, out_dims);
    int64_t* pi = indices.as<int64_t>();
    dispatch_numeric(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      const T* px = x.as<T>();
      T* pv = values.as<T>();
      for_each_lane(lanes, [&](int64_t o, int64_t in, int64_t base) {
        const T* row = px + base;
        std::vector<int64_t> order(static_cast<size_t>(len));
        std::iota(order.begin(), order.end(), int64_t{0});
        // A total order: NaN ranks above every number (so it is "largest"), then ties
        // go to the lower index. Never a partial order, which std::sort must not get.
        auto above = [](T a, T b) { return (a != a && b == b) || a > b; };
        auto better = [&](int64_t i, int64_t j) {
          T a = row[i * inner], b = row[j * inner];
          if (largest_ ? above(a, b) : above(b, a)) return true;
          if (largest_ ? above(b, a) : above(a, b)) return false;
          return i < j;
        };
        std::partial_sort(order.begin(), order.begin() + k, order.end(), better);
        for (int64_t j = 0; j < k; ++j) {
          const int64_t at = (o * k + j) * inner + in;
          pv[at] = row[order[static_cast<size_t>(j)] * inner];
          pi[at] = order[static_cast<size_t>(j)];
        }
      });
    });
  }

 private:
  int64_t k_attr_;
  int64_t axis_;
  bool largest_;
};

}  // namespace

std::unique_ptr<OpKernel> create_top_k_ref(const KernelInit& init) {
  return std::make_unique<TopKRef>(init);
}

}  // namespace trex
