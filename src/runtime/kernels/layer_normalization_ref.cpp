// Reference LayerNormalization (opset 17): normalizes over the axes from `axis` to the
// last, then applies Scale and optional B broadcast to those axes. Also writes the optional
// Mean and InvStdDev outputs (X's dims with the normalized axes set to 1, type stash_type).
#include <cmath>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class LayerNormalizationRef : public OpKernel {
 public:
  explicit LayerNormalizationRef(const KernelInit& init) {
    const Node& n = *init.node;
    axis_ = n.attr_int("axis", -1);
    epsilon_ = n.attr_float("epsilon", 1e-5f);
    const int64_t stash = n.attr_int("stash_type", 1);
    if (stash == 1)
      stash_type_ = DType::kFloat32;
    else if (stash == 11)
      stash_type_ = DType::kFloat64;
    else
      throw_unsupported("stash_type " + std::to_string(stash) + " (supported: 1 float, 11 double)");
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    if (!ctx.input(0) || !ctx.input(1)) throw_invalid(label + ": needs inputs X and Scale");
    const TensorView& x = *ctx.input(0);
    const TensorView& scale = *ctx.input(1);
    const TensorView* bias = ctx.input(2);
    const int64_t rank = static_cast<int64_t>(x.rank());
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (axis < 0 || axis >= rank)
      throw_invalid(label + ": axis " + std::to_string(axis_) + " is out of range for rank " +
                    std::to_string(rank));
    std::vector<int64_t> norm_dims(x.dims.begin() + axis, x.dims.end());
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= x.dims[static_cast<size_t>(i)];
    for (int64_t d : norm_dims) inner *= d;
    // Scale and B broadcast one way onto the normalized dims.
    for (const TensorView* t : {&scale, bias}) {
      if (!t) continue;
      if (t->dtype != x.dtype) throw_invalid(label + ": Scale and B must have X's element type");
      if (broadcast_shapes({norm_dims, t->dims}, label) != norm_dims)
        throw_invalid(label + ": Scale and B must broadcast to the normalized dims " +
                      Shape::from_static(norm_dims).to_string());
    }
    BroadcastIndexer si(scale.dims, norm_dims);
    BroadcastIndexer bi(bias ? bias->dims : norm_dims, norm_dims);
    std::vector<int64_t> stat_dims = x.dims;
    for (size_t i = static_cast<size_t>(axis); i < stat_dims.size(); ++i) stat_dims[i] = 1;
    TensorView& y = ctx.output(0, x.dtype, x.dims);
    std::vector<double> mean(static_cast<size_t>(outer)), inv_std(static_cast<size_t>(outer));
    dispatch_float(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      const T* src = x.as<T>();
      T* dst = y.as<T>();
      const T* s = scale.as<T>();
      const T* b = bias ? bias->as<T>() : nullptr;
#pragma omp parallel for schedule(static)
      for (int64_t o = 0; o < outer; ++o) {
        const T* xp = src + o * inner;
        double m = 0, var = 0;
        for (int64_t i = 0; i < inner; ++i) m += static_cast<double>(xp[i]);
        m = inner > 0 ? m / static_cast<double>(inner) : 0.0;
        for (int64_t i = 0; i < inner; ++i) {
          const double d = static_cast<double>(xp[i]) - m;
          var += d * d;
        }
        var = inner > 0 ? var / static_cast<double>(inner) : 0.0;
        const double inv = 1.0 / std::sqrt(var + static_cast<double>(epsilon_));
        mean[static_cast<size_t>(o)] = m;
        inv_std[static_cast<size_t>(o)] = inv;
        for (int64_t i = 0; i < inner; ++i) {
          double v = (static_cast<double>(xp[i]) - m) * inv * static_cast<double>(s[si.at(i)]);
          if (b) v += static_cast<double>(b[bi.at(i)]);
          dst[o * inner + i] = static_cast<T>(v);
        }
      }
    });
    for (size_t k = 1; k < 3 && k < ctx.num_outputs(); ++k) {
      TensorView& t = ctx.output(k, stash_type_, stat_dims);
      const std::vector<double>& v = k == 1 ? mean : inv_std;
      dispatch_float(stash_type_, label, [&](auto zero) {
        using U = decltype(zero);
        for (size_t i = 0; i < v.size(); ++i) t.as<U>()[i] = static_cast<U>(v[i]);
      });
    }
  }

 private:
  int64_t axis_;
  float epsilon_;
  DType stash_type_ = DType::kFloat32;
};

}  // namespace

std::unique_ptr<OpKernel> create_layer_normalization_ref(const KernelInit& init) {
  return std::make_unique<LayerNormalizationRef>(init);
}

}  // namespace trex
