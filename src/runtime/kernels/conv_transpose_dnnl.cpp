// ConvTranspose on oneDNN's deconvolution (f32, 1-D to 3-D spatial) with constant weights and
// bias: groups, strides, dilations, pads, auto_pad, output_padding (extra right padding taken
// off the end pad) and output_shape. The output size and pads follow the reference kernel's
// equations; geometry that would need a negative oneDNN pad is left to the reference kernel
// (decided at load). Weights are reordered once per primitive; primitives are cached per input
// shape and activation layouts (plain or channels-last).
#include <map>
#include <tuple>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/reference_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

/// The node's attributes, checked for length against the weight rank.
struct DeconvAttrs {
  std::string auto_pad;
  std::vector<int64_t> strides, dilations, pads, output_padding, output_shape;
  int64_t group = 1;
};

/// One spatial axis: the output size and oneDNN's pads (output_padding comes off the end pad).
struct DeconvAxis {
  int64_t out, pad_l, pad_r;
};

/// Reads the attributes; nullopt when any has the wrong length for `spatial` axes.
std::optional<DeconvAttrs> read_attrs(const Node& n, size_t spatial) {
  DeconvAttrs a;
  a.auto_pad = n.attr_string("auto_pad", "NOTSET");
  a.group = n.attr_int("group", 1);
  a.strides = n.attr_ints("strides", std::vector<int64_t>(spatial, 1));
  a.dilations = n.attr_ints("dilations", std::vector<int64_t>(spatial, 1));
  a.pads = n.attr_ints("pads", std::vector<int64_t>(2 * spatial, 0));
  a.output_padding = n.attr_ints("output_padding", std::vector<int64_t>(spatial, 0));
  a.output_shape = n.attr_ints("output_shape");
  // output_shape may also be written with the N and C dims in front.
  if (a.output_shape.size() == spatial + 2)
    a.output_shape.erase(a.output_shape.begin(), a.output_shape.begin() + 2);
  if (a.strides.size() != spatial || a.dilations.size() != spatial ||
      a.pads.size() != 2 * spatial || a.output_padding.size() != spatial ||
      (!a.output_shape.empty() && a.output_shape.size() != spatial))
    return std::nullopt;
  return a;
}

/// Axis `i` for input size `in` and kernel size `k`, as the reference kernel resolves it.
DeconvAxis resolve_axis(const DeconvAttrs& a, size_t i, int64_t in, int64_t k) {
  const size_t n = a.strides.size();
  const int64_t full = a.strides[i] * (in - 1) + a.output_padding[i] + (k - 1) * a.dilations[i] + 1;
  const bool same = a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER";
  int64_t out, pad_begin = 0, pad_end = 0;
  if (!a.output_shape.empty() || same) {
    out = !a.output_shape.empty() ? a.output_shape[i] : in * a.strides[i];
    const int64_t total = full - out;
    const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);  // floor
    pad_begin = a.auto_pad == "SAME_UPPER" ? half : total - half;
    pad_end = total - pad_begin;
  } else {
    if (a.auto_pad == "NOTSET") {
      pad_begin = a.pads[i];
      pad_end = a.pads[i + n];
    }
    out = full - pad_begin - pad_end;
  }
  return {out, pad_begin, pad_end - a.output_padding[i]};
}

class ConvTransposeDnnl : public OpKernel {
 public:
  explicit ConvTransposeDnnl(const KernelInit& init)
      : weights_(*init.constant(1)),
        attrs_(*read_attrs(*init.node, init.constant(1)->rank() - 2)),
        reference_(create_conv_transpose_ref(init)) {
    if (const Tensor* b = init.constant(2)) bias_ = *b;
  }

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    const std::string& label = ctx.node_label();
    const auto& wd = weights_.dims();
    if (x.rank() != wd.size() || x.dtype != DType::kFloat32)
      throw_invalid(label + ": X must be f32 of rank " + std::to_string(wd.size()));
    if (x.dims[1] != wd[0])
      throw_invalid(label + ": X has " + std::to_string(x.dims[1]) + " channels, W has " +
                    std::to_string(wd[0]));
    if (x.numel() == 0) {
      // Empty spatial inputs still give bias-filled outputs: the reference kernel's case.
      if (x.channels_last || ctx.output_channels_last(0))
        throw_unsupported(label + ": empty channels-last input");
      return reference_->compute(ctx);
    }
    bool dst_cl = ctx.output_channels_last(0);
    Compiled& c = compiled_for(x.dims, x.channels_last, dst_cl, label);
    TensorView& y = ctx.output(0, DType::kFloat32, c.out_dims);
    if (y.numel() == 0) return;
    memory src_user(c.src_md, dnnl_engine(), x.data), dst_user(c.dst_md, dnnl_engine(), y.data);
    memory src = src_user, dst = dst_user;
    if (c.pd_src_md != c.src_md) {
      src = memory(c.pd_src_md, dnnl_engine());
      dnnl::reorder(src_user, src).execute(dnnl_stream(), src_user, src);
    }
    if (c.pd_dst_md != c.dst_md) dst = memory(c.pd_dst_md, dnnl_engine());
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, c.weights}, {DNNL_ARG_DST, dst}};
    if (!bias_.empty()) args[DNNL_ARG_BIAS] = c.bias;
    c.prim.execute(dnnl_stream(), args);
    if (c.pd_dst_md != c.dst_md) dnnl::reorder(dst, dst_user).execute(dnnl_stream(), dst, dst_user);
    dnnl_stream().wait();
  }

  bool accepts_channels_last(size_t input) const override { return input == 0; }
  bool produces_channels_last() const override { return true; }

 private:
  struct Compiled {
    dnnl::deconvolution_forward prim;
    memory::desc src_md, dst_md, pd_src_md, pd_dst_md;
    memory weights, bias;
    std::vector<int64_t> out_dims;
  };

  Compiled& compiled_for(const std::vector<int64_t>& in, bool src_cl, bool dst_cl,
                         const std::string& label) {
    auto key = std::make_tuple(in, src_cl, dst_cl);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    const auto& wd = weights_.dims();
    const size_t spatial = in.size() - 2;
    const int64_t g = attrs_.group, out_ch = wd[1] * g;
    std::vector<int64_t> out = {in[0], out_ch}, pad_l, pad_r, dil;
    for (size_t i = 0; i < spatial; ++i) {
      DeconvAxis a = resolve_axis(attrs_, i, in[2 + i], wd[2 + i]);
      if (a.out < 0)
        throw_invalid(label + ": output size on spatial axis " + std::to_string(i) + " would be " +
                      std::to_string(a.out));
      if (a.pad_l < 0 || a.pad_r < 0)
        throw_unsupported(label + ": this input size needs a negative oneDNN pad");
      out.push_back(a.out);
      pad_l.push_back(a.pad_l);
      pad_r.push_back(a.pad_r);
      dil.push_back(attrs_.dilations[i] - 1);  // oneDNN counts gaps
    }
    auto tag = [](bool cl, size_t rank) { return cl ? channels_last_tag(rank) : plain_tag(rank); };
    Compiled c;
    c.out_dims = out;
    c.src_md = memory::desc(to_dnnl_dims(in), memory::data_type::f32, tag(src_cl, in.size()));
    c.dst_md = memory::desc(to_dnnl_dims(out), memory::data_type::f32, tag(dst_cl, out.size()));
    for (int64_t d : out)
      if (d == 0) return cache_.emplace(key, std::move(c)).first->second;  // nothing to compute
    memory::desc src_any(to_dnnl_dims(in), memory::data_type::f32, memory::format_tag::any);
    memory::desc dst_any(to_dnnl_dims(out), memory::data_type::f32, memory::format_tag::any);
    // ONNX W is [C_in, C_out/g, k...], i.e. [g][C_in/g][C_out/g][k...]; oneDNN wants dims
    // [g, C_out/g, C_in/g, k...] (or [C_out, C_in, k...] without groups): same bytes, strided.
    std::vector<int64_t> kernel(wd.begin() + 2, wd.end());
    int64_t k_elems = 1;
    for (int64_t k : kernel) k_elems *= k;
    std::vector<int64_t> k_strides = strides_of(kernel);
    const int64_t icg = wd[0] / g, ocg = wd[1];
    std::vector<int64_t> w_dims, w_strides;
    if (g > 1) {
      w_dims = {g, ocg, icg};
      w_strides = {icg * ocg * k_elems, k_elems, ocg * k_elems};
    } else {
      w_dims = {ocg, icg};
      w_strides = {k_elems, ocg * k_elems};
    }
    w_dims.insert(w_dims.end(), kernel.begin(), kernel.end());
    w_strides.insert(w_strides.end(), k_strides.begin(), k_strides.end());
    memory::desc w_user_md(to_dnnl_dims(w_dims), memory::data_type::f32, to_dnnl_dims(w_strides));
    memory::desc w_any(to_dnnl_dims(w_dims), memory::data_type::f32, memory::format_tag::any);
    memory::desc b_md({out_ch}, memory::data_type::f32, memory::format_tag::a);
    const auto prop = dnnl::prop_kind::forward_inference;
    const auto alg = dnnl::algorithm::deconvolution_direct;
    auto desc = bias_.empty()
                    ? dnnl::deconvolution_forward::desc(
                          prop, alg, src_any, w_any, dst_any, to_dnnl_dims(attrs_.strides),
                          to_dnnl_dims(dil), to_dnnl_dims(pad_l), to_dnnl_dims(pad_r))
                    : dnnl::deconvolution_forward::desc(
                          prop, alg, src_any, w_any, b_md, dst_any, to_dnnl_dims(attrs_.strides),
                          to_dnnl_dims(dil), to_dnnl_dims(pad_l), to_dnnl_dims(pad_r));
    dnnl::deconvolution_forward::primitive_desc pd(desc, dnnl_engine());
    c.prim = dnnl::deconvolution_forward(pd);
    c.pd_src_md = pd.src_desc();
    c.pd_dst_md = pd.dst_desc();
    memory w_user(w_user_md, dnnl_engine(), const_cast<uint8_t*>(weights_.raw()));
    c.weights = memory(pd.weights_desc(), dnnl_engine());
    dnnl::reorder(w_user, c.weights).execute(dnnl_stream(), w_user, c.weights);
    if (!bias_.empty()) c.bias = memory(b_md, dnnl_engine(), const_cast<uint8_t*>(bias_.raw()));
    dnnl_stream().wait();
    return cache_.emplace(key, std::move(c)).first->second;
  }

  Tensor weights_, bias_;
  DeconvAttrs attrs_;
  std::unique_ptr<OpKernel> reference_;
  std::map<std::tuple<std::vector<int64_t>, bool, bool>, Compiled> cache_;
};

}  // namespace

bool conv_transpose_dnnl_supports(const KernelInit& init) {
  const Node& n = *init.node;
  if (init.input_types.empty() || init.input_types[0].dtype != DType::kFloat32) return false;
  const Tensor* w = init.constant(1);
  if (!w || w->dtype() != DType::kFloat32 || w->rank() < 3 || w->rank() > 5) return false;
  const size_t spatial = w->rank() - 2;
  const auto& wd = w->dims();
  const std::optional<DeconvAttrs> a = read_attrs(n, spatial);
  if (!a || a->group <= 0 || wd[0] % a->group != 0 || w->numel() == 0) return false;
  if (init.input_types.size() > 2 && init.input_types[2].dtype != DType::kUndefined) {
    const Tensor* b = init.constant(2);
    if (!b || b->dtype() != DType::kFloat32 || b->rank() != 1 || b->dims()[0] != wd[1] * a->group)
      return false;
  }
  if (a->auto_pad != "NOTSET" && a->auto_pad != "VALID" && a->auto_pad != "SAME_UPPER" &&
      a->auto_pad != "SAME_LOWER")
    return false;
  std::vector<int64_t> kernel_shape = n.attr_ints("kernel_shape");
  if (!kernel_shape.empty() && kernel_shape != std::vector<int64_t>(wd.begin() + 2, wd.end()))
    return false;
  for (size_t i = 0; i < spatial; ++i) {
    if (a->strides[i] <= 0 || a->dilations[i] <= 0 || a->output_padding[i] < 0) return false;
    if (a->pads[i] < 0 || a->pads[i + spatial] < 0) return false;
  }
  // oneDNN's pads must not be negative. They depend on the input size only through
  // output_shape, which then needs static spatial input dims to decide here.
  const std::optional<Shape>& shape = init.input_types[0].shape;
  if (shape && shape->rank() != w->rank()) return false;
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = 1;
    if (!a->output_shape.empty()) {
      if (!shape || !(*shape)[2 + i].is_static()) return false;
      in = (*shape)[2 + i].value();
    }
    DeconvAxis ax = resolve_axis(*a, i, in, wd[2 + i]);
    if (ax.pad_l < 0 || ax.pad_r < 0) return false;
  }
  return true;
}

std::unique_ptr<OpKernel> create_conv_transpose_dnnl(const KernelInit& init) {
  return std::make_unique<ConvTransposeDnnl>(init);
}

}  // namespace trex
