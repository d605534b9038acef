// Concat on oneDNN's concat primitive (f32, or uint8/int8 as the QDQ lowering leaves the
// concatenation of equally quantized tensors; one type for all inputs; any axis, ranks 1 to
// 6). Along the channel axis
// of an N, C, spatial... tensor (DenseNet, Inception and ShuffleNet blocks) channels-last
// activations pass through: each input is copied into its channel slice of the output.
// Empty inputs are left out (oneDNN wants every source non-empty).
#include <map>
#include <utility>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

constexpr size_t kMaxRank = 6;  // plain_tag's limit

bool concat_type(DType t) {
  return t == DType::kFloat32 || t == DType::kUInt8 || t == DType::kInt8;
}

/// The rank all inputs share, or 0 when an input is missing, of unknown rank, or when their
/// types differ or are not f32/uint8/int8.
size_t common_rank(const KernelInit& init) {
  size_t rank = 0;
  for (const TensorType& t : init.input_types) {
    if (!concat_type(t.dtype) || t.dtype != init.input_types[0].dtype || !t.shape ||
        t.shape->rank() == 0)
      return 0;
    if (rank && t.shape->rank() != rank) return 0;
    rank = t.shape->rank();
  }
  return rank;
}

class ConcatDnnl : public OpKernel {
 public:
  explicit ConcatDnnl(const KernelInit& init)
      : rank_(common_rank(init)), dtype_(init.input_types.at(0).dtype) {
    int64_t axis = init.node->attr_int("axis", 0), r = static_cast<int64_t>(rank_);
    if (rank_ == 0 || axis < -r || axis >= r)
      throw_invalid(init.node->describe() + ": axis " + std::to_string(axis) +
                    " is out of range for inputs of rank " + std::to_string(rank_));
    axis_ = static_cast<size_t>(axis < 0 ? axis + r : axis);
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    std::vector<const TensorView*> in;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const TensorView* t = ctx.input(i);
      if (!t || t->dtype != dtype_ || t->rank() != rank_)
        throw_invalid(label + ": every input must be " + dtype_name(dtype_) + " of rank " +
                      std::to_string(rank_));
      in.push_back(t);
    }
    if (in.empty()) throw_invalid(label + ": no inputs");
    std::vector<int64_t> out = in[0]->dims;
    out[axis_] = 0;
    for (const TensorView* t : in) {
      for (size_t d = 0; d < rank_; ++d)
        if (d != axis_ && t->dims[d] != out[d])
          throw_invalid(label + ": input shapes " + Shape::from_static(in[0]->dims).to_string() +
                        " and " + Shape::from_static(t->dims).to_string() +
                        " differ outside axis " + std::to_string(axis_));
      out[axis_] += t->dims[axis_];
    }
    bool out_cl = ctx.output_channels_last(0);
    TensorView& y = ctx.output(0, dtype_, out);
    if (y.numel() == 0) return;
    Key key{{}, out_cl};
    std::vector<const TensorView*> used;
    for (const TensorView* t : in)
      if (t->numel() > 0) {
        key.first.emplace_back(t->dims, t->channels_last);
        used.push_back(t);
      }
    Compiled& c = compiled_for(key, out);
    std::unordered_map<int, memory> args;
    for (size_t i = 0; i < used.size(); ++i)
      args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] =
          memory(c.src_mds[i], dnnl_engine(), used[i]->data);
    args[DNNL_ARG_DST] = memory(c.dst_md, dnnl_engine(), y.data);
    c.prim.execute(dnnl_stream(), args);
    dnnl_stream().wait();
  }

  bool accepts_channels_last(size_t) const override { return channels_last_ok(); }
  bool produces_channels_last() const override { return channels_last_ok(); }

 private:
  /// Per used input (dims, channels-last), and whether the output is channels-last.
  using Key = std::pair<std::vector<std::pair<std::vector<int64_t>, bool>>, bool>;

  struct Compiled {
    dnnl::concat prim;
    std::vector<memory::desc> src_mds;
    memory::desc dst_md;
  };

  bool channels_last_ok() const { return axis_ == 1 && rank_ >= 3 && rank_ <= 5; }

  memory::desc md_of(const std::vector<int64_t>& dims, bool cl) const {
    const auto type = dtype_ == DType::kUInt8  ? memory::data_type::u8
                      : dtype_ == DType::kInt8 ? memory::data_type::s8
                                               : memory::data_type::f32;
    return memory::desc(to_dnnl_dims(dims), type,
                        cl ? channels_last_tag(rank_) : plain_tag(rank_));
  }

  Compiled& compiled_for(const Key& key, const std::vector<int64_t>& out) {
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    Compiled c;
    for (const auto& [dims, cl] : key.first) c.src_mds.push_back(md_of(dims, cl));
    c.dst_md = md_of(out, key.second);
    c.prim = dnnl::concat(
        dnnl::concat::primitive_desc(c.dst_md, static_cast<int>(axis_), c.src_mds, dnnl_engine()));
    return cache_.emplace(key, std::move(c)).first->second;
  }

  size_t rank_;
  DType dtype_;
  size_t axis_ = 0;
  std::map<Key, Compiled> cache_;
};

}  // namespace

bool concat_dnnl_supports(const KernelInit& init) {
  size_t rank = common_rank(init);
  if (rank == 0 || rank > kMaxRank || init.input_types.empty()) return false;
  int64_t axis = init.node->attr_int("axis", 0), r = static_cast<int64_t>(rank);
  return axis >= -r && axis < r;
}

std::unique_ptr<OpKernel> create_concat_dnnl(const KernelInit& init) {
  return std::make_unique<ConcatDnnl>(init);
}

}  // namespace trex
