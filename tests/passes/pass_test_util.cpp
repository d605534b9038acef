// Reference interpreter and helpers for pass tests (see pass_test_util.h).
#include "passes/pass_test_util.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <unordered_map>

#include "passes/fold_eval.h"
#include "util/error.h"

namespace trex::testing {

namespace {

using Dims = std::vector<int64_t>;

Tensor conv(const Node& n, const Tensor& x, const Tensor& w, const Tensor* b) {
  const Dims& xd = x.dims();
  const Dims& wd = w.dims();
  int64_t N = xd[0], C = xd[1], H = xd[2], W = xd[3], M = wd[0], kh = wd[2], kw = wd[3];
  int64_t group = n.attr_int("group", 1);
  Dims pads = n.attr_ints("pads", {0, 0, 0, 0});
  Dims strides = n.attr_ints("strides", {1, 1});
  Dims dil = n.attr_ints("dilations", {1, 1});
  int64_t OH = (H + pads[0] + pads[2] - dil[0] * (kh - 1) - 1) / strides[0] + 1;
  int64_t OW = (W + pads[1] + pads[3] - dil[1] * (kw - 1) - 1) / strides[1] + 1;
  int64_t cg = C / group, mg = M / group;
  Tensor y(DType::kFloat32, {N, M, OH, OW});
  const float* xp = x.data<float>();
  const float* wp = w.data<float>();
  float* yp = y.mutable_data<float>();
  for (int64_t nn = 0; nn < N; ++nn)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = b ? b->data<float>()[m] : 0.0;
          int64_t g0 = m / mg;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                int64_t ih = oh * strides[0] - pads[0] + i * dil[0];
                int64_t iw = ow * strides[1] - pads[1] + j * dil[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                acc += static_cast<double>(xp[((nn * C + g0 * cg + c) * H + ih) * W + iw]) *
                       wp[((m * cg + c) * kh + i) * kw + j];
              }
          yp[((nn * M + m) * OH + oh) * OW + ow] = static_cast<float>(acc);
        }
  return y;
}

Tensor pool(const Node& n, const Tensor& x, bool is_max, bool global) {
  const Dims& xd = x.dims();
  int64_t N = xd[0], C = xd[1], H = xd[2], W = xd[3];
  Dims k = global ? Dims{H, W} : n.attr_ints("kernel_shape");
  Dims pads = global ? Dims{0, 0, 0, 0} : n.attr_ints("pads", {0, 0, 0, 0});
  Dims strides = global ? Dims{1, 1} : n.attr_ints("strides", {1, 1});
  bool count_pad = n.attr_int("count_include_pad", 0) != 0;
  int64_t OH = (H + pads[0] + pads[2] - k[0]) / strides[0] + 1;
  int64_t OW = (W + pads[1] + pads[3] - k[1]) / strides[1] + 1;
  Tensor y(DType::kFloat32, {N, C, OH, OW});
  const float* xp = x.data<float>();
  float* yp = y.mutable_data<float>();
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
        int64_t cnt = 0;
        for (int64_t i = 0; i < k[0]; ++i)
          for (int64_t j = 0; j < k[1]; ++j) {
            int64_t ih = oh * strides[0] - pads[0] + i, iw = ow * strides[1] - pads[1] + j;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
              if (count_pad) ++cnt;
              continue;
            }
            double v = xp[(nc * H + ih) * W + iw];
            acc = is_max ? std::max(acc, v) : acc + v;
            ++cnt;
          }
        yp[(nc * OH + oh) * OW + ow] = static_cast<float>(is_max ? acc : acc / cnt);
      }
  return y;
}

Tensor batch_norm(const Node& n, const std::vector<const Tensor*>& in) {
  const Tensor& x = *in[0];
  float eps = n.attr_float("epsilon", 1e-5f);
  int64_t C = x.dims()[1], inner = x.numel() / (x.dims()[0] * C);
  Tensor y(DType::kFloat32, x.dims());
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t c = (i / inner) % C;
    double s =
        in[1]->data<float>()[c] / std::sqrt(static_cast<double>(in[4]->data<float>()[c]) + eps);
    y.mutable_data<float>()[i] = static_cast<float>(
        (x.data<float>()[i] - in[3]->data<float>()[c]) * s + in[2]->data<float>()[c]);
  }
  return y;
}

/// 2-D (or batched with a 2-D right side) matrix product.
Tensor matmul(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  int64_t K = ta ? a.dims()[a.rank() - 2] : a.dims().back();
  int64_t M = a.numel() / K;
  int64_t N = tb ? b.dims()[0] : b.dims()[1];
  Dims out = a.dims();
  if (ta)
    out = {M, N};
  else
    out.back() = N;
  Tensor y(DType::kFloat32, out);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double acc = 0;
      for (int64_t k = 0; k < K; ++k)
        acc += static_cast<double>(a.data<float>()[ta ? k * M + i : i * K + k]) *
               b.data<float>()[tb ? j * K + k : k * N + j];
      y.mutable_data<float>()[i * N + j] = static_cast<float>(acc);
    }
  return y;
}

Tensor gemm(const Node& n, const std::vector<const Tensor*>& in) {
  Tensor y = matmul(*in[0], *in[1], n.attr_int("transA", 0), n.attr_int("transB", 0));
  float alpha = n.attr_float("alpha", 1.0f), beta = n.attr_float("beta", 1.0f);
  int64_t N = y.dims()[1];
  for (int64_t i = 0; i < y.numel(); ++i) {
    float v = y.data<float>()[i] * alpha;
    if (in.size() > 2 && in[2]) {
      const Tensor& c = *in[2];
      v += beta * c.data<float>()[c.numel() == 1 ? 0 : c.numel() == N ? i % N : i];
    }
    y.mutable_data<float>()[i] = v;
  }
  return y;
}

std::vector<Tensor> run_node(const Node& n, const std::vector<const Tensor*>& in) {
  const std::string& op = n.op_type();
  if (op == "Conv") return {conv(n, *in[0], *in[1], in.size() > 2 ? in[2] : nullptr)};
  if (op == "BatchNormalization") return {batch_norm(n, in)};
  if (op == "MaxPool") return {pool(n, *in[0], true, false)};
  if (op == "AveragePool") return {pool(n, *in[0], false, false)};
  if (op == "GlobalAveragePool") return {pool(n, *in[0], false, true)};
  if (op == "Gemm") return {gemm(n, in)};
  if (op == "MatMul") return {matmul(*in[0], *in[1], false, false)};
  if (op == "Dropout" || op == "Identity") return {*in[0]};
  if (op == "Clip") {  // opset < 11 attributes, as the architecture models use
    Tensor y = *in[0];
    float lo = n.attr_float("min", -3.4e38f), hi = n.attr_float("max", 3.4e38f);
    for (int64_t i = 0; i < y.numel(); ++i)
      y.mutable_data<float>()[i] = std::min(hi, std::max(lo, y.data<float>()[i]));
    return {y};
  }
  if (op == "Relu") {
    Tensor y = *in[0];
    for (int64_t i = 0; i < y.numel(); ++i)
      y.mutable_data<float>()[i] = std::max(0.0f, y.data<float>()[i]);
    return {y};
  }
  if (op == "Softmax") {  // over the last axis
    Tensor y = *in[0];
    int64_t d = y.dims().back();
    for (int64_t r = 0; r < y.numel() / d; ++r) {
      float* p = y.mutable_data<float>() + r * d;
      float mx = *std::max_element(p, p + d);
      double sum = 0;
      for (int64_t i = 0; i < d; ++i) sum += std::exp(static_cast<double>(p[i] - mx));
      for (int64_t i = 0; i < d; ++i)
        p[i] = static_cast<float>(std::exp(static_cast<double>(p[i] - mx)) / sum);
    }
    return {y};
  }
  auto out = evaluate_constant_node(n, in);
  if (!out) throw_unsupported("reference interpreter: cannot run " + n.describe());
  return *out;
}

}  // namespace

std::vector<Tensor> run_reference(const Graph& g, const std::map<std::string, Tensor>& inputs) {
  std::unordered_map<const Value*, Tensor> env;
  for (Value* in : g.inputs()) env[in] = inputs.at(in->name());
  for (Value* c : g.constants()) env[c] = c->constant();
  for (Node* n : g.topological_order()) {
    std::vector<const Tensor*> in;
    for (Value* v : n->inputs()) in.push_back(v ? &env.at(v) : nullptr);
    std::vector<Tensor> out = run_node(*n, in);
    for (size_t i = 0; i < n->num_outputs() && i < out.size(); ++i)
      if (n->output(i)) env[n->output(i)] = out[i];
  }
  std::vector<Tensor> result;
  for (Value* out : g.outputs()) result.push_back(env.at(out));
  return result;
}

Tensor random_tensor(const std::vector<int64_t>& dims, uint64_t seed, float lo, float hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(DType::kFloat32, dims);
  for (int64_t i = 0; i < t.numel(); ++i) t.mutable_data<float>()[i] = dist(rng);
  return t;
}

float max_abs_diff(const Tensor& a, const Tensor& b) {
  if (a.dims() != b.dims() || a.dtype() != DType::kFloat32 || b.dtype() != DType::kFloat32)
    return std::numeric_limits<float>::infinity();
  float m = 0;
  for (int64_t i = 0; i < a.numel(); ++i)
    m = std::max(m, std::fabs(a.data<float>()[i] - b.data<float>()[i]));
  return m;
}

int count_ops(const Graph& g, const std::string& op_type) {
  int n = 0;
  for (const Node* node : g.nodes()) n += node->op_type() == op_type;
  return n;
}

}  // namespace trex::testing
