// Add, Sub, Mul, Div, Max and Min (two inputs) on oneDNN's binary primitive (f32). oneDNN
// broadcasts only its second source, so the kernel takes the forms where input 0 has the
// output's shape, or input 1 has it and the op commutes (the operands then swap); ranks are
// padded with leading 1s. Other broadcasts use the reference kernel. Channels-last
// activations pass through when both inputs have the same shape or the second is a
// per-channel ([1 or N, C, 1, ...]) or scalar operand.
#include <algorithm>
#include <map>
#include <tuple>

#include "runtime/dnnl_context.h"
#include "runtime/kernel.h"
#include "runtime/kernels/broadcast.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "util/error.h"

namespace trex {

namespace {

using dnnl::memory;

constexpr size_t kMaxRank = 6;  // plain_tag's limit

bool is_commutative(const std::string& op) {
  return op == "Add" || op == "Mul" || op == "Max" || op == "Min";
}

dnnl::algorithm algorithm_of(const std::string& op) {
  using alg = dnnl::algorithm;
  if (op == "Add") return alg::binary_add;
  if (op == "Sub") return alg::binary_sub;
  if (op == "Mul") return alg::binary_mul;
  if (op == "Div") return alg::binary_div;
  if (op == "Max") return alg::binary_max;
  return alg::binary_min;
}

bool is_one(const Dim& d) {
  return d.is_static() && d.value() == 1;
}
/// Equal and known (two unknown dims are not known to be equal).
bool same_dim(const Dim& a, const Dim& b) {
  return (a.is_static() || a.is_symbolic()) && a == b;
}

std::vector<Dim> padded(const Shape& s, size_t rank) {
  std::vector<Dim> d(rank - s.rank(), Dim(1));
  d.insert(d.end(), s.dims().begin(), s.dims().end());
  return d;
}

/// Whether `small` broadcasts into `full` leaving it unchanged (each dim 1 or equal).
bool fits_into(const std::vector<Dim>& small, const std::vector<Dim>& full) {
  for (size_t i = 0; i < full.size(); ++i)
    if (!is_one(small[i]) && !same_dim(small[i], full[i])) return false;
  return true;
}

/// Whether the broadcast operand `small` against `full` keeps channels-last cheap: the same
/// shape, one value per channel (batch may vary), or a scalar.
bool layout_friendly(const std::vector<Dim>& small, const std::vector<Dim>& full) {
  bool same = true, per_channel = true;
  for (size_t i = 0; i < full.size(); ++i) {
    same = same && same_dim(small[i], full[i]);
    if (i >= 2) per_channel = per_channel && is_one(small[i]);
  }
  return same || per_channel;  // per_channel covers scalars: axes 0 and 1 fit by fits_into
}

/// What the load-time shapes allow: which input has the output's shape, and whether
/// channels-last activations may pass.
struct BinaryForm {
  bool supported = false;
  bool channels_last = false;
  size_t rank = 0;
};

BinaryForm form_of(const KernelInit& init) {
  BinaryForm f;
  const Node& n = *init.node;
  if (init.input_types.size() != 2 || n.num_outputs() != 1) return f;
  for (const TensorType& t : init.input_types)
    if (t.dtype != DType::kFloat32 || !t.shape || t.shape->rank() > kMaxRank) return f;
  const Shape &sa = *init.input_types[0].shape, &sb = *init.input_types[1].shape;
  f.rank = std::max(sa.rank(), sb.rank());
  std::vector<Dim> a = padded(sa, f.rank), b = padded(sb, f.rank);
  bool a_full = fits_into(b, a), b_full = is_commutative(n.op_type()) && fits_into(a, b);
  f.supported = a_full || b_full;
  f.channels_last = f.rank >= 3 && f.rank <= 5 &&
                    ((a_full && layout_friendly(b, a)) || (b_full && layout_friendly(a, b)));
  return f;
}

class BinaryDnnl : public OpKernel {
 public:
  explicit BinaryDnnl(const KernelInit& init)
      : alg_(algorithm_of(init.node->op_type())),
        commutative_(is_commutative(init.node->op_type())),
        form_(form_of(init)) {
    for (const TensorType& t : init.input_types) ranks_.push_back(t.shape ? t.shape->rank() : 0);
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView *a = ctx.input(0), *b = ctx.input(1);
    if (!a || !b || a->dtype != DType::kFloat32 || b->dtype != DType::kFloat32)
      throw_invalid(label + ": inputs must be f32 (the oneDNN kernel was chosen for f32)");
    std::vector<int64_t> out = broadcast_shapes({a->dims, b->dims}, label);
    bool out_cl = ctx.output_channels_last(0);
    TensorView& y = ctx.output(0, DType::kFloat32, out);
    if (y.numel() == 0) return;
    Compiled& c = compiled_for(*a, *b, out, out_cl, label);
    const TensorView &s0 = c.swap ? *b : *a, &s1 = c.swap ? *a : *b;
    memory m0(c.src0_md, dnnl_engine(), s0.data), m1(c.src1_md, dnnl_engine(), s1.data);
    memory md(c.dst_md, dnnl_engine(), y.data);
    c.prim.execute(dnnl_stream(), {{DNNL_ARG_SRC_0, m0}, {DNNL_ARG_SRC_1, m1}, {DNNL_ARG_DST, md}});
    dnnl_stream().wait();
  }

  bool accepts_channels_last(size_t input) const override {
    // A lower-rank input lines up with the trailing axes, not with N, C, spatial...
    return form_.channels_last && input < ranks_.size() && ranks_[input] == form_.rank;
  }
  bool produces_channels_last() const override { return form_.channels_last; }

 private:
  struct Compiled {
    dnnl::binary prim;
    memory::desc src0_md, src1_md, dst_md;
    bool swap = false;
  };

  Compiled& compiled_for(const TensorView& a, const TensorView& b, const std::vector<int64_t>& out,
                         bool out_cl, const std::string& label) {
    auto key = std::make_tuple(a.dims, b.dims, a.channels_last, b.channels_last, out_cl);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    size_t rank = std::max<size_t>(out.size(), 1);  // oneDNN has no rank-0 tensors
    auto pad = [rank](const std::vector<int64_t>& d) {
      std::vector<int64_t> p(rank - d.size(), 1);
      p.insert(p.end(), d.begin(), d.end());
      return p;
    };
    std::vector<int64_t> pa = pad(a.dims), pb = pad(b.dims), po = pad(out);
    Compiled c;
    if (pa != po) {
      if (!commutative_ || pb != po)
        throw_invalid(label + ": oneDNN broadcasts only the second input, and input 0 " +
                      Shape::from_static(a.dims).to_string() + " is smaller than the output " +
                      Shape::from_static(out).to_string());
      c.swap = true;
    }
    auto md_of = [&](const std::vector<int64_t>& dims, bool cl, size_t own_rank) {
      bool use_cl = cl && own_rank == rank && rank >= 3 && rank <= 5;
      return memory::desc(to_dnnl_dims(dims), memory::data_type::f32,
                          use_cl ? channels_last_tag(rank) : plain_tag(rank));
    };
    memory::desc md_a = md_of(pa, a.channels_last, a.rank());
    memory::desc md_b = md_of(pb, b.channels_last, b.rank());
    c.src0_md = c.swap ? md_b : md_a;
    c.src1_md = c.swap ? md_a : md_b;
    c.dst_md = md_of(po, out_cl, out.size());
    dnnl::binary::desc d(alg_, c.src0_md, c.src1_md, c.dst_md);
    c.prim = dnnl::binary(dnnl::binary::primitive_desc(d, dnnl_engine()));
    return cache_.emplace(key, std::move(c)).first->second;
  }

  dnnl::algorithm alg_;
  bool commutative_;
  BinaryForm form_;
  std::vector<size_t> ranks_;
  std::map<std::tuple<std::vector<int64_t>, std::vector<int64_t>, bool, bool, bool>, Compiled>
      cache_;
};

}  // namespace

bool binary_dnnl_supports(const KernelInit& init) {
  return form_of(init).supported;
}

std::unique_ptr<OpKernel> create_binary_dnnl(const KernelInit& init) {
  return std::make_unique<BinaryDnnl>(init);
}

}  // namespace trex
