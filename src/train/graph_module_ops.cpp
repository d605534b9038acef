// libtorch implementations of the ONNX ops the training backend supports, one small
// function per op. Attributes are read once, when the module is built.
#include <cmath>
#include <map>

#include "compress/fake_quantize.h"
#include "train/graph_module.h"
#include "util/error.h"

namespace trex::train {

namespace {

using Args = std::vector<torch::Tensor>;
using Outs = std::vector<torch::Tensor>;
using Step = GraphModule::Step;
namespace F = torch::nn::functional;

/// Symmetric 2-D padding from ONNX `pads` (begin..., end...); asymmetric is refused.
std::vector<int64_t> symmetric_pads(const Node& n, size_t spatial) {
  std::vector<int64_t> pads = n.attr_ints("pads", std::vector<int64_t>(2 * spatial, 0));
  std::string auto_pad = n.attr_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID")
    throw_unsupported(n.describe() + ": auto_pad " + auto_pad +
                      " is not supported by the training backend; give explicit pads");
  if (auto_pad == "VALID") pads.assign(2 * spatial, 0);
  if (pads.size() != 2 * spatial) throw_invalid(n.describe() + ": pads has the wrong length");
  for (size_t i = 0; i < spatial; ++i)
    if (pads[i] != pads[i + spatial])
      throw_unsupported(n.describe() + ": asymmetric pads are not supported for training");
  return {pads.begin(), pads.begin() + spatial};
}

size_t spatial_rank(const Node& n) {
  std::vector<int64_t> k = n.attr_ints("kernel_shape");
  if (!k.empty()) return k.size();
  const Value* w = n.input(1);
  if (w && w->shape()) return w->shape()->rank() - 2;
  if (n.input(0)->shape()) return n.input(0)->shape()->rank() - 2;
  throw_unsupported(n.describe() + ": cannot tell the spatial rank (no kernel_shape)");
}

Step conv(const Node& n) {
  size_t r = spatial_rank(n);
  if (r != 1 && r != 2 && r != 3)
    throw_unsupported(n.describe() + ": " + std::to_string(r) + "-D convolution");
  auto pads = symmetric_pads(n, r);
  auto strides = n.attr_ints("strides", std::vector<int64_t>(r, 1));
  auto dil = n.attr_ints("dilations", std::vector<int64_t>(r, 1));
  int64_t groups = n.attr_int("group", 1);
  return [=](const Args& a, bool) -> Outs {
    torch::Tensor b = a.size() > 2 ? a[2] : torch::Tensor();
    return {torch::convolution(a[0], a[1], b, strides, pads, dil, false, std::vector<int64_t>(r, 0),
                               groups)};
  };
}

/// trex FakeQuantize (compress/qat_graph.h): symmetric (x, scale) or asymmetric
/// (x, input_low, input_range) on the integer grid [level_low, level_high].
Step fake_quantize(const Node& n) {
  const compress::QuantLevels levels{static_cast<int32_t>(n.attr_int("level_low", -128)),
                                     static_cast<int32_t>(n.attr_int("level_high", 127))};
  if (levels.low >= levels.high)
    throw_invalid(n.describe() + ": level_low must be below level_high");
  const std::string mode = n.attr_string("mode", "symmetric");
  // Range gradients scaled as LSQ does: by the values one parameter covers (per sample for
  // an activation), so ranges train stably at the weights' learning rate.
  // (A weight may come through rb_sparsity's mask first.)
  const Value* x = n.input(0);
  const bool weight =
      x && (x->is_constant() || (x->producer() && x->producer()->op_type() == "RBSparsify" &&
                                 x->producer()->domain() == "trex"));
  auto gradient_scale = [=](const torch::Tensor& x, const torch::Tensor& p) {
    int64_t per = x.numel() / std::max<int64_t>(1, p.numel());
    if (!weight && x.dim() > 0 && x.size(0) > 0) per /= x.size(0);
    return compress::range_gradient_scale(per, levels);
  };
  // logarithm_scale: the parameter is log(scale) (or log(input_range)); autograd carries its
  // gradient through exp.
  const bool log_scale = n.attr_int("log_scale", 0) != 0;
  auto magnitude = [log_scale](const torch::Tensor& p) { return log_scale ? torch::exp(p) : p; };
  if (mode == "symmetric") {
    if (n.num_inputs() != 2) throw_invalid(n.describe() + ": symmetric takes (x, scale)");
    return [=](const Args& a, bool) -> Outs {
      const double g = gradient_scale(a[0], a[1]);
      return {compress::fake_quantize_symmetric(a[0], magnitude(a[1]), levels, g)};
    };
  }
  if (mode != "asymmetric" || n.num_inputs() != 3)
    throw_invalid(n.describe() +
                  ": mode must be symmetric (x, scale) or asymmetric (x, "
                  "input_low, input_range)");
  // input_range = scale x (level_high - level_low): its gradient is the scale's divided by
  // the level count, so the same relative step needs that count squared on top.
  const double levels2 = std::pow(static_cast<double>(levels.high - levels.low), 2);
  return [=](const Args& a, bool) -> Outs {
    const double g = gradient_scale(a[0], a[1]);
    return {
        compress::fake_quantize_asymmetric(a[0], a[1], magnitude(a[2]), levels, g, g * levels2)};
  };
}

Step batch_norm(const Node& n) {
  float eps = n.attr_float("epsilon", 1e-5f);
  // ONNX: running = running * momentum + batch * (1 - momentum); libtorch the reverse.
  double momentum = 1.0 - n.attr_float("momentum", 0.9f);
  for (size_t i = 1; i < n.num_outputs(); ++i)
    if (n.output(i) && !n.output(i)->uses().empty())
      throw_unsupported(n.describe() + ": training-mode outputs (running mean/var) are used");
  return [=](const Args& a, bool training) -> Outs {
    return {torch::batch_norm(a[0], a[1], a[2], a[3], a[4], training, momentum, eps, false)};
  };
}

Step gemm(const Node& n) {
  bool ta = n.attr_int("transA", 0), tb = n.attr_int("transB", 0);
  double alpha = n.attr_float("alpha", 1.0f), beta = n.attr_float("beta", 1.0f);
  return [=](const Args& a, bool) -> Outs {
    torch::Tensor x = ta ? a[0].t() : a[0];
    bool has_c = a.size() > 2 && a[2].defined();
    if (!ta && tb && alpha == 1.0 && (beta == 1.0 || !has_c) && (!has_c || a[2].dim() <= 1))
      return {torch::linear(x, a[1], has_c ? a[2] : torch::Tensor())};
    torch::Tensor y = torch::matmul(x, tb ? a[1].t() : a[1]);
    if (alpha != 1.0) y = y * alpha;
    if (has_c) y = y + (beta == 1.0 ? a[2] : a[2] * beta);
    return {y};
  };
}

Step pool(const Node& n, bool max) {
  auto k = n.attr_ints("kernel_shape");
  if (k.size() != 2) throw_unsupported(n.describe() + ": only 2-D pooling is supported");
  auto pads = symmetric_pads(n, 2);
  auto strides = n.attr_ints("strides", {1, 1});
  auto dil = n.attr_ints("dilations", {1, 1});
  bool ceil = n.attr_int("ceil_mode", 0);
  bool include_pad = n.attr_int("count_include_pad", 0);
  if (!max && (dil[0] != 1 || dil[1] != 1))
    throw_unsupported(n.describe() + ": dilated average pooling");
  if (n.num_outputs() > 1 && n.output(1) && !n.output(1)->uses().empty())
    throw_unsupported(n.describe() + ": MaxPool indices output");
  return [=](const Args& a, bool) -> Outs {
    if (max) return {torch::max_pool2d(a[0], k, strides, pads, dil, ceil)};
    return {torch::avg_pool2d(a[0], k, strides, pads, ceil, include_pad)};
  };
}

Step global_avg_pool(const Node&) {
  return [](const Args& a, bool) -> Outs {
    std::vector<int64_t> dims;
    for (int64_t d = 2; d < a[0].dim(); ++d) dims.push_back(d);
    return {a[0].mean(dims, true)};
  };
}

Step flatten(const Node& n) {
  int64_t axis = n.attr_int("axis", 1);
  return [=](const Args& a, bool) -> Outs {
    int64_t ax = axis < 0 ? axis + a[0].dim() : axis;
    int64_t outer = 1;
    for (int64_t d = 0; d < ax; ++d) outer *= a[0].size(d);
    return {a[0].reshape({outer, -1})};
  };
}

Step reshape(const Node& n) {
  bool allowzero = n.attr_int("allowzero", 0);
  return [=](const Args& a, bool) -> Outs {
    torch::Tensor s = a[1].to(torch::kInt64).contiguous();
    std::vector<int64_t> shape(s.data_ptr<int64_t>(), s.data_ptr<int64_t>() + s.numel());
    for (size_t i = 0; i < shape.size(); ++i)
      if (shape[i] == 0 && !allowzero) shape[i] = a[0].size(static_cast<int64_t>(i));
    return {a[0].reshape(shape)};
  };
}

Step dropout(const Node& n) {
  float attr_ratio = n.attr_float("ratio", 0.5f);
  if (n.num_outputs() > 1 && n.output(1) && !n.output(1)->uses().empty())
    throw_unsupported(n.describe() + ": Dropout mask output");
  return [=](const Args& a, bool training) -> Outs {
    if (!training) return {a[0]};
    double ratio = a.size() > 1 && a[1].defined() ? a[1].item<double>() : attr_ratio;
    return {torch::dropout(a[0], ratio, true)};
  };
}

Step clip(const Node& n, int64_t opset) {
  bool from_attrs = opset < 11;
  float lo_attr = n.attr_float("min", -3.4028234663852886e38f);
  float hi_attr = n.attr_float("max", 3.4028234663852886e38f);
  return [=](const Args& a, bool) -> Outs {
    if (from_attrs) return {torch::clamp(a[0], lo_attr, hi_attr)};
    c10::optional<torch::Tensor> lo, hi;
    if (a.size() > 1 && a[1].defined()) lo = a[1];
    if (a.size() > 2 && a[2].defined()) hi = a[2];
    return {torch::clamp(a[0], lo, hi)};
  };
}

Step hard_sigmoid(const Node& n) {
  float alpha = n.attr_float("alpha", 0.2f), beta = n.attr_float("beta", 0.5f);
  bool torch_form = std::abs(alpha - 1.0f / 6.0f) < 1e-7f && beta == 0.5f;
  return [=](const Args& a, bool) -> Outs {
    if (torch_form) return {torch::hardsigmoid(a[0])};
    return {torch::clamp(a[0] * alpha + beta, 0.0, 1.0)};
  };
}

Step softmax(const Node& n, bool log, int64_t opset) {
  int64_t axis = n.attr_int("axis", opset >= 13 ? -1 : 1);
  bool flat = opset < 13;
  return [=](const Args& a, bool) -> Outs {
    torch::Tensor x = a[0];
    int64_t ax = axis < 0 ? axis + x.dim() : axis;
    if (flat && ax != x.dim() - 1) {
      auto sizes = x.sizes().vec();
      torch::Tensor f = x.flatten(ax);
      torch::Tensor y = log ? torch::log_softmax(f, -1) : torch::softmax(f, -1);
      return {y.reshape(sizes)};
    }
    return {log ? torch::log_softmax(x, ax) : torch::softmax(x, ax)};
  };
}

Step reduce_mean(const Node& n) {
  bool keep = n.attr_int("keepdims", 1);
  auto attr_axes = n.attr_ints("axes");
  return [=](const Args& a, bool) -> Outs {
    std::vector<int64_t> axes = attr_axes;
    if (a.size() > 1 && a[1].defined()) {
      torch::Tensor t = a[1].to(torch::kInt64).contiguous();
      axes.assign(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
    }
    if (axes.empty())
      for (int64_t d = 0; d < a[0].dim(); ++d) axes.push_back(d);
    return {a[0].mean(axes, keep)};
  };
}

Step concat(const Node& n) {
  int64_t axis = n.attr_int("axis", 0);
  return [=](const Args& a, bool) -> Outs { return {torch::cat(a, axis)}; };
}

Step transpose(const Node& n) {
  auto perm = n.attr_ints("perm");
  return [=](const Args& a, bool) -> Outs {
    std::vector<int64_t> p = perm;
    if (p.empty())
      for (int64_t d = a[0].dim(); d-- > 0;) p.push_back(d);
    return {a[0].permute(p)};
  };
}

/// Resize (opsets 10+) as PyTorch's interpolate: linear with half_pixel (or
/// pytorch_half_pixel) or align_corners coordinates, nearest with asymmetric coordinates and
/// floor rounding (what upsampling layers export); output sizes from `scales` (their factors
/// map the coordinates, as ONNX does) or `sizes`.
Step resize(const Node& n, int opset) {
  const std::string mode = n.attr_string("mode", "nearest");
  const std::string ctm =
      opset < 11 ? "asymmetric" : n.attr_string("coordinate_transformation_mode", "half_pixel");
  const std::string nearest =
      opset < 11 ? "floor" : n.attr_string("nearest_mode", "round_prefer_floor");
  const bool linear = mode == "linear";
  if (linear && ctm != "half_pixel" && ctm != "pytorch_half_pixel" && ctm != "align_corners")
    throw_unsupported(n.describe() + ": linear Resize with coordinate_transformation_mode " + ctm +
                      " is not supported by the training backend (half_pixel, "
                      "pytorch_half_pixel, align_corners)");
  if (!linear && (mode != "nearest" || ctm != "asymmetric" || nearest != "floor"))
    throw_unsupported(n.describe() + ": Resize mode " + mode + " (" + ctm + ", " + nearest +
                      ") is not supported by the training backend (linear, or nearest with "
                      "asymmetric coordinates and floor)");
  const size_t scales_at = opset < 11 ? 1 : 2, sizes_at = 3;
  return [=](const Args& a, bool) -> Outs {
    const torch::Tensor& x = a[0];
    const int64_t spatial = x.dim() - 2;
    if (spatial < 1 || spatial > 3)
      throw_unsupported(n.describe() + ": Resize of a rank-" + std::to_string(x.dim()) + " tensor");
    F::InterpolateFuncOptions o;
    if (a.size() > sizes_at && a[sizes_at].defined() && a[sizes_at].numel() > 0) {
      torch::Tensor s = a[sizes_at].to(torch::kInt64).contiguous();
      if (s.numel() != x.dim() || s.data_ptr<int64_t>()[0] != x.size(0) ||
          s.data_ptr<int64_t>()[1] != x.size(1))
        throw_unsupported(n.describe() + ": Resize of the batch or channel axis");
      o.size(std::vector<int64_t>(s.data_ptr<int64_t>() + 2, s.data_ptr<int64_t>() + x.dim()));
    } else {
      if (a.size() <= scales_at || !a[scales_at].defined() || a[scales_at].numel() != x.dim())
        throw_invalid(n.describe() + ": Resize needs scales or sizes for every axis");
      torch::Tensor s = a[scales_at].to(torch::kDouble).contiguous();
      const double* f = s.data_ptr<double>();
      if (f[0] != 1.0 || f[1] != 1.0)
        throw_unsupported(n.describe() + ": Resize of the batch or channel axis");
      o.scale_factor(std::vector<double>(f + 2, f + x.dim())).recompute_scale_factor(false);
    }
    if (linear) {
      if (spatial == 1)
        o.mode(torch::kLinear);
      else if (spatial == 2)
        o.mode(torch::kBilinear);
      else
        o.mode(torch::kTrilinear);
      o.align_corners(ctm == "align_corners");
    } else {
      o.mode(torch::kNearest);
    }
    return {F::interpolate(x, o)};
  };
}

Step unary(torch::Tensor (*f)(const torch::Tensor&)) {
  return [f](const Args& a, bool) -> Outs { return {f(a[0])}; };
}

}  // namespace

/// trex RBSparsify (compress/rb_sparsity.h): (w, logits) -> w * mask. Training: mask =
/// [logits + logistic noise > 0], resampled every pass, gradients straight through the
/// threshold (as if the mask were sigmoid(logits + noise)); eval: mask = [logits > 0].
Step rb_sparsify(const Node& n) {
  if (n.num_inputs() != 2) throw_invalid(n.describe() + ": takes (weight, logits)");
  return [](const Args& a, bool training) -> Outs {
    const torch::Tensor& logits = a[1];
    if (!training) return {a[0] * (logits > 0).to(a[0].dtype())};
    torch::Tensor u = torch::rand_like(logits).clamp(1e-6, 1 - 1e-6);
    torch::Tensor soft = torch::sigmoid(logits + torch::log(u) - torch::log1p(-u));
    torch::Tensor mask = (soft > 0.5).to(soft.dtype()) + soft - soft.detach();
    return {a[0] * mask};
  };
}

GraphModule::Step make_torch_step(const Node& n, const Graph& g) {
  const std::string& op = n.op_type();
  if (op == "FakeQuantize" && n.domain() == "trex") return fake_quantize(n);
  if (op == "RBSparsify" && n.domain() == "trex") return rb_sparsify(n);
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    throw_unsupported(n.describe() + ": domain '" + n.domain() +
                      "' is not supported by the training backend");
  if (op == "Conv") return conv(n);
  if (op == "BatchNormalization") return batch_norm(n);
  if (op == "Gemm") return gemm(n);
  if (op == "MatMul")
    return [](const Args& a, bool) -> Outs { return {torch::matmul(a[0], a[1])}; };
  if (op == "MaxPool") return pool(n, true);
  if (op == "AveragePool") return pool(n, false);
  if (op == "GlobalAveragePool") return global_avg_pool(n);
  if (op == "Flatten") return flatten(n);
  if (op == "Reshape") return reshape(n);
  if (op == "Dropout") return dropout(n);
  if (op == "Clip") return clip(n, g.opset());
  if (op == "HardSigmoid") return hard_sigmoid(n);
  if (op == "Softmax") return softmax(n, false, g.opset());
  if (op == "LogSoftmax") return softmax(n, true, g.opset());
  if (op == "ReduceMean") return reduce_mean(n);
  if (op == "Concat") return concat(n);
  if (op == "Resize") return resize(n, g.opset());
  if (op == "Transpose") return transpose(n);
  if (op == "Relu") return unary(torch::relu);
  if (op == "Sigmoid") return unary(torch::sigmoid);
  if (op == "Tanh") return unary(torch::tanh);
  if (op == "HardSwish") return unary(torch::hardswish);
  if (op == "Identity") return [](const Args& a, bool) -> Outs { return {a[0]}; };
  if (op == "LeakyRelu") {
    double alpha = n.attr_float("alpha", 0.01f);
    return [=](const Args& a, bool) -> Outs { return {torch::leaky_relu(a[0], alpha)}; };
  }
  if (op == "Add") return [](const Args& a, bool) -> Outs { return {a[0] + a[1]}; };
  if (op == "Sub") return [](const Args& a, bool) -> Outs { return {a[0] - a[1]}; };
  if (op == "Mul") return [](const Args& a, bool) -> Outs { return {a[0] * a[1]}; };
  if (op == "Div") return [](const Args& a, bool) -> Outs { return {a[0] / a[1]}; };
  throw_unsupported(n.describe() + ": the training backend has no implementation of " + op);
}

}  // namespace trex::train
