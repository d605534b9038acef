// trex.QGemm on oneDNN's int8 matmul: A (u8/s8, [..., K] seen as [M, K]) times B (s8
// constant, reordered once into the implementation's layout) with s32 accumulation; bias,
// per-column output scales, activation and requantization as in qconv_dnnl.cpp
// (int8_dnnl.h). Primitives are cached per M.
#include <map>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/int8_dnnl.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

class QGemmDnnl : public OpKernel {
 public:
  explicit QGemmDnnl(const KernelInit& init)
      : trans_b_(init.node->attr_int("transB", 0) != 0),
        weights_(*init.constant(1)),
        x_zero_(static_cast<int32_t>(init.node->attr_int("x_zero_point", 0))),
        out_(OutputQuantization::read(*init.node)),
        epilogue_(init.node->attr_float("x_scale", 0.0f), init.node->attr_floats("w_scale"),
                  Activation::parse(init.node->attr_string("activation", ""),
                                    init.node->attr_floats("activation_params")),
                  out_) {
    k_ = weights_.dims()[trans_b_ ? 1 : 0];
    n_ = weights_.dims()[trans_b_ ? 0 : 1];
    if (static_cast<int64_t>(epilogue_.scales.size()) != n_)
      throw_invalid(init.node->describe() + ": w_scale needs one value per output column");
    if (const Tensor* b = init.constant(2)) bias_ = *b;
    split_ = split_weights_for_pairs(weights_, weights_hi_, weights_lo_);
  }

  void compute(KernelContext& ctx) override {
    const TensorView& a = *ctx.input(0);
    const std::string& label = ctx.node_label();
    if (a.rank() < 2 || a.dims.back() != k_ ||
        (a.dtype != DType::kUInt8 && a.dtype != DType::kInt8))
      throw_invalid(label + ": A must be uint8/int8 [..., " + std::to_string(k_) + "]");
    const int64_t m = a.numel() / k_;
    Compiled& c = compiled_for(m, a.dtype);
    std::vector<int64_t> dims = a.dims;
    dims.back() = n_;
    TensorView& y = ctx.output(0, out_.dtype, dims);
    void* a_data = int8_source(a, c.flip, flipped_);
    memory src(c.src_md, dnnl_engine(), a_data), dst(c.dst_md, dnnl_engine(), y.data);
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, c.weights}, {DNNL_ARG_DST, dst}};
    if (!bias_.empty()) args[DNNL_ARG_BIAS] = c.bias;
    if (c.zero != 0) args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = c.src_zero;
    if (split_) run_high_half(c.first, c.weights_hi, c.partial, args);
    c.prim.execute(dnnl_stream(), args);
    dnnl_stream().wait();
  }

 private:
  struct Compiled {
    dnnl::matmul prim, first;  // first: the high half of split weights
    memory::desc src_md, dst_md;
    memory weights, weights_hi, partial, bias, src_zero;
    bool flip = false;  // s8 activations passed as u8 (flip_sign_bit)
    int32_t zero = 0;
  };

  Compiled& compiled_for(int64_t m, DType a_type) {
    auto key = std::make_pair(m, a_type);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    using tag = memory::format_tag;
    // s8 activations as u8 on CPUs without VNNI, as in qconv_dnnl.cpp.
    const bool flip = a_type == DType::kInt8 && int8_pairs_saturate();
    const int32_t zero = x_zero_ + (flip ? 128 : 0);
    memory::desc src_md({m, k_}, dnnl_type(flip ? DType::kUInt8 : a_type), tag::ab);
    memory::desc dst_md({m, n_}, dnnl_type(out_.dtype), tag::ab);
    memory::desc w_any({k_, n_}, memory::data_type::s8, tag::any);
    memory::desc b_md({1, n_}, dnnl_type(bias_.dtype()), tag::ab);
    auto make_attr = [&](const memory::desc* partial, bool post_ops) {
      dnnl::primitive_attr attr;
      attr.set_output_scales(2, epilogue_.scales);  // per column (dim 1 of dst)
      if (zero != 0) attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
      if (post_ops) attr.set_post_ops(epilogue_.ops(partial));
      return attr;
    };
    auto make_desc = [&](const memory::desc& d, bool with_bias) {
      return with_bias ? dnnl::matmul::desc(src_md, w_any, b_md, d)
                       : dnnl::matmul::desc(src_md, w_any, d);
    };
    // Split weights (a CPU without VNNI): as in qconv_dnnl.cpp.
    const bool has_bias = !bias_.empty();
    const memory::desc partial_md({m, n_}, memory::data_type::f32, tag::ab);
    dnnl::matmul::primitive_desc pd(make_desc(dst_md, has_bias && !split_),
                                    make_attr(split_ ? &partial_md : nullptr, true), dnnl_engine());
    Compiled c;
    c.flip = flip;
    c.prim = dnnl::matmul(pd);
    c.src_md = src_md;
    c.dst_md = dst_md;
    memory::desc w_user_md({k_, n_}, memory::data_type::s8, trans_b_ ? tag::ba : tag::ab);
    auto reordered = [&](const Tensor& w, const memory::desc& md) {
      memory user(w_user_md, dnnl_engine(), const_cast<uint8_t*>(w.raw()));
      memory r(md, dnnl_engine());
      dnnl::reorder(user, r).execute(dnnl_stream(), user, r);
      return r;
    };
    c.weights = reordered(split_ ? weights_lo_ : weights_, pd.weights_desc());
    if (split_) {
      dnnl::matmul::primitive_desc first(make_desc(partial_md, has_bias), make_attr(nullptr, false),
                                         dnnl_engine());
      c.first = dnnl::matmul(first);
      c.weights_hi = reordered(weights_hi_, first.weights_desc());
      c.partial = memory(partial_md, dnnl_engine());
    }
    if (has_bias) c.bias = memory(b_md, dnnl_engine(), const_cast<uint8_t*>(bias_.raw()));
    c.zero = zero;
    if (zero != 0) {
      c.src_zero = memory({{1}, memory::data_type::s32, tag::a}, dnnl_engine());
      *static_cast<int32_t*>(c.src_zero.get_data_handle()) = zero;
    }
    dnnl_stream().wait();
    return cache_.emplace(key, std::move(c)).first->second;
  }

  bool trans_b_;
  Tensor weights_, bias_;
  bool split_ = false;  // split_weights_for_pairs: weights_ = weights_hi_ + weights_lo_
  Tensor weights_hi_, weights_lo_;
  std::vector<uint8_t> flipped_;
  int32_t x_zero_;
  OutputQuantization out_;
  Int8Epilogue epilogue_;
  int64_t k_ = 0, n_ = 0;
  std::map<std::pair<int64_t, DType>, Compiled> cache_;
};

}  // namespace

bool qgemm_dnnl_supports(const KernelInit& init) {
  const Tensor* w = init.constant(1);
  if (!w || w->dtype() != DType::kInt8 || w->rank() != 2) return false;
  if (init.input_types.size() > 2 && init.input_types[2].dtype != DType::kUndefined) {
    const Tensor* b = init.constant(2);
    const int64_t n = w->dims()[init.node->attr_int("transB", 0) ? 0 : 1];
    if (!b || (b->dtype() != DType::kInt32 && b->dtype() != DType::kFloat32) || b->numel() != n)
      return false;
  }
  return true;
}

std::unique_ptr<OpKernel> create_qgemm_dnnl(const KernelInit& init) {
  return std::make_unique<QGemmDnnl>(init);
}

}  // namespace trex
