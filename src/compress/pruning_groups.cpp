// Channel groups for filter pruning and their physical removal (see pruning_groups.h).
#include "compress/pruning_groups.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <set>
#include <unordered_map>

#include "compress/qat_graph.h"
#include "util/error.h"

namespace trex::compress {

namespace {

/// Ops whose output 0 has the channels of input 0, one for one.
bool keeps_channels(const std::string& op) {
  static const std::set<std::string> ops = {
      "Relu",         "LeakyRelu",   "Sigmoid", "HardSigmoid", "HardSwish",
      "Tanh",         "Clip",        "Elu",     "Selu",        "Softplus",
      "Identity",     "Dropout",     "Neg",     "Abs",         "Erf",
      "MaxPool",      "AveragePool", "Mish",    "Softsign",    "GlobalAveragePool",
      "GlobalMaxPool"};
  return ops.count(op) > 0;
}
/// Channel-keeping ops with f(0) = 0: a pruned (zero) channel stays zero through them.
bool keeps_zero(const std::string& op) {
  static const std::set<std::string> ops = {
      "Relu",         "LeakyRelu", "HardSwish", "Tanh",
      "Elu",          "Selu",      "Identity",  "Dropout",
      "Neg",          "Abs",       "Erf",       "MaxPool",
      "AveragePool",  "Mish",      "Softsign",  "GlobalAveragePool",
      "GlobalMaxPool"};
  return ops.count(op) > 0;
}
bool all_zero(const Tensor& t) {
  for (int64_t i = 0; i < t.numel(); ++i)
    if (t.get_double(i) != 0) return false;
  return true;
}
bool is_elementwise_binary(const std::string& op) {
  return op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Max" || op == "Min";
}

/// The static size of dim `i` of `v`, or -1.
int64_t static_dim(const Value* v, size_t i) {
  const Shape* s = v ? v->shape() : nullptr;
  if (!s || s->rank() <= i || !(*s)[i].is_static()) return -1;
  return (*s)[i].value();
}

/// The constant a node reads at `v`, looking through a weight fake quantizer and an
/// rb_sparsity mask; `scale` receives the quantizer's scale value (or null).
const Value* weight_constant(const Value* v, const Value** scale) {
  const Node* p = v ? v->producer() : nullptr;
  const bool quantizer = p && p->op_type() == kFakeQuantize && p->domain() == "trex";
  *scale = quantizer && p->num_inputs() == 2 ? p->input(1) : nullptr;
  const Value* w = weight_source(v);
  return w && w->is_constant() ? w : nullptr;
}

class Analysis {
 public:
  Analysis(const Graph& g, const FilterPruningConfig& c) : g_(g), c_(c) {}

  std::vector<PruningGroup> run() {
    for (const Value* v : g_.inputs())
      if (has_channels(v)) block(space_of_new(v), "it carries the model input '" + v->name() + "'");
    for (const Node* n : g_.topological_order()) visit(*n);
    for (const Value* v : g_.outputs())
      if (int s = space(v); s >= 0) block(s, "it reaches the model output '" + v->name() + "'");
    return groups();
  }

 private:
  struct Space {
    int parent;
    std::string blocked;  ///< reason, empty when prunable
  };
  struct Record {
    int space;
    PruningGroup::Slice slice;
  };

  bool has_channels(const Value* v) const { return static_dim(v, 1) > 0; }

  int find(int s) {
    while (spaces_[s].parent != s) s = spaces_[s].parent = spaces_[spaces_[s].parent].parent;
    return s;
  }
  int new_space() {
    spaces_.push_back({static_cast<int>(spaces_.size()), ""});
    return static_cast<int>(spaces_.size()) - 1;
  }
  int space_of_new(const Value* v) {
    const int s = new_space();
    assign(v, s);
    return s;
  }
  void assign(const Value* v, int s) {
    space_[v] = s;
    values_.push_back({v->name(), s});
  }
  int space(const Value* v) const {
    auto it = space_.find(v);
    return it == space_.end() ? -1 : it->second;
  }
  void join(int a, int b) {
    a = find(a), b = find(b);
    if (a == b) return;
    spaces_[b].parent = a;
    if (spaces_[a].blocked.empty()) spaces_[a].blocked = spaces_[b].blocked;
  }
  void block(int s, const std::string& why) {
    s = find(s);
    if (spaces_[s].blocked.empty()) spaces_[s].blocked = why;
  }
  void slice(int s, const Value* v, int axis, bool masked) {
    if (!v) return;
    // A constant read elsewhere too would change there as well.
    if (v->uses().size() > 1) block(s, "its constant '" + v->name() + "' is shared by nodes");
    records_.push_back({s, {v->name(), axis, masked}});
  }
  /// Blocks the spaces of `n`'s inputs and gives its outputs new blocked spaces.
  void opaque(const Node& n, const std::string& why) {
    for (const Value* v : n.inputs())
      if (int s = space(v); s >= 0) block(s, why);
    for (const Value* v : n.outputs())
      if (has_channels(v)) block(space_of_new(v), why);
  }
  /// Whether the pruned channels of `v` are exactly zero (masked producers, zero-keeping
  /// ops since): only then does removing them leave what their readers compute unchanged.
  bool zero(const Value* v) const { return zero_.count(v) > 0; }
  /// A Conv / Gemm reads `x` (space `s`) over its channels: with pruned channels that are not
  /// zero there (Sigmoid, an added bias, BatchNorm without prune_batch_norms), removing them
  /// would change the result, so the group stays whole.
  void read_channels(int s, const Value* x, const Node& reader) {
    if (s >= 0 && !zero(x))
      block(s, reader.describe() + " reads its channels where pruned ones would not be zero");
  }
  /// Output 0 in the space of input 0 (blocked when input 0 has none).
  void keep(const Node& n) {
    const Value* x = n.input(0);
    const Value* y = n.output(0);
    const int s = space(x);
    if (s < 0 || static_dim(y, 1) != static_dim(x, 1)) return opaque(n, "of " + n.describe());
    assign(y, s);
    for (size_t i = 1; i < n.num_outputs(); ++i)
      if (has_channels(n.output(i))) block(space_of_new(n.output(i)), "of " + n.describe());
  }
  void keep_zero_if(const Node& n, bool z) {
    if (z && space(n.output(0)) >= 0) zero_.insert(n.output(0));
  }

  void visit(const Node& n) {
    const std::string& op = n.op_type();
    const bool fake_quantize = op == "FakeQuantize" && n.domain() == "trex";
    const bool weight_op = (fake_quantize || op == "RBSparsify") && n.domain() == "trex";
    if (weight_op && weight_source(n.output(0))->is_constant()) return;  // a weight's
    if (!n.domain().empty() && !fake_quantize)
      return opaque(n, "it reaches " + n.describe() + ", unknown to pruning");
    if (n.num_inputs() == 0) return;
    // Whether a convolution came before (first convolutions read the input directly).
    bool after = false;
    for (const Value* v : n.inputs()) after = after || after_conv_.count(v);
    if (op == "Conv") {
      if (!after) first_convs_.insert(n.name());
      after_conv_.insert(n.output(0));
      return conv(n);
    }
    if (after)
      for (const Value* v : n.outputs()) after_conv_.insert(v);
    if (fake_quantize) {
      for (size_t i = 1; i < n.num_inputs(); ++i)
        if (n.input(i) && (!n.input(i)->is_constant() || n.input(i)->constant().numel() != 1))
          return opaque(n, "it reaches the per-channel activation quantizer " + n.describe());
      keep(n);
      return keep_zero_if(n, zero(n.input(0)));  // 0 is on every integer grid
    }
    if (keeps_channels(op)) {
      for (size_t i = 1; i < n.num_inputs(); ++i)  // Clip bounds
        if (n.input(i) && (!n.input(i)->is_constant() || n.input(i)->constant().numel() != 1))
          return opaque(n, "of " + n.describe());
      bool z = zero(n.input(0)) && keeps_zero(op);
      if (op == "Clip") {  // keeps 0 when the bounds (inputs, or attributes before opset 11) do
        double lo = n.attr_float("min", -1), hi = n.attr_float("max", 1);
        if (n.num_inputs() > 1 && n.input(1)) lo = n.input(1)->constant().get_double(0);
        if (n.num_inputs() > 2 && n.input(2)) hi = n.input(2)->constant().get_double(0);
        z = zero(n.input(0)) && lo <= 0 && hi >= 0;
      }
      keep(n);
      return keep_zero_if(n, z);
    }
    if (op == "BatchNormalization") {
      const int s = space(n.input(0));
      for (size_t i = 1; i < 5; ++i)
        if (!n.input(i) || !n.input(i)->is_constant()) return opaque(n, "of " + n.describe());
      keep(n);
      if (s < 0) return;
      for (size_t i = 1; i < 5; ++i) slice(s, n.input(i), 0, i <= 2 && c_.prune_batch_norms);
      // Masked scale and bias: output 0. Without prune_batch_norms the pruned channels keep
      // the layer's shift, dropped at export (as the reference does; the exported model is
      // what gets scored).
      return keep_zero_if(n, true);
    }
    if (is_elementwise_binary(op)) return elementwise(n);
    if (op == "Flatten" || op == "Reshape" || op == "Squeeze") {
      // [N, C, 1, 1] -> [N, C] keeps the channels.
      const Value* x = n.input(0);
      const Value* y = n.output(0);
      const Shape* xs = x->shape();
      bool ok = space(x) >= 0 && xs && y->shape() && y->shape()->rank() == 2 &&
                static_dim(y, 1) == static_dim(x, 1);
      if (ok && op == "Reshape") {  // the target must follow the channel count: -1 or 0
        const Value* shape = n.input(1);
        ok = shape && shape->is_constant() && shape->constant().numel() == 2 &&
             (shape->constant().get_int64(1) == -1 || shape->constant().get_int64(1) == 0);
      }
      for (size_t i = 2; ok && i < xs->rank(); ++i) ok = static_dim(x, i) == 1;
      if (!ok) return opaque(n, "it reaches " + n.describe() + ", which mixes channels");
      assign(y, space(x));
      return keep_zero_if(n, zero(x));
    }
    if (op == "Gemm" || op == "MatMul") return fully_connected(n);
    opaque(n, "it reaches " + n.describe() + ", unknown to pruning");
  }

  void conv(const Node& n) {
    const Value* x = n.input(0);
    const Value* scale = nullptr;
    const Value* w = weight_constant(n.input(1), &scale);
    const Value* b =
        n.num_inputs() > 2 && n.input(2) && n.input(2)->is_constant() ? n.input(2) : nullptr;
    if (!w || w->constant().rank() < 3 || (n.num_inputs() > 2 && n.input(2) && !b) ||
        static_dim(n.output(0), 1) != w->constant().dims()[0])
      return opaque(n, "of " + n.describe() + " (weights not constant, or shapes unknown)");
    const int64_t groups = n.attr_int("group", 1);
    const int64_t cout = w->constant().dims()[0], cin_per_group = w->constant().dims()[1];
    const bool per_channel_scale =
        scale && scale->is_constant() && scale->constant().numel() == cout && cout > 1;
    if (scale && !per_channel_scale && (!scale->is_constant() || scale->constant().numel() != 1))
      return opaque(n, "of " + n.describe() + " (weight quantizer)");
    const int sx = space(x);
    if (groups > 1 && groups == cout && cin_per_group == 1 && sx >= 0 &&
        static_dim(x, 1) == cout) {  // depthwise: channel for channel
      keep(n);
      slice(sx, w, 0, true);
      slice(sx, b, 0, true);
      if (per_channel_scale) slice(sx, scale, 0, false);
      depthwise_.push_back({sx, n.name()});
      return keep_zero_if(n, true);  // masked filters and bias
    }
    if (groups != 1) return opaque(n, "it reaches the grouped " + n.describe());
    if (sx >= 0) slice(sx, w, 1, false);  // input channels
    read_channels(sx, x, n);
    const int s = space_of_new(n.output(0));
    zero_.insert(n.output(0));  // masked filters and bias
    producers_.push_back({s, n.name()});
    slice(s, w, 0, true);
    slice(s, b, 0, true);
    if (per_channel_scale) slice(s, scale, 0, false);
    if (!c_.scopes.covers(n.name()))
      block(s, "its producer " + n.describe() + " is outside the pruning scope");
    if (first_convs_.count(n.name()) && !c_.prune_first_conv)
      block(s, "its producer " + n.describe() + " is a first convolution (prune_first_conv)");
    for (int64_t st : n.attr_ints("strides", {}))
      if (st > 1 && !c_.prune_downsample_convs) {
        block(s, "its producer " + n.describe() +
                     " is a downsampling convolution (prune_downsample_convs)");
        break;
      }
  }

  void elementwise(const Node& n) {
    const Value* y = n.output(0);
    const int64_t c = static_dim(y, 1);
    if (c <= 0) return opaque(n, "of " + n.describe());
    const size_t rank = y->shape()->rank();
    int s = -1;
    std::vector<std::pair<const Value*, int>> per_channel;  // constants to slice, axis
    // Zero in, zero out: Mul when any channel input is zero, Div when the dividend is and
    // the divisor a constant, the others when every input is zero (constants all zeros).
    const std::string& op = n.op_type();
    bool any_zero = false, all_zero_in = true;
    for (size_t i = 0; i < n.num_inputs(); ++i) {
      const Value* v = n.input(i);
      if (int sv = space(v); sv >= 0 && static_dim(v, 1) == c && v->shape()->rank() == rank) {
        if (op == "Div" && i == 1)  // a pruned divisor channel would divide by zero
          return opaque(n, "it divides by channels in " + n.describe());
        s = s < 0 ? sv : (join(s, sv), s);
        any_zero = any_zero || (zero(v) && (op != "Div" || i == 0));
        all_zero_in = all_zero_in && zero(v);
        continue;
      }
      if (!v->is_constant()) return opaque(n, "of " + n.describe() + " (broadcast input)");
      const Tensor& t = v->constant();
      all_zero_in = all_zero_in && all_zero(t);
      if (t.numel() == 1) continue;
      // A per-channel constant: C on the axis aligned with dim 1, 1 elsewhere.
      const int axis = static_cast<int>(t.rank()) - static_cast<int>(rank) + 1;
      bool ok = axis >= 0 && t.dims()[axis] == c;
      for (size_t i = 0; ok && i < t.rank(); ++i)
        ok = static_cast<int>(i) == axis || t.dims()[i] == 1;
      if (!ok) return opaque(n, "of " + n.describe() + " (constant input)");
      per_channel.emplace_back(v, axis);
    }
    if (s < 0) return opaque(n, "of " + n.describe());
    assign(y, s);
    for (auto& [v, axis] : per_channel) slice(s, v, axis, false);
    const bool divisor_constant = op != "Div" || (n.input(1) && n.input(1)->is_constant());
    keep_zero_if(n, op == "Mul"   ? any_zero
                    : op == "Div" ? any_zero && divisor_constant
                                  : all_zero_in);
  }

  void fully_connected(const Node& n) {
    const Value* a = n.input(0);
    const int sa = space(a);
    const Value* scale = nullptr;
    const Value* w = weight_constant(n.input(1), &scale);
    const bool trans_a = n.op_type() == "Gemm" && n.attr_int("transA", 0) != 0;
    if (sa < 0 || !w || trans_a || w->constant().rank() != 2 || a->shape()->rank() != 2)
      return opaque(n, "it reaches " + n.describe());
    const bool trans_b = n.op_type() == "Gemm" && n.attr_int("transB", 0) != 0;
    slice(sa, w, trans_b ? 1 : 0, false);
    read_channels(sa, a, n);
    for (const Value* v : n.outputs())
      if (has_channels(v)) block(space_of_new(v), "it is the output of " + n.describe());
  }

  std::vector<PruningGroup> groups() {
    std::map<int, PruningGroup> by_root;
    std::vector<int> order;  // roots in the order of their first producer
    for (auto& [s, node] : producers_) {
      const int r = find(s);
      PruningGroup& p = by_root[r];
      if (p.producers.empty()) {
        order.push_back(r);
        p.name = node;
        p.channels = g_.find_node(node)->output(0)->shape()->dims()[1].value();
      }
      p.producers.push_back(node);
    }
    for (Record& rec : records_) {
      auto it = by_root.find(find(rec.space));
      if (it == by_root.end()) continue;
      it->second.slices.push_back(rec.slice);
    }
    for (auto& [s, node] : depthwise_)
      if (auto it = by_root.find(find(s)); it != by_root.end())
        it->second.depthwise.push_back(node);
    for (auto& [value, s] : values_)
      if (auto it = by_root.find(find(s)); it != by_root.end()) it->second.values.push_back(value);
    std::vector<PruningGroup> out;
    for (int r : order) {
      PruningGroup& p = by_root[r];
      p.reason = spaces_[r].blocked;
      if (p.reason.empty() && p.channels < 2) p.reason = "it has one channel";
      p.prunable = p.reason.empty();
      out.push_back(std::move(p));
    }
    return out;
  }

  const Graph& g_;
  const FilterPruningConfig& c_;
  std::vector<Space> spaces_;
  std::unordered_map<const Value*, int> space_;
  std::set<const Value*> after_conv_, zero_;
  std::set<std::string> first_convs_;
  std::vector<Record> records_;
  std::vector<std::pair<int, std::string>> producers_, depthwise_;
  std::vector<std::pair<std::string, int>> values_;
};

/// `t` without the slices `drop` (sorted, unique) along `axis`.
Tensor drop_slices(const Tensor& t, int axis, const std::vector<int64_t>& drop) {
  std::vector<int64_t> dims = t.dims();
  const int64_t n = dims[axis];
  const size_t elem = dtype_size(t.dtype());
  const int64_t outer =
      std::accumulate(dims.begin(), dims.begin() + axis, int64_t{1}, std::multiplies<>());
  const int64_t inner =
      std::accumulate(dims.begin() + axis + 1, dims.end(), int64_t{1}, std::multiplies<>()) *
      static_cast<int64_t>(elem);
  std::vector<char> keep(n, 1);
  for (int64_t c : drop) keep[c] = 0;
  dims[axis] = n - static_cast<int64_t>(drop.size());
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(outer * dims[axis] * inner));
  const uint8_t* src = t.raw();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < n; ++c)
      if (keep[c]) {
        const uint8_t* p = src + (o * n + c) * inner;
        out.insert(out.end(), p, p + inner);
      }
  return Tensor::from_bytes(t.dtype(), dims, out.data(), out.size());
}

}  // namespace

std::vector<PruningGroup> find_pruning_groups(const Graph& g, const FilterPruningConfig& config) {
  return Analysis(g, config).run();
}

void remove_pruned_channels(Graph& g, const std::vector<PruningGroup>& groups,
                            const PrunedChannels& pruned) {
  for (const auto& [group_name, channels] : pruned) {
    const std::string& name = group_name;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const PruningGroup& p) { return p.name == name; });
    if (it == groups.end()) throw_invalid("filter pruning: no pruning group '" + name + "'");
    const PruningGroup& p = *it;
    std::vector<int64_t> drop = channels;
    std::sort(drop.begin(), drop.end());
    drop.erase(std::unique(drop.begin(), drop.end()), drop.end());
    if (drop.empty()) continue;
    if (!p.prunable) throw_invalid("filter pruning: group '" + name + "' is not prunable");
    if (drop.front() < 0 || drop.back() >= p.channels ||
        static_cast<int64_t>(drop.size()) >= p.channels)
      throw_invalid("filter pruning: group '" + name + "' has " + std::to_string(p.channels) +
                    " channels; cannot remove " + std::to_string(drop.size()) + " up to channel " +
                    std::to_string(drop.back()));
    const int64_t kept = p.channels - static_cast<int64_t>(drop.size());
    for (const PruningGroup::Slice& s : p.slices) {
      Value* v = g.find_value(s.value);
      if (!v || !v->is_constant())
        throw_invalid("filter pruning: group '" + name + "': constant '" + s.value +
                      "' is not in the model");
      if (static_cast<int>(v->constant().rank()) <= s.axis ||
          v->constant().dims()[s.axis] != p.channels)
        throw_invalid("filter pruning: group '" + name + "': constant '" + s.value +
                      "' does not have " + std::to_string(p.channels) + " channels on axis " +
                      std::to_string(s.axis));
      v->set_constant(drop_slices(v->constant(), s.axis, drop));
      // A weight quantizer's output has the weight's shape.
      for (const Use& u : v->uses())
        if (u.node->domain() == "trex" && u.index == 0) {
          TensorType t = u.node->output(0)->type();
          t.shape = Shape::from_static(v->constant().dims());
          u.node->output(0)->set_type(t);
        }
    }
    for (const std::string& d : p.depthwise)
      if (Node* n = g.find_node(d)) n->set_attr("group", kept);
    for (const std::string& name_v : p.values)
      if (Value* v = g.find_value(name_v); v && v->shape() && v->shape()->rank() > 1) {
        TensorType t = v->type();
        (*t.shape)[1] = Dim(kept);
        v->set_type(t);
      }
  }
}

}  // namespace trex::compress
