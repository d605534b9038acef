// trex.QConv on oneDNN's int8 convolution (u8/s8 activations, s8 weights, s32 accumulation,
// 1-D to 3-D spatial). In oneDNN 2.x the bias (s32 or f32, accumulator units) joins the s32
// sum before the per-channel output scales; activation and requantization are post-ops, so
// the result leaves the primitive as u8/s8 (or f32) with no float round trip. Weights are
// reordered once per input shape into the layout the implementation wants (with its
// compensation terms); activations may be plain or channels-last as the session decides.
#include <map>
#include <tuple>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/activation.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/int8_dnnl.h"
#include "runtime/kernels/quantize.h"
#include "runtime/kernels/window_geometry.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

class QConvDnnl : public OpKernel {
 public:
  explicit QConvDnnl(const KernelInit& init)
      : attrs_(read_window_attrs(*init.node)),
        group_(init.node->attr_int("group", 1)),
        weights_(*init.constant(1)),
        x_zero_(static_cast<int32_t>(init.node->attr_int("x_zero_point", 0))),
        act_(Activation::parse(init.node->attr_string("activation", ""),
                               init.node->attr_floats("activation_params"))),
        out_(OutputQuantization::read(*init.node)),
        epilogue_(init.node->attr_float("x_scale", 0.0f), init.node->attr_floats("w_scale"), act_,
                  out_) {
    if (const Tensor* b = init.constant(2)) bias_ = *b;
    if (static_cast<int64_t>(init.node->attr_floats("w_scale").size()) != weights_.dims()[0] ||
        group_ <= 0)
      throw_invalid(init.node->describe() + ": w_scale needs one value per output channel");
    split_ = split_weights_for_pairs(weights_, weights_hi_, weights_lo_);
  }

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    const std::string& label = ctx.node_label();
    const size_t rank = weights_.rank();
    if (x.rank() != rank || (x.dtype != DType::kUInt8 && x.dtype != DType::kInt8))
      throw_invalid(label + ": X must be uint8 or int8 of rank " + std::to_string(rank));
    if (weights_.dims()[0] % group_ || weights_.dims()[1] * group_ != x.dims[1])
      throw_invalid(label + ": X has " + std::to_string(x.dims[1]) + " channels, W " +
                    Shape::from_static(weights_.dims()).to_string() + " with group " +
                    std::to_string(group_));
    Compiled& c =
        compiled_for(x.dims, x.dtype, x.channels_last, ctx.output_channels_last(0), label);
    TensorView& y = ctx.output(0, out_.dtype, c.out_dims);
    void* x_data = int8_source(x, c.flip, flipped_);
    memory src_user(c.src_md, dnnl_engine(), x_data);
    memory dst_user(c.dst_md, dnnl_engine(), y.data);
    memory src = src_user, dst = dst_user;
    if (c.pd_src_md != c.src_md) {
      src = memory(c.pd_src_md, dnnl_engine());
      dnnl::reorder(src_user, src).execute(dnnl_stream(), src_user, src);
    }
    if (c.pd_dst_md != c.dst_md) dst = memory(c.pd_dst_md, dnnl_engine());
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, c.weights}, {DNNL_ARG_DST, dst}};
    if (!bias_.empty()) args[DNNL_ARG_BIAS] = c.bias;
    if (c.zero != 0) args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = c.src_zero;
    if (split_) run_high_half(c.first, c.weights_hi, c.partial, args);
    c.prim.execute(dnnl_stream(), args);
    if (c.pd_dst_md != c.dst_md) dnnl::reorder(dst, dst_user).execute(dnnl_stream(), dst, dst_user);
    dnnl_stream().wait();
  }

  bool accepts_channels_last(size_t input) const override { return input == 0; }
  bool produces_channels_last() const override { return true; }

 private:
  struct Compiled {
    dnnl::convolution_forward prim, first;  // first: the high half of split weights
    memory::desc src_md, dst_md, pd_src_md, pd_dst_md;
    memory weights, weights_hi, partial, bias, src_zero;
    bool flip = false;  // s8 activations passed as u8 (flip_sign_bit)
    int32_t zero = 0;
    std::vector<int64_t> out_dims;
  };

  Compiled& compiled_for(const std::vector<int64_t>& in, DType x_type, bool src_cl, bool dst_cl,
                         const std::string& label) {
    auto key = std::make_tuple(in, x_type, src_cl, dst_cl);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    const auto& wd = weights_.dims();
    std::vector<int64_t> kernel(wd.begin() + 2, wd.end());
    const std::vector<WindowAxis> axes =
        resolve_window(attrs_, std::vector<int64_t>(in.begin() + 2, in.end()), kernel, label);
    std::vector<int64_t> out = window_output_dims(in[0], wd[0], axes);
    memory::dims strides, dil, pad_l, pad_r;
    for (const WindowAxis& a : axes) {
      strides.push_back(a.stride);
      dil.push_back(a.dilation - 1);  // oneDNN counts gaps
      pad_l.push_back(a.pad_begin);
      pad_r.push_back(a.pad_end);
    }
    auto tag = [](bool cl, size_t r) { return cl ? channels_last_tag(r) : plain_tag(r); };
    // oneDNN halves the weights of s8 x s8 products on CPUs without VNNI; x + 128 as u8 with
    // the zero point moved along is exact.
    const bool flip = x_type == DType::kInt8 && int8_pairs_saturate();
    const int32_t zero = x_zero_ + (flip ? 128 : 0);
    const memory::data_type src_dt = dnnl_type(flip ? DType::kUInt8 : x_type),
                            dst_dt = dnnl_type(out_.dtype);
    memory::desc src_md(to_dnnl_dims(in), src_dt, tag(src_cl, in.size()));
    memory::desc dst_md(to_dnnl_dims(out), dst_dt, tag(dst_cl, out.size()));
    memory::desc src_any(to_dnnl_dims(in), src_dt, memory::format_tag::any);
    memory::desc dst_any(to_dnnl_dims(out), dst_dt, memory::format_tag::any);
    std::vector<int64_t> w_dims = wd;
    if (group_ > 1) {  // oneDNN's grouped weights: [G, OC/G, IC/G, k...]
      w_dims.insert(w_dims.begin(), group_);
      w_dims[1] /= group_;
    }
    memory::desc w_any(to_dnnl_dims(w_dims), memory::data_type::s8, memory::format_tag::any);
    memory::desc b_md({wd[0]}, dnnl_type(bias_.dtype()), memory::format_tag::a);
    auto make_desc = [&](const memory::desc& s, const memory::desc& d, bool with_bias) {
      using dnnl::convolution_forward;
      return with_bias ? convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                   dnnl::algorithm::convolution_direct, s, w_any,
                                                   b_md, d, strides, dil, pad_l, pad_r)
                       : convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                   dnnl::algorithm::convolution_direct, s, w_any, d,
                                                   strides, dil, pad_l, pad_r);
    };
    auto make_attr = [&](const memory::desc* partial, bool post_ops) {
      dnnl::primitive_attr attr;
      attr.set_output_scales(2, epilogue_.scales);  // per output channel (dim 1 of dst)
      if (zero != 0) attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
      if (post_ops) attr.set_post_ops(epilogue_.ops(partial));
      return attr;
    };
    // Split weights (a CPU without VNNI): the high half writes its scaled sum as f32 in the
    // output's layout and the low half adds it in before the activation and requantization.
    const bool has_bias = !bias_.empty();
    const memory::desc partial_md(to_dnnl_dims(out), memory::data_type::f32,
                                  tag(dst_cl, out.size()));
    const dnnl::primitive_attr attr = make_attr(split_ ? &partial_md : nullptr, true);
    const bool main_bias = has_bias && !split_;
    // The activations as they are when a fast implementation takes them; else oneDNN's pick
    // (the output stays as it is when a partial sum must match its layout).
    dnnl::convolution_forward::primitive_desc pd(make_desc(src_md, dst_md, main_bias), attr,
                                                 dnnl_engine(), true);
    std::string impl = pd ? pd.impl_info_str() : "";
    if (!pd || impl.find("gemm") != std::string::npos || impl.find("ref") != std::string::npos)
      pd = dnnl::convolution_forward::primitive_desc(
          make_desc(src_any, split_ ? dst_md : dst_any, main_bias), attr, dnnl_engine());
    Compiled c;
    c.flip = flip;
    c.prim = dnnl::convolution_forward(pd);
    c.src_md = src_md;
    c.dst_md = dst_md;
    c.pd_src_md = pd.src_desc();
    c.pd_dst_md = pd.dst_desc();
    c.out_dims = out;
    memory::desc w_plain(to_dnnl_dims(w_dims), memory::data_type::s8, plain_tag(w_dims.size()));
    auto reordered = [&](const Tensor& w, const memory::desc& md) {
      memory user(w_plain, dnnl_engine(), const_cast<uint8_t*>(w.raw()));
      memory m(md, dnnl_engine());
      dnnl::reorder(user, m).execute(dnnl_stream(), user, m);
      return m;
    };
    c.weights = reordered(split_ ? weights_lo_ : weights_, pd.weights_desc());
    if (split_) {
      dnnl::convolution_forward::primitive_desc first(make_desc(c.pd_src_md, partial_md, has_bias),
                                                      make_attr(nullptr, false), dnnl_engine());
      c.first = dnnl::convolution_forward(first);
      c.weights_hi = reordered(weights_hi_, first.weights_desc());
      c.partial = memory(partial_md, dnnl_engine());
    }
    if (has_bias) c.bias = memory(b_md, dnnl_engine(), const_cast<uint8_t*>(bias_.raw()));
    c.zero = zero;
    if (zero != 0) {
      c.src_zero = memory({{1}, memory::data_type::s32, memory::format_tag::a}, dnnl_engine());
      *static_cast<int32_t*>(c.src_zero.get_data_handle()) = zero;
    }
    dnnl_stream().wait();
    return cache_.emplace(key, std::move(c)).first->second;
  }

  WindowAttrs attrs_;
  int64_t group_;
  Tensor weights_, bias_;
  bool split_ = false;  // split_weights_for_pairs: weights_ = weights_hi_ + weights_lo_
  Tensor weights_hi_, weights_lo_;
  std::vector<uint8_t> flipped_;
  int32_t x_zero_;
  Activation act_;
  OutputQuantization out_;
  Int8Epilogue epilogue_;
  std::map<std::tuple<std::vector<int64_t>, DType, bool, bool>, Compiled> cache_;
};

}  // namespace

bool qconv_dnnl_supports(const KernelInit& init) {
  const Tensor* w = init.constant(1);
  if (!w || w->dtype() != DType::kInt8 || w->rank() < 3 || w->rank() > 5) return false;
  if (init.input_types.empty()) return false;
  const DType x = init.input_types[0].dtype;
  if (x != DType::kUInt8 && x != DType::kInt8 && x != DType::kUndefined) return false;
  if (init.input_types.size() > 2 && init.input_types[2].dtype != DType::kUndefined) {
    const Tensor* b = init.constant(2);
    if (!b || (b->dtype() != DType::kInt32 && b->dtype() != DType::kFloat32) ||
        b->numel() != w->dims()[0])
      return false;
  }
  return true;
}

std::unique_ptr<OpKernel> create_qconv_dnnl(const KernelInit& init) {
  return std::make_unique<QConvDnnl>(init);
}

}  // namespace trex
