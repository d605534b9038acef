// MatMul on oneDNN's matmul (f32), numpy semantics: 1-D operands become a row (A) or a column
// (B) and the added dim is dropped from the result; batch dims broadcast where one side is 1
// (oneDNN does this natively once both sides have the same rank). A constant B is packed
// into the implementation's preferred layout once per primitive. Primitives are cached per
// (A, B) shape. Shapes oneDNN cannot take (empty dims, rank above 12) and malformed inputs go
// to the reference kernel, which computes them or reports the error.
#include <algorithm>
#include <map>
#include <utility>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/reference_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

constexpr size_t kMaxRank = 12;  // oneDNN's DNNL_MAX_NDIMS

class MatMulDnnl : public OpKernel {
 public:
  explicit MatMulDnnl(const KernelInit& init) : reference_(create_matmul_ref(init)) {
    if (const Tensor* b = init.constant(1)) b_const_ = *b;
  }

  void compute(KernelContext& ctx) override {
    const TensorView* a = ctx.input(0);
    const TensorView* b = ctx.input(1);
    std::vector<int64_t> ad, bd, out_dims;
    if (!a || !b || !matmul_shapes(*a, *b, ad, bd, out_dims)) return reference_->compute(ctx);
    Compiled& c = compiled_for(ad, bd);
    TensorView& y = ctx.output(0, DType::kFloat32, out_dims);
    memory src(c.src_md, dnnl_engine(), a->data), dst(c.dst_md, dnnl_engine(), y.data);
    memory weights = b_const_.empty() ? memory(c.w_md, dnnl_engine(), b->data) : c.weights;
    c.prim.execute(dnnl_stream(),
                   {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}});
    dnnl_stream().wait();
  }

 private:
  struct Compiled {
    dnnl::matmul prim;
    memory::desc src_md, w_md, dst_md;
    memory weights;  // packed constant B
  };

  /// A's and B's dims as oneDNN takes them (same rank >= 2, 1-D operands expanded) and the
  /// ONNX output dims; false when oneDNN cannot compute this pair (the reference decides).
  static bool matmul_shapes(const TensorView& a, const TensorView& b, std::vector<int64_t>& ad,
                            std::vector<int64_t>& bd, std::vector<int64_t>& out) {
    if (a.dtype != DType::kFloat32 || b.dtype != DType::kFloat32 || a.rank() == 0 ||
        b.rank() == 0 || a.numel() == 0 || b.numel() == 0)
      return false;
    ad = a.dims;
    bd = b.dims;
    const bool a_vec = ad.size() == 1, b_vec = bd.size() == 1;
    if (a_vec) ad.insert(ad.begin(), 1);
    if (b_vec) bd.push_back(1);
    size_t rank = std::max(ad.size(), bd.size());
    if (rank > kMaxRank || ad.back() != bd[bd.size() - 2]) return false;
    ad.insert(ad.begin(), rank - ad.size(), 1);
    bd.insert(bd.begin(), rank - bd.size(), 1);
    out.clear();
    for (size_t i = 0; i + 2 < rank; ++i) {
      if (ad[i] != bd[i] && ad[i] != 1 && bd[i] != 1) return false;
      out.push_back(std::max(ad[i], bd[i]));
    }
    if (!a_vec) out.push_back(ad[rank - 2]);
    if (!b_vec) out.push_back(bd[rank - 1]);
    return true;
  }

  Compiled& compiled_for(const std::vector<int64_t>& ad, const std::vector<int64_t>& bd) {
    auto key = std::make_pair(ad, bd);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    const size_t rank = ad.size();
    std::vector<int64_t> od(rank);
    for (size_t i = 0; i + 2 < rank; ++i) od[i] = std::max(ad[i], bd[i]);
    od[rank - 2] = ad[rank - 2];
    od[rank - 1] = bd[rank - 1];
    auto plain = [](const std::vector<int64_t>& d) {
      return memory::desc(to_dnnl_dims(d), memory::data_type::f32, to_dnnl_dims(strides_of(d)));
    };
    Compiled c;
    c.src_md = plain(ad);
    c.w_md = plain(bd);
    c.dst_md = plain(od);
    memory::desc w_md = b_const_.empty() ? c.w_md
                                         : memory::desc(to_dnnl_dims(bd), memory::data_type::f32,
                                                        memory::format_tag::any);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(c.src_md, w_md, c.dst_md), dnnl_engine());
    c.prim = dnnl::matmul(pd);
    if (!b_const_.empty()) {
      memory w_user(c.w_md, dnnl_engine(), const_cast<uint8_t*>(b_const_.raw()));
      c.weights = memory(pd.weights_desc(), dnnl_engine());
      dnnl::reorder(w_user, c.weights).execute(dnnl_stream(), w_user, c.weights);
      dnnl_stream().wait();
    }
    return cache_.emplace(key, std::move(c)).first->second;
  }

  std::unique_ptr<OpKernel> reference_;
  Tensor b_const_;
  std::map<std::pair<std::vector<int64_t>, std::vector<int64_t>>, Compiled> cache_;
};

}  // namespace

bool matmul_dnnl_supports(const KernelInit& init) {
  if (init.input_types.size() != 2) return false;
  for (const TensorType& t : init.input_types)
    if (t.dtype != DType::kFloat32) return false;
  return true;
}

std::unique_ptr<OpKernel> create_matmul_dnnl(const KernelInit& init) {
  return std::make_unique<MatMulDnnl>(init);
}

}  // namespace trex
