// BatchNormalization (inference mode) on oneDNN (f32, rank 2 to 5) with constant scale, B,
// mean and var, one per channel. Activations may be plain or channels-last; when the session
// wants the output in the other layout, the input is reordered into the output first and
// normalized in place. Primitives are cached per input shape and layouts.
#include <map>
#include <tuple>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

class BatchNormalizationDnnl : public OpKernel {
 public:
  explicit BatchNormalizationDnnl(const KernelInit& init)
      : epsilon_(init.node->attr_float("epsilon", 1e-5f)),
        scale_(*init.constant(1)),
        shift_(*init.constant(2)),
        mean_(*init.constant(3)),
        var_(*init.constant(4)),
        channels_(scale_.numel()) {}

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    const std::string& label = ctx.node_label();
    if (x.dtype != DType::kFloat32 || x.rank() < 2 || x.rank() > 5)
      throw_invalid(label + ": X must be f32 of rank 2 to 5, got " +
                    Shape::from_static(x.dims).to_string());
    if (x.dims[1] != channels_)
      throw_invalid(label + ": X has " + std::to_string(x.dims[1]) +
                    " channels, scale, B, mean and var have " + std::to_string(channels_));
    bool dst_cl = ctx.output_channels_last(0);
    TensorView& y = ctx.output(0, DType::kFloat32, x.dims);
    if (x.numel() == 0) return;
    Compiled& c = compiled_for(x.dims, x.channels_last, dst_cl);
    memory dst(c.dst_md, dnnl_engine(), y.data);
    memory src = dst;
    if (x.channels_last == dst_cl) {
      src = memory(c.dst_md, dnnl_engine(), x.data);
    } else {  // change layout first, then normalize in place
      memory src_user(c.src_md, dnnl_engine(), x.data);
      dnnl::reorder(src_user, dst).execute(dnnl_stream(), src_user, dst);
    }
    c.prim.execute(dnnl_stream(), {{DNNL_ARG_SRC, src},
                                   {DNNL_ARG_DST, dst},
                                   {DNNL_ARG_SCALE, c.scale},
                                   {DNNL_ARG_SHIFT, c.shift},
                                   {DNNL_ARG_MEAN, c.mean},
                                   {DNNL_ARG_VARIANCE, c.var}});
    dnnl_stream().wait();
  }

  bool accepts_channels_last(size_t input) const override { return input == 0; }
  bool produces_channels_last() const override { return true; }

 private:
  struct Compiled {
    dnnl::batch_normalization_forward prim;
    memory::desc src_md, dst_md;
    memory scale, shift, mean, var;
  };

  Compiled& compiled_for(const std::vector<int64_t>& in, bool src_cl, bool dst_cl) {
    auto key = std::make_tuple(in, src_cl, dst_cl);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    auto tag = [&](bool cl) { return cl ? channels_last_tag(in.size()) : plain_tag(in.size()); };
    memory::desc src_md(to_dnnl_dims(in), memory::data_type::f32, tag(src_cl));
    memory::desc dst_md(to_dnnl_dims(in), memory::data_type::f32, tag(dst_cl));
    auto flags = dnnl::normalization_flags::use_global_stats |
                 dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
    dnnl::batch_normalization_forward::desc d(dnnl::prop_kind::forward_inference, dst_md, epsilon_,
                                              flags);
    dnnl::batch_normalization_forward::primitive_desc pd(d, dnnl_engine());
    memory::desc vec_md({channels_}, memory::data_type::f32, memory::format_tag::a);
    auto wrap = [&](const Tensor& t) {
      return memory(vec_md, dnnl_engine(), const_cast<uint8_t*>(t.raw()));
    };
    Compiled c{dnnl::batch_normalization_forward(pd),
               src_md,
               dst_md,
               wrap(scale_),
               wrap(shift_),
               wrap(mean_),
               wrap(var_)};
    return cache_.emplace(key, std::move(c)).first->second;
  }

  float epsilon_;
  Tensor scale_, shift_, mean_, var_;
  int64_t channels_;
  std::map<std::tuple<std::vector<int64_t>, bool, bool>, Compiled> cache_;
};

}  // namespace

bool batch_normalization_dnnl_supports(const KernelInit& init) {
  const Node& n = *init.node;
  if (init.input_types.size() != 5 || init.input_types[0].dtype != DType::kFloat32) return false;
  // Inference only: training mode (or, before opset 14, statistics outputs) is the
  // reference kernel's to reject.
  if (n.attr_int("training_mode", 0) != 0) return false;
  for (size_t i = 1; i < n.num_outputs(); ++i)
    if (n.output(i)) return false;
  // spatial = 0 (opset 7-8) may mean one statistic per position.
  if (n.attr_int("spatial", 1) != 1) return false;
  const std::optional<Shape>& shape = init.input_types[0].shape;
  if (shape && (shape->rank() < 2 || shape->rank() > 5)) return false;
  int64_t channels = -1;
  for (size_t i = 1; i < 5; ++i) {
    const Tensor* t = init.constant(i);
    if (!t || t->dtype() != DType::kFloat32 || t->rank() != 1) return false;
    if (channels >= 0 && t->numel() != channels) return false;
    channels = t->numel();
  }
  if (shape && shape->rank() >= 2 && (*shape)[1].is_static() && (*shape)[1].value() != channels)
    return false;
  return channels > 0;
}

std::unique_ptr<OpKernel> create_batch_normalization_dnnl(const KernelInit& init) {
  return std::make_unique<BatchNormalizationDnnl>(init);
}

}  // namespace trex
