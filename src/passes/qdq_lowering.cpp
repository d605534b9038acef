// Pattern helpers shared by the QDQ lowering passes (see qdq_lowering.h).
#include "passes/qdq_lowering.h"

#include <cmath>

#include "util/error.h"

namespace trex {

namespace {

bool is_op(const Node* n, const char* op) {
  return n && n->op_type() == op && n->domain().empty();
}

/// A constant of `dtype` with one element.
bool scalar_constant(const Value* v, DType dtype) {
  return v && v->is_constant() && v->constant().dtype() == dtype && v->constant().numel() == 1;
}

/// Scale and zero point (inputs 1 and 2) of a per-tensor uint8/int8 Q or DQ node whose
/// integer side has type `integer_type` (kUndefined: unknown, taken from the zero point).
std::optional<QuantInfo> per_tensor(Node* n, DType integer_type) {
  if (!scalar_constant(n->input(1), DType::kFloat32)) return std::nullopt;
  QuantInfo q;
  q.node = n;
  q.scale = n->input(1)->constant().data<float>()[0];
  Value* zp = n->input(2);
  q.dtype = zp ? (zp->is_constant() ? zp->constant().dtype() : DType::kUndefined) : DType::kUInt8;
  if (q.dtype != DType::kUInt8 && q.dtype != DType::kInt8) return std::nullopt;
  if (zp && zp->constant().numel() != 1) return std::nullopt;
  if (integer_type != DType::kUndefined && integer_type != q.dtype) return std::nullopt;
  if (zp) q.zero_point = zp->constant().get_int64(0);
  if (!(q.scale > 0.0f) || !std::isfinite(q.scale)) return std::nullopt;
  return q;
}

}  // namespace

std::optional<QuantInfo> dequantize_producer(const Value* v) {
  Node* p = v ? v->producer() : nullptr;
  if (!is_op(p, "DequantizeLinear") || !p->input(0)) return std::nullopt;
  auto q = per_tensor(p, p->input(0)->dtype());
  if (!q) return std::nullopt;
  q->integer = p->input(0);
  return q;
}

std::optional<QuantInfo> quantize_params(Node* r) {
  if (!is_op(r, "QuantizeLinear") || !r->output(0)) return std::nullopt;
  auto q = per_tensor(r, DType::kUndefined);
  if (!q) return std::nullopt;
  q->integer = r->output(0);
  return q;
}

std::optional<QuantInfo> sole_quantize_reader(const Value* v) {
  if (!v || v->uses().size() != 1 || v->is_graph_output() || v->uses()[0].index != 0)
    return std::nullopt;
  return quantize_params(v->uses()[0].node);
}

bool same_quantization(const QuantInfo& a, const QuantInfo& b) {
  return a.dtype == b.dtype && a.scale == b.scale && a.zero_point == b.zero_point;
}

std::optional<QuantWeights> dequantized_weights(const Value* v, int64_t axis) {
  Node* p = v ? v->producer() : nullptr;
  if (!is_op(p, "DequantizeLinear")) return std::nullopt;
  Value *w = p->input(0), *s = p->input(1), *zp = p->input(2);
  if (!w || !w->is_constant() || w->constant().dtype() != DType::kInt8) return std::nullopt;
  if (!s || !s->is_constant() || s->constant().dtype() != DType::kFloat32) return std::nullopt;
  const Tensor& wt = w->constant();
  if (axis < 0 || axis >= static_cast<int64_t>(wt.rank())) return std::nullopt;
  const int64_t channels = wt.dims()[axis];
  const Tensor& st = s->constant();
  QuantWeights q;
  q.values = &wt;
  if (st.numel() == 1 && st.rank() <= 1) {
    q.scales.assign(channels, st.data<float>()[0]);
  } else {
    int64_t dq_axis = p->attr_int("axis", 1);
    if (dq_axis < 0) dq_axis += static_cast<int64_t>(wt.rank());
    if (st.rank() != 1 || st.numel() != channels || dq_axis != axis) return std::nullopt;
    q.scales.assign(st.data<float>(), st.data<float>() + channels);
  }
  for (float sc : q.scales)
    if (!(sc > 0.0f) || !std::isfinite(sc)) return std::nullopt;
  if (zp) {
    if (!zp->is_constant() || zp->constant().dtype() != DType::kInt8 ||
        zp->constant().numel() != st.numel())
      return std::nullopt;
    for (int64_t i = 0; i < zp->constant().numel(); ++i)
      if (zp->constant().data<int8_t>()[i] != 0) return std::nullopt;
  }
  return q;
}

std::optional<Tensor> accumulator_bias(const Value* b, float x_scale,
                                       const std::vector<float>& w_scales) {
  if (!b) return Tensor();
  const int64_t channels = static_cast<int64_t>(w_scales.size());
  Tensor out(DType::kFloat32, {channels});
  if (b->is_constant()) {
    const Tensor& t = b->constant();
    if (t.dtype() != DType::kFloat32 || t.numel() != channels) return std::nullopt;
    for (int64_t c = 0; c < channels; ++c)
      out.mutable_data<float>()[c] = t.data<float>()[c] / (x_scale * w_scales[c]);
    return out;
  }
  Node* p = b->producer();
  if (!is_op(p, "DequantizeLinear")) return std::nullopt;
  Value *q = p->input(0), *s = p->input(1), *zp = p->input(2);
  if (!q || !q->is_constant() || q->constant().dtype() != DType::kInt32 ||
      q->constant().numel() != channels)
    return std::nullopt;
  if (!s || !s->is_constant() || s->constant().dtype() != DType::kFloat32 ||
      (s->constant().numel() != 1 && s->constant().numel() != channels))
    return std::nullopt;
  if (zp && (!zp->is_constant() || zp->constant().dtype() != DType::kInt32)) return std::nullopt;
  for (int64_t i = 0; zp && i < zp->constant().numel(); ++i)
    if (zp->constant().data<int32_t>()[i] != 0) return std::nullopt;
  const float* bs = s->constant().data<float>();
  const int32_t* bq = q->constant().data<int32_t>();
  bool integer = true;
  for (int64_t c = 0; c < channels; ++c) {
    const float want = x_scale * w_scales[c], got = bs[s->constant().numel() == 1 ? 0 : c];
    integer = integer && std::fabs(got - want) <= 1e-6f * want;
    out.mutable_data<float>()[c] = static_cast<float>(bq[c]) * (got / want);
  }
  if (integer) return q->constant().reshaped({channels});
  return out;
}

void set_output_quantization(Node* n, const std::optional<QuantInfo>& y) {
  if (!y) {
    n->set_attr("y_type", "float");
    return;
  }
  n->set_attr("y_type", y->dtype == DType::kUInt8 ? "uint8" : "int8");
  n->set_attr("y_scale", y->scale);
  n->set_attr("y_zero_point", y->zero_point);
}

void replace_value_and_remove(Graph& g, Value* old, Value* replacement, DType dtype,
                              const std::vector<Node*>& dead) {
  const std::string name = old->name();
  TensorType t = old->type();
  t.dtype = dtype;
  replacement->set_type(t);
  g.replace_all_uses(old, replacement);
  for (Node* n : dead) g.remove_node(n);
  g.rename_value(replacement, name);
}

void replace_with_integer_op(Graph& g, Node* n, Node* q, const QuantInfo& x, const QuantWeights& w,
                             const std::optional<QuantInfo>& y,
                             std::unordered_set<Node*>& removed) {
  q->set_attr("x_scale", x.scale);
  q->set_attr("x_zero_point", x.zero_point);
  q->set_attr("w_scale", w.scales);
  replace_absorbing_quantize(g, n, q, y, removed);
}

void replace_absorbing_quantize(Graph& g, Node* n, Node* q, const std::optional<QuantInfo>& y,
                                std::unordered_set<Node*>& removed) {
  set_output_quantization(q, y);
  if (y) {
    removed.insert(y->node);
    replace_value_and_remove(g, y->integer, q->output(0), y->dtype, {y->node, n});
  } else {
    replace_value_and_remove(g, n->output(0), q->output(0), DType::kFloat32, {n});
  }
  removed.insert(n);
}

}  // namespace trex
