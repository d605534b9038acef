// Reference kernel of ScatterElements (and the older Scatter): a copy of data in which
// output[indices[i][j]][j] = updates[i][j] for axis 0 (likewise for any axis), optionally
// combined with the existing value by add, mul (opset 16), max or min (opset 18).
#include <cstring>

#include "ir/shape.h"
#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

enum class Reduce { kNone, kAdd, kMul, kMax, kMin };

class ScatterElementsRef : public OpKernel {
 public:
  explicit ScatterElementsRef(const KernelInit& init) : axis_(init.node->attr_int("axis", 0)) {
    const std::string r = init.node->attr_string("reduction", "none");
    if (r == "none")
      reduce_ = Reduce::kNone;
    else if (r == "add")
      reduce_ = Reduce::kAdd;
    else if (r == "mul")
      reduce_ = Reduce::kMul;
    else if (r == "max")
      reduce_ = Reduce::kMax;
    else if (r == "min")
      reduce_ = Reduce::kMin;
    else
      throw_invalid("unknown reduction '" + r + "'");
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& data = *ctx.input(0);
    if (!ctx.input(1) || !ctx.input(2)) throw_invalid(label + ": indices and updates are required");
    const TensorView& idx_t = *ctx.input(1);
    const TensorView& upd = *ctx.input(2);
    const size_t ax =
        static_cast<size_t>(normalize_axis(axis_, static_cast<int64_t>(data.rank()), label));
    if (idx_t.dims != upd.dims || !element_indices_fit(data.dims, idx_t.dims, ax))
      throw_invalid(label + ": indices " + Shape::from_static(idx_t.dims).to_string() +
                    " and updates " + Shape::from_static(upd.dims).to_string() +
                    " do not fit data " + Shape::from_static(data.dims).to_string());
    if (upd.dtype != data.dtype)
      throw_invalid(label + ": updates are " + dtype_name(upd.dtype) + ", data is " +
                    dtype_name(data.dtype));
    // Output positions first, so a bad index fails before anything is combined.
    const std::vector<int64_t> target =
        element_offsets(data.dims, idx_t.dims, read_int64s(idx_t, label, "indices"), axis_, label);
    TensorView& y = ctx.output(0, data.dtype, data.dims);
    if (data.nbytes()) std::memcpy(y.data, data.data, data.nbytes());
    const int64_t n = upd.numel();
    if (reduce_ == Reduce::kNone) {
      const size_t esize = dtype_size(data.dtype);
      for (int64_t i = 0; i < n; ++i)
        std::memcpy(static_cast<uint8_t*>(y.data) +
                        static_cast<size_t>(target[static_cast<size_t>(i)]) * esize,
                    static_cast<const uint8_t*>(upd.data) + static_cast<size_t>(i) * esize, esize);
      return;
    }
    dispatch_numeric(data.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      T* py = y.as<T>();
      const T* pu = upd.as<T>();
      // In index order, so duplicates combine as the ONNX reference does.
      for (int64_t i = 0; i < n; ++i) {
        T& o = py[target[static_cast<size_t>(i)]];
        const T u = pu[i];
        switch (reduce_) {
          case Reduce::kAdd:
            o = static_cast<T>(o + u);
            break;
          case Reduce::kMul:
            o = static_cast<T>(o * u);
            break;
          case Reduce::kMax:
            o = u > o ? u : o;
            break;
          default:
            o = u < o ? u : o;
            break;
        }
      }
    });
  }

 private:
  int64_t axis_;
  Reduce reduce_ = Reduce::kNone;
};

}  // namespace

std::unique_ptr<OpKernel> create_scatter_elements_ref(const KernelInit& init) {
  return std::make_unique<ScatterElementsRef>(init);
}

}  // namespace trex
