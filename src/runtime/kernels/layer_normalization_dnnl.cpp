// LayerNormalization on oneDNN (f32, stash_type 1, no Mean/InvStdDev outputs) with constant
// Scale and B. X is viewed as 2-D [prod(dims[:axis]), prod(dims[axis:])], which oneDNN
// normalizes over its last dim; Scale and B are expanded once per normalized shape to one
// value per element of that dim. Primitives are cached per input shape; inputs that do not
// fit (bad axis, Scale not broadcasting) go to the reference kernel, which reports them.
#include <map>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/reference_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

class LayerNormalizationDnnl : public OpKernel {
 public:
  explicit LayerNormalizationDnnl(const KernelInit& init)
      : axis_(init.node->attr_int("axis", -1)),
        epsilon_(init.node->attr_float("epsilon", 1e-5f)),
        scale_(*init.constant(1)),
        reference_(create_layer_normalization_ref(init)) {
    if (const Tensor* b = init.constant(2)) bias_ = *b;
  }

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    const int64_t rank = static_cast<int64_t>(x.rank());
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (x.dtype != DType::kFloat32 || axis < 0 || axis >= rank) return reference_->compute(ctx);
    std::vector<int64_t> norm_dims(x.dims.begin() + axis, x.dims.end());
    if (!fits(scale_, norm_dims) || (!bias_.empty() && !fits(bias_, norm_dims)))
      return reference_->compute(ctx);
    TensorView& y = ctx.output(0, DType::kFloat32, x.dims);
    if (x.numel() == 0) return;
    int64_t inner = 1;
    for (int64_t d : norm_dims) inner *= d;
    Compiled& c = compiled_for({x.numel() / inner, inner}, norm_dims);
    memory src(c.md, dnnl_engine(), x.data), dst(c.md, dnnl_engine(), y.data);
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}, {DNNL_ARG_SCALE, c.scale}};
    if (!bias_.empty()) args[DNNL_ARG_SHIFT] = c.shift;
    c.prim.execute(dnnl_stream(), args);
    dnnl_stream().wait();
  }

 private:
  struct Compiled {
    dnnl::layer_normalization_forward prim;
    memory::desc md;
    std::vector<float> scale_values, shift_values;
    memory scale, shift;
  };

  /// Whether `t` broadcasts one way onto `dims` (numpy rules, no larger result).
  static bool fits(const Tensor& t, const std::vector<int64_t>& dims) {
    if (t.rank() > dims.size()) return false;
    for (size_t i = 0; i < t.rank(); ++i) {
      int64_t d = t.dims()[t.rank() - 1 - i], want = dims[dims.size() - 1 - i];
      if (d != want && d != 1) return false;
    }
    return true;
  }

  /// `t` expanded to one value per element of `dims`.
  static std::vector<float> expand(const Tensor& t, const std::vector<int64_t>& dims,
                                   int64_t inner) {
    BroadcastIndexer index(t.dims(), dims);
    std::vector<float> v(static_cast<size_t>(inner));
    for (int64_t i = 0; i < inner; ++i) v[static_cast<size_t>(i)] = t.data<float>()[index.at(i)];
    return v;
  }

  Compiled& compiled_for(const std::vector<int64_t>& dims2d, const std::vector<int64_t>& norm) {
    auto key = std::make_pair(dims2d, norm);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    const int64_t inner = dims2d[1];
    Compiled c;
    c.md = memory::desc(to_dnnl_dims(dims2d), memory::data_type::f32, memory::format_tag::ab);
    auto flags = dnnl::normalization_flags::use_scale;
    if (!bias_.empty()) flags |= dnnl::normalization_flags::use_shift;
    dnnl::layer_normalization_forward::desc d(dnnl::prop_kind::forward_inference, c.md, epsilon_,
                                              flags);
    c.prim = dnnl::layer_normalization_forward(
        dnnl::layer_normalization_forward::primitive_desc(d, dnnl_engine()));
    memory::desc vec_md({inner}, memory::data_type::f32, memory::format_tag::a);
    c.scale_values = expand(scale_, norm, inner);
    c.scale = memory(vec_md, dnnl_engine(), c.scale_values.data());
    if (!bias_.empty()) {
      c.shift_values = expand(bias_, norm, inner);
      c.shift = memory(vec_md, dnnl_engine(), c.shift_values.data());
    }
    // The vectors' buffers stay put when Compiled moves into the map.
    return cache_.emplace(key, std::move(c)).first->second;
  }

  int64_t axis_;
  float epsilon_;
  Tensor scale_, bias_;
  std::unique_ptr<OpKernel> reference_;
  std::map<std::pair<std::vector<int64_t>, std::vector<int64_t>>, Compiled> cache_;
};

}  // namespace

bool layer_normalization_dnnl_supports(const KernelInit& init) {
  const Node& n = *init.node;
  if (init.input_types.size() < 2 || init.input_types[0].dtype != DType::kFloat32) return false;
  if (n.attr_int("stash_type", 1) != 1) return false;
  for (size_t i = 1; i < n.num_outputs(); ++i)
    if (n.output(i)) return false;  // Mean and InvStdDev
  for (size_t i = 1; i < init.input_types.size(); ++i) {
    if (i == 2 && init.input_types[2].dtype == DType::kUndefined) continue;  // no B
    const Tensor* t = init.constant(i);
    if (!t || t->dtype() != DType::kFloat32) return false;
  }
  return true;
}

std::unique_ptr<OpKernel> create_layer_normalization_dnnl(const KernelInit& init) {
  return std::make_unique<LayerNormalizationDnnl>(init);
}

}  // namespace trex
