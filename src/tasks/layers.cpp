// Layer helpers for the model builders (see layers.h).
#include "tasks/layers.h"

#include <cmath>

#include "data/random.h"

namespace trex {

LayerBuilder::LayerBuilder(Graph& g, int channels, int height, int width, uint64_t seed)
    : g_(g), b_(g), rng_(seed) {
  // Opset 14: HardSwish, Dropout with ratio/training_mode inputs, BN training_mode.
  g_.opset_imports = {{"", 14}};
  g_.ir_version = 7;
  input_ = b_.input("input", DType::kFloat32,
                    Shape(std::vector<Dim>{Dim::symbolic("N"), channels, height, width}));
}

Tensor LayerBuilder::normal(const std::vector<int64_t>& dims, double stddev) {
  Tensor t(DType::kFloat32, dims);
  float* p = t.mutable_data<float>();
  constexpr double kTwoPi = 6.283185307179586;
  auto uniform = [&] { return (static_cast<double>(splitmix64(rng_) >> 11) + 0.5) * 0x1.0p-53; };
  for (int64_t i = 0; i < t.numel(); i += 2) {
    // Box-Muller: two normals per draw; same on every standard library.
    double r = std::sqrt(-2.0 * std::log(uniform())), a = kTwoPi * uniform();
    p[i] = static_cast<float>(stddev * r * std::cos(a));
    if (i + 1 < t.numel()) p[i + 1] = static_cast<float>(stddev * r * std::sin(a));
  }
  return t;
}

Tensor LayerBuilder::filled(const std::vector<int64_t>& dims, float v) {
  Tensor t(DType::kFloat32, dims);
  float* p = t.mutable_data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = v;
  return t;
}

Value* LayerBuilder::conv(Value* x, const std::string& name, int64_t cin, int64_t cout, int64_t k,
                          int64_t stride, int64_t groups, bool bias) {
  // Kaiming normal, fan-out mode (as torchvision initializes its CNNs).
  double stddev = std::sqrt(2.0 / static_cast<double>(cout / groups * k * k));
  std::vector<Value*> ins = {
      x, b_.constant(name + ".weight", normal({cout, cin / groups, k, k}, stddev))};
  if (bias) ins.push_back(b_.constant(name + ".bias", filled({cout}, 0.0f)));
  int64_t pad = k / 2;
  return b_.op("Conv", ins,
               {{"kernel_shape", ints({k, k})},
                {"strides", ints({stride, stride})},
                {"pads", ints({pad, pad, pad, pad})},
                {"dilations", ints({1, 1})},
                {"group", groups}},
               name);
}

Value* LayerBuilder::batch_norm(Value* x, const std::string& name, int64_t c) {
  return b_.op("BatchNormalization",
               {x, b_.constant(name + ".weight", filled({c}, 1.0f)),
                b_.constant(name + ".bias", filled({c}, 0.0f)),
                b_.constant(name + ".running_mean", filled({c}, 0.0f)),
                b_.constant(name + ".running_var", filled({c}, 1.0f))},
               {{"epsilon", 1e-5f}, {"momentum", 0.9f}}, name);
}

Value* LayerBuilder::act(Value* x, Act a) {
  switch (a) {
    case Act::kNone:
      return x;
    case Act::kRelu:
      return b_.op("Relu", {x});
    case Act::kHardSwish:
      return b_.op("HardSwish", {x});
    case Act::kSilu:
      // x * sigmoid(x), as exporters write SiLU; the runtime fuses the pair.
      return b_.op("Mul", {x, b_.op("Sigmoid", {x})});
  }
  return x;
}

Value* LayerBuilder::conv_bn_act(Value* x, const std::string& name, int64_t cin, int64_t cout,
                                 int64_t k, int64_t stride, Act a, int64_t groups) {
  return act(batch_norm(conv(x, name + ".conv", cin, cout, k, stride, groups), name + ".bn", cout),
             a);
}

Value* LayerBuilder::squeeze_excite(Value* x, const std::string& name, int64_t c, int64_t reduced,
                                    Act inner, bool hard_gate) {
  Value* s = b_.op("GlobalAveragePool", {x});
  s = act(conv(s, name + ".fc1", c, reduced, 1, 1, 1, true), inner);
  s = conv(s, name + ".fc2", reduced, c, 1, 1, 1, true);
  s = hard_gate ? b_.op("HardSigmoid", {s}, {{"alpha", 1.0f / 6.0f}, {"beta", 0.5f}})
                : b_.op("Sigmoid", {s});
  return b_.op("Mul", {x, s});
}

Value* LayerBuilder::global_pool_flatten(Value* x) {
  return b_.op("Flatten", {b_.op("GlobalAveragePool", {x})}, {{"axis", int64_t{1}}});
}

Value* LayerBuilder::dropout(Value* x, float ratio) {
  if (ratio <= 0) return x;
  Value* r = b_.constant("dropout.ratio", Tensor::scalar_f32(ratio));
  return b_.op("Dropout", {x, r});
}

Value* LayerBuilder::linear(Value* x, const std::string& name, int64_t cin, int64_t cout) {
  return b_.op("Gemm",
               {x, b_.constant(name + ".weight", normal({cout, cin}, 0.01)),
                b_.constant(name + ".bias", filled({cout}, 0.0f))},
               {{"transB", int64_t{1}}}, name);
}

Value* LayerBuilder::average_pool(Value* x, int64_t k) {
  if (k == 1) return x;
  return b_.op(
      "AveragePool", {x},
      {{"kernel_shape", ints({k, k})}, {"strides", ints({k, k})}, {"pads", ints({0, 0, 0, 0})}});
}

Value* LayerBuilder::upsample(Value* x, int64_t factor, bool bilinear) {
  if (factor == 1) return x;
  const float f = static_cast<float>(factor);
  Value* scales = b_.constant("resize_scales." + std::to_string(constants_++),
                              Tensor::from_vector<float>(DType::kFloat32, {4}, {1.0f, 1.0f, f, f}));
  if (bilinear)
    return b_.op("Resize", {x, nullptr, scales},
                 {{"mode", std::string("linear")},
                  {"coordinate_transformation_mode", std::string("half_pixel")}});
  return b_.op("Resize", {x, nullptr, scales},
               {{"mode", std::string("nearest")},
                {"coordinate_transformation_mode", std::string("asymmetric")},
                {"nearest_mode", std::string("floor")}});
}

void LayerBuilder::output_map(Value* scores, int64_t classes, int64_t height, int64_t width) {
  scores->set_type(
      {DType::kFloat32, Shape(std::vector<Dim>{Dim::symbolic("N"), classes, height, width})});
  b_.output(scores, "scores");
}

void LayerBuilder::output(Value* logits, int64_t classes) {
  logits->set_type({DType::kFloat32, Shape(std::vector<Dim>{Dim::symbolic("N"), classes})});
  b_.output(logits, "logits");
}

}  // namespace trex
