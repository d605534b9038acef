// Reference kernel of MatMul with numpy semantics: batch dims broadcast, a 1-D first operand
// is a row vector and a 1-D second operand a column vector, and the dim added for either
// is dropped from the result.
#include <type_traits>

#include "ir/shape.h"
#include "runtime/kernel.h"
#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

class MatMulRef : public OpKernel {
 public:
  explicit MatMulRef(const KernelInit&) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView* a = ctx.input(0);
    const TensorView* b = ctx.input(1);
    if (!a || !b) throw_invalid(label + ": inputs A and B are required");
    if (a->dtype != b->dtype)
      throw_invalid(label + ": A and B have different element types (" + dtype_name(a->dtype) +
                    ", " + dtype_name(b->dtype) + ")");
    if (a->rank() == 0 || b->rank() == 0)
      throw_invalid(label + ": MatMul operands must have at least one dimension");
    std::vector<int64_t> ad = a->dims, bd = b->dims;
    const bool a_vec = ad.size() == 1, b_vec = bd.size() == 1;
    if (a_vec) ad.insert(ad.begin(), 1);
    if (b_vec) bd.push_back(1);
    const int64_t m = ad[ad.size() - 2], k = ad.back();
    const int64_t kb = bd[bd.size() - 2], n = bd.back();
    if (k != kb)
      throw_invalid(label + ": inner dimensions differ: A is " +
                    Shape::from_static(a->dims).to_string() + ", B is " +
                    Shape::from_static(b->dims).to_string());
    std::vector<int64_t> a_batch(ad.begin(), ad.end() - 2), b_batch(bd.begin(), bd.end() - 2);
    std::vector<int64_t> batch = broadcast_shapes({a_batch, b_batch}, label);
    std::vector<int64_t> out_dims = batch;
    if (!a_vec) out_dims.push_back(m);
    if (!b_vec) out_dims.push_back(n);
    TensorView& y = ctx.output(0, a->dtype, out_dims);
    int64_t batches = 1;
    for (int64_t d : batch) batches *= d;
    BroadcastIndexer ia(a_batch, batch), ib(b_batch, batch);
    dispatch_numeric(a->dtype, label, [&](auto zero) {
      using T = decltype(zero);
      // As Gemm: floats accumulate in double, integers in 64 bits.
      using Acc = std::conditional_t<std::is_floating_point_v<T>, double,
                                     std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;
      const T* pa = a->as<T>();
      const T* pb = b->as<T>();
      T* py = y.as<T>();
#pragma omp parallel for collapse(2)
      for (int64_t bi = 0; bi < batches; ++bi) {
        for (int64_t i = 0; i < m; ++i) {
          const T* ra = pa + ia.at(bi) * m * k + i * k;
          const T* mb = pb + ib.at(bi) * k * n;
          T* ry = py + (bi * m + i) * n;
          for (int64_t j = 0; j < n; ++j) {
            Acc acc = 0;
            for (int64_t p = 0; p < k; ++p)
              acc += static_cast<Acc>(ra[p]) * static_cast<Acc>(mb[p * n + j]);
            ry[j] = static_cast<T>(acc);
          }
        }
      }
    });
  }
};

}  // namespace

std::unique_ptr<OpKernel> create_matmul_ref(const KernelInit& init) {
  return std::make_unique<MatMulRef>(init);
}

}  // namespace trex
