// Conv and trex.FusedConv on oneDNN (f32, 1-D to 3-D spatial). FusedConv's Sum input and
// activation become post-ops (binary add, then eltwise). Weights are reordered once into
// the layout the chosen implementation prefers; primitives are cached per input shape, so a
// batch change costs one primitive creation. Activations may be plain or channels-last (the
// session decides per value); the implementation's preferred layout is reordered to.
#include <map>
#include <mutex>
#include <tuple>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/activation.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

struct ConvParams {
  std::vector<int64_t> strides, dilations, pads;  // pads: begins then ends
  std::string auto_pad;
  int64_t group = 1;
};

class ConvDnnl : public OpKernel {
 public:
  explicit ConvDnnl(const KernelInit& init)
      : weights_(*init.constant(1)),
        act_(Activation::parse(init.node->attr_string("activation", ""),
                               init.node->attr_floats("activation_params"))),
        has_sum_(init.input_types.size() > 3 && init.input_types[3].dtype != DType::kUndefined) {
    const Node& n = *init.node;
    size_t spatial = weights_.rank() - 2;
    p_.strides = n.attr_ints("strides", std::vector<int64_t>(spatial, 1));
    p_.dilations = n.attr_ints("dilations", std::vector<int64_t>(spatial, 1));
    p_.pads = n.attr_ints("pads", std::vector<int64_t>(2 * spatial, 0));
    p_.auto_pad = n.attr_string("auto_pad", "NOTSET");
    p_.group = n.attr_int("group", 1);
    if (p_.strides.size() != spatial || p_.dilations.size() != spatial ||
        p_.pads.size() != 2 * spatial)
      throw_invalid(n.describe() + ": strides/dilations/pads do not match the weight rank");
    if (const Tensor* b = init.constant(2)) bias_ = *b;
  }

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    const std::string& label = ctx.node_label();
    size_t spatial = weights_.rank() - 2;
    if (x.rank() != spatial + 2 || x.dtype != DType::kFloat32)
      throw_invalid(label + ": input must be f32 of rank " + std::to_string(spatial + 2));
    int64_t c_in = x.dims[1], c_out = weights_.dims()[0];
    if (p_.group <= 0 || c_in % p_.group || c_out % p_.group ||
        weights_.dims()[1] * p_.group != c_in)
      throw_invalid(label + ": input channels " + std::to_string(c_in) + " do not match weights " +
                    Shape::from_static(weights_.dims()).to_string() + " with group " +
                    std::to_string(p_.group));
    const TensorView* sum_in = has_sum_ ? ctx.input(3) : nullptr;
    Layouts layouts{x.channels_last, ctx.output_channels_last(0), sum_in && sum_in->channels_last};
    Compiled& c = compiled_for(x.dims, layouts, label);
    // With a residual whose last reader this is, write into its buffer: the sum post-op then
    // needs no copy of it.
    bool in_place = false;
    TensorView& y = has_sum_ && c.pd_dst_md == c.dst_md && c.sum_md == c.dst_md
                        ? ctx.output_reusing(0, 3, DType::kFloat32, c.out_dims, in_place)
                        : ctx.output(0, DType::kFloat32, c.out_dims);
    memory src_user(c.src_md, dnnl_engine(), x.data);
    memory dst_user(c.dst_md, dnnl_engine(), y.data);
    memory src = src_user, dst = dst_user;
    if (c.pd_src_md != c.src_md) {
      src = memory(c.pd_src_md, dnnl_engine());
      dnnl::reorder(src_user, src).execute(dnnl_stream(), src_user, src);
    }
    if (c.pd_dst_md != c.dst_md) dst = memory(c.pd_dst_md, dnnl_engine());
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, c.weights}, {DNNL_ARG_DST, dst}};
    if (c.has_bias) args[DNNL_ARG_BIAS] = c.bias;
    if (has_sum_) {
      const TensorView* sum = ctx.input(3);
      if (!sum || sum->dims != c.out_dims || sum->dtype != DType::kFloat32)
        throw_invalid(label + ": Sum input must be f32 with the Conv output's shape");
      if (!in_place) {
        memory sum_user(c.sum_md, dnnl_engine(), sum->data);
        dnnl::reorder(sum_user, dst).execute(dnnl_stream(), sum_user, dst);
      }
    }
    c.prim.execute(dnnl_stream(), args);
    if (c.pd_dst_md != c.dst_md) dnnl::reorder(dst, dst_user).execute(dnnl_stream(), dst, dst_user);
    dnnl_stream().wait();
  }

  bool accepts_channels_last(size_t input) const override { return input == 0 || input == 3; }
  bool produces_channels_last() const override { return true; }

 private:
  /// Physical layouts of the activations (channels-last or plain), fixed per session.
  struct Layouts {
    bool src, dst, sum;
    bool operator<(const Layouts& o) const {
      return std::tie(src, dst, sum) < std::tie(o.src, o.dst, o.sum);
    }
  };

  struct Compiled {
    dnnl::convolution_forward prim;
    memory::desc src_md, dst_md, sum_md, pd_src_md, pd_dst_md;
    memory weights, bias;
    bool has_bias = false;
    std::vector<int64_t> out_dims;
  };

  Compiled& compiled_for(const std::vector<int64_t>& in, Layouts layouts,
                         const std::string& label) {
    auto key = std::make_pair(in, layouts);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    size_t spatial = in.size() - 2;
    const auto& wd = weights_.dims();
    std::vector<int64_t> pad_l(spatial), pad_r(spatial), out = {in[0], wd[0]};
    for (size_t i = 0; i < spatial; ++i) {
      int64_t k = (wd[2 + i] - 1) * p_.dilations[i] + 1;
      int64_t o;
      if (p_.auto_pad == "SAME_UPPER" || p_.auto_pad == "SAME_LOWER") {
        o = (in[2 + i] + p_.strides[i] - 1) / p_.strides[i];
        int64_t total = std::max<int64_t>(0, (o - 1) * p_.strides[i] + k - in[2 + i]);
        pad_l[i] = p_.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
        pad_r[i] = total - pad_l[i];
      } else {
        bool valid = p_.auto_pad == "VALID";
        pad_l[i] = valid ? 0 : p_.pads[i];
        pad_r[i] = valid ? 0 : p_.pads[spatial + i];
        o = (in[2 + i] + pad_l[i] + pad_r[i] - k) / p_.strides[i] + 1;
      }
      if (o <= 0) throw_invalid(label + ": the kernel is larger than the padded input");
      out.push_back(o);
    }
    auto tag = [](bool cl, size_t rank) { return cl ? channels_last_tag(rank) : plain_tag(rank); };
    memory::desc src_md(to_dnnl_dims(in), memory::data_type::f32, tag(layouts.src, in.size()));
    memory::desc dst_md(to_dnnl_dims(out), memory::data_type::f32, tag(layouts.dst, out.size()));
    memory::desc sum_md(to_dnnl_dims(out), memory::data_type::f32, tag(layouts.sum, out.size()));
    memory::desc src_any(to_dnnl_dims(in), memory::data_type::f32, memory::format_tag::any);
    memory::desc dst_any(to_dnnl_dims(out), memory::data_type::f32, memory::format_tag::any);
    std::vector<int64_t> w_dims = wd;
    if (p_.group > 1) {  // oneDNN's grouped weights: [G, OC/G, IC/G, k...]
      w_dims.insert(w_dims.begin(), p_.group);
      w_dims[1] /= p_.group;
    }
    memory::desc w_any(to_dnnl_dims(w_dims), memory::data_type::f32, memory::format_tag::any);
    memory::desc b_md({wd[0]}, memory::data_type::f32, memory::format_tag::a);
    memory::dims dil(spatial);
    for (size_t i = 0; i < spatial; ++i) dil[i] = p_.dilations[i] - 1;  // oneDNN counts gaps
    bool has_bias = !bias_.empty();
    auto make_desc = [&](const memory::desc& src, const memory::desc& dst) {
      return has_bias ? dnnl::convolution_forward::desc(
                            dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                            src, w_any, b_md, dst, to_dnnl_dims(p_.strides), dil,
                            to_dnnl_dims(pad_l), to_dnnl_dims(pad_r))
                      : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                        dnnl::algorithm::convolution_direct, src,
                                                        w_any, dst, to_dnnl_dims(p_.strides), dil,
                                                        to_dnnl_dims(pad_l), to_dnnl_dims(pad_r));
    };
    dnnl::post_ops ops;
    // The residual joins as a sum post-op: dst is first filled with it, and the convolution
    // accumulates into it (oneDNN's fast convolutions support sum, not a binary add).
    if (has_sum_) ops.append_sum(1.0f);
    act_.append_to(ops);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    // First ask for the activations exactly as they are (no reorders at all); if oneDNN can
    // only do that with a slow generic implementation, let it pick its layouts instead.
    dnnl::convolution_forward::primitive_desc pd(make_desc(src_md, dst_md), attr, dnnl_engine(),
                                                 true);
    std::string impl = pd ? pd.impl_info_str() : "";
    if (!pd || impl.find("gemm") != std::string::npos || impl.find("ref") != std::string::npos)
      pd = dnnl::convolution_forward::primitive_desc(make_desc(src_any, dst_any), attr,
                                                     dnnl_engine());
    Compiled c;
    c.prim = dnnl::convolution_forward(pd);
    c.src_md = src_md;
    c.dst_md = dst_md;
    c.sum_md = sum_md;
    c.pd_src_md = pd.src_desc();
    c.pd_dst_md = pd.dst_desc();
    c.out_dims = out;
    c.has_bias = has_bias;
    // Weights in the implementation's layout, reordered once for this shape.
    memory::desc w_plain(to_dnnl_dims(w_dims), memory::data_type::f32, plain_tag(w_dims.size()));
    memory w_user(w_plain, dnnl_engine(), const_cast<uint8_t*>(weights_.raw()));
    c.weights = memory(pd.weights_desc(), dnnl_engine());
    dnnl::reorder(w_user, c.weights).execute(dnnl_stream(), w_user, c.weights);
    if (has_bias) c.bias = memory(b_md, dnnl_engine(), const_cast<uint8_t*>(bias_.raw()));
    dnnl_stream().wait();
    return cache_.emplace(key, std::move(c)).first->second;
  }

  ConvParams p_;
  Tensor weights_;
  Activation act_;
  bool has_sum_;
  Tensor bias_;
  std::map<std::pair<std::vector<int64_t>, Layouts>, Compiled> cache_;
};

}  // namespace

bool conv_dnnl_supports(const KernelInit& init) {
  const Tensor* w = init.constant(1);
  if (!w || w->dtype() != DType::kFloat32 || w->rank() < 3 || w->rank() > 5) return false;
  if (init.input_types.empty() || init.input_types[0].dtype != DType::kFloat32) return false;
  if (init.input_types.size() > 2 && init.input_types[2].dtype != DType::kUndefined) {
    const Tensor* b = init.constant(2);
    if (!b || b->dtype() != DType::kFloat32 || b->rank() != 1 || b->dims()[0] != w->dims()[0])
      return false;
  }
  const std::string pad = init.node->attr_string("auto_pad", "NOTSET");
  return pad == "NOTSET" || pad == "VALID" || pad == "SAME_UPPER" || pad == "SAME_LOWER";
}

std::unique_ptr<OpKernel> create_conv_dnnl(const KernelInit& init) {
  return std::make_unique<ConvDnnl>(init);
}

}  // namespace trex
