// Reference kernel of Gemm (opset 7+): Y = alpha * A' * B' + beta * C, where A' and B' are
// A and B optionally transposed and the optional C broadcasts unidirectionally to [M, N].
#include <type_traits>

#include "runtime/kernel.h"
#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class GemmRef : public OpKernel {
 public:
  explicit GemmRef(const KernelInit& init) {
    const Node& n = *init.node;
    trans_a_ = n.attr_int("transA", 0) != 0;
    trans_b_ = n.attr_int("transB", 0) != 0;
    alpha_ = n.attr_float("alpha", 1.0f);
    beta_ = n.attr_float("beta", 1.0f);
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView* a = ctx.input(0);
    const TensorView* b = ctx.input(1);
    const TensorView* c = ctx.input(2);
    if (!a || !b) throw_invalid(label + ": inputs A and B are required");
    if (a->rank() != 2 || b->rank() != 2)
      throw_invalid(label + ": A and B must be 2-D, got ranks " + std::to_string(a->rank()) +
                    " and " + std::to_string(b->rank()));
    if (a->dtype != b->dtype || (c && c->dtype != a->dtype))
      throw_invalid(label + ": A, B and C must have the same element type");
    const int64_t m = trans_a_ ? a->dims[1] : a->dims[0];
    const int64_t k = trans_a_ ? a->dims[0] : a->dims[1];
    const int64_t kb = trans_b_ ? b->dims[1] : b->dims[0];
    const int64_t n = trans_b_ ? b->dims[0] : b->dims[1];
    if (k != kb)
      throw_invalid(label + ": inner dimensions differ (A' is " + std::to_string(m) + "x" +
                    std::to_string(k) + ", B' is " + std::to_string(kb) + "x" + std::to_string(n) +
                    ")");
    const std::vector<int64_t> out_dims{m, n};
    if (c) {
      // Unidirectional: C may only stretch to [M, N], never the other way.
      bool ok = c->rank() <= 2;
      for (size_t i = 0; ok && i < c->rank(); ++i) {
        const int64_t d = c->dims[c->rank() - 1 - i], want = out_dims[1 - i];
        ok = d == 1 || d == want;
      }
      if (!ok)
        throw_invalid(label + ": C does not broadcast to [" + std::to_string(m) + "," +
                      std::to_string(n) + "]");
    }
    TensorView& y = ctx.output(0, a->dtype, out_dims);
    dispatch_numeric(a->dtype, label, [&](auto zero) {
      using T = decltype(zero);
      run<T>(*a, *b, c, y, m, n, k);
    });
  }

 private:
  template <typename T>
  void run(const TensorView& a, const TensorView& b, const TensorView* c, TensorView& y, int64_t m,
           int64_t n, int64_t k) const {
    // Floats accumulate in double so the reference is the accurate side of comparisons;
    // integers in 64 bits so intermediate products do not overflow the element type.
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double,
                                   std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;
    const T* pa = a.as<T>();
    const T* pb = b.as<T>();
    T* py = y.as<T>();
    const int64_t lda = a.dims[1], ldb = b.dims[1];
    const bool plain = alpha_ == 1.0f && beta_ == 1.0f;
    BroadcastIndexer ic(c ? c->dims : std::vector<int64_t>{}, {m, n});
#pragma omp parallel for
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        Acc acc = 0;
        for (int64_t p = 0; p < k; ++p) {
          Acc va = static_cast<Acc>(trans_a_ ? pa[p * lda + i] : pa[i * lda + p]);
          Acc vb = static_cast<Acc>(trans_b_ ? pb[j * ldb + p] : pb[p * ldb + j]);
          acc += va * vb;
        }
        Acc cv = c ? static_cast<Acc>(c->as<T>()[ic.at(i * n + j)]) : Acc{0};
        if (plain && !std::is_floating_point_v<T>)
          py[i * n + j] = static_cast<T>(acc + cv);
        else
          py[i * n + j] = static_cast<T>(static_cast<double>(alpha_) * static_cast<double>(acc) +
                                         static_cast<double>(beta_) * static_cast<double>(cv));
      }
    }
  }

  bool trans_a_ = false;
  bool trans_b_ = false;
  float alpha_ = 1.0f;
  float beta_ = 1.0f;
};

}  // namespace

std::unique_ptr<OpKernel> create_gemm_ref(const KernelInit& init) {
  return std::make_unique<GemmRef>(init);
}

}  // namespace trex
