// Sum and Mean (variadic) on oneDNN's sum primitive (f32) when every input has the same shape;
// Mean is a sum with scales 1/n. Broadcasting forms use the reference kernel. Inputs and
// output may each be plain or channels-last.
#include <map>
#include <tuple>
#include <utility>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

constexpr size_t kMaxRank = 6;  // plain_tag's limit

/// The rank every input shares when all have one known shape (dims equal and known), else -1.
int64_t same_shape_rank(const KernelInit& init) {
  if (init.input_types.empty()) return -1;
  const TensorType& first = init.input_types[0];
  if (!first.shape || first.shape->rank() > kMaxRank) return -1;
  for (const Dim& d : first.shape->dims())
    if (!d.is_static() && !d.is_symbolic()) return -1;
  for (const TensorType& t : init.input_types)
    if (t.dtype != DType::kFloat32 || !t.shape || *t.shape != *first.shape) return -1;
  return static_cast<int64_t>(first.shape->rank());
}

class SumDnnl : public OpKernel {
 public:
  explicit SumDnnl(const KernelInit& init)
      : mean_(init.node->op_type() == "Mean"), rank_(same_shape_rank(init)) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    std::vector<const TensorView*> in;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const TensorView* t = ctx.input(i);
      if (!t || t->dtype != DType::kFloat32)
        throw_invalid(label + ": inputs must be f32 (the oneDNN kernel was chosen for f32)");
      if (!in.empty() && t->dims != in[0]->dims)
        throw_invalid(label + ": input shapes " + Shape::from_static(in[0]->dims).to_string() +
                      " and " + Shape::from_static(t->dims).to_string() + " differ");
      in.push_back(t);
    }
    if (in.empty()) throw_invalid(label + ": no inputs");
    bool out_cl = ctx.output_channels_last(0);
    TensorView& y = ctx.output(0, DType::kFloat32, in[0]->dims);
    if (y.numel() == 0) return;
    Key key{in[0]->dims, {}, out_cl};
    for (const TensorView* t : in) std::get<1>(key).push_back(t->channels_last);
    Compiled& c = compiled_for(key);
    std::unordered_map<int, memory> args;
    for (size_t i = 0; i < in.size(); ++i)
      args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] =
          memory(c.src_mds[i], dnnl_engine(), in[i]->data);
    args[DNNL_ARG_DST] = memory(c.dst_md, dnnl_engine(), y.data);
    c.prim.execute(dnnl_stream(), args);
    dnnl_stream().wait();
  }

  bool accepts_channels_last(size_t) const override { return rank_ >= 3 && rank_ <= 5; }
  bool produces_channels_last() const override { return rank_ >= 3 && rank_ <= 5; }

 private:
  /// Dims, per input whether it is channels-last, whether the output is.
  using Key = std::tuple<std::vector<int64_t>, std::vector<bool>, bool>;

  struct Compiled {
    dnnl::sum prim;
    std::vector<memory::desc> src_mds;
    memory::desc dst_md;
  };

  Compiled& compiled_for(const Key& key) {
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    const auto& [dims, src_cl, dst_cl] = key;
    // oneDNN has no rank-0 tensors: a scalar is one element of rank 1.
    std::vector<int64_t> d = dims.empty() ? std::vector<int64_t>{1} : dims;
    auto md_of = [&d](bool cl) {
      bool use_cl = cl && d.size() >= 3 && d.size() <= 5;
      return memory::desc(to_dnnl_dims(d), memory::data_type::f32,
                          use_cl ? channels_last_tag(d.size()) : plain_tag(d.size()));
    };
    Compiled c;
    for (bool cl : src_cl) c.src_mds.push_back(md_of(cl));
    c.dst_md = md_of(dst_cl);
    float scale = mean_ ? 1.0f / static_cast<float>(src_cl.size()) : 1.0f;
    std::vector<float> scales(src_cl.size(), scale);
    c.prim = dnnl::sum(dnnl::sum::primitive_desc(c.dst_md, scales, c.src_mds, dnnl_engine()));
    return cache_.emplace(key, std::move(c)).first->second;
  }

  bool mean_;
  int64_t rank_;
  std::map<Key, Compiled> cache_;
};

}  // namespace

bool sum_dnnl_supports(const KernelInit& init) {
  return same_shape_rank(init) >= 0;
}

std::unique_ptr<OpKernel> create_sum_dnnl(const KernelInit& init) {
  return std::make_unique<SumDnnl>(init);
}

}  // namespace trex
