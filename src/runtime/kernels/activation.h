// Activations that fused kernels apply after their main op (FusedConv's `activation` and
// `activation_params` attributes), in a reference form and as oneDNN post-op parameters.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "util/error.h"

namespace trex {

struct Activation {
  enum class Kind {
    kNone,
    kRelu,
    kClip,
    kLeakyRelu,
    kSigmoid,
    kHardSigmoid,
    kHardSwish,
    kTanh,
    kElu,
    kSwish,  ///< SiLU: x * sigmoid(x)
    kGelu    ///< exact GELU: 0.5 x (1 + erf(x / sqrt 2))
  };
  Kind kind = Kind::kNone;
  float a = 0, b = 0;  ///< Clip: min, max; LeakyRelu/Elu: alpha; HardSigmoid: alpha, beta

  static Activation parse(const std::string& name, const std::vector<float>& p) {
    Activation act;
    auto param = [&p, &name](size_t i) {
      if (i >= p.size())
        throw_invalid("activation " + name + " lacks parameter " + std::to_string(i));
      return p[i];
    };
    if (name.empty()) return act;
    if (name == "Relu")
      act.kind = Kind::kRelu;
    else if (name == "Sigmoid")
      act.kind = Kind::kSigmoid;
    else if (name == "Tanh")
      act.kind = Kind::kTanh;
    else if (name == "HardSwish")
      act.kind = Kind::kHardSwish;
    else if (name == "Swish")
      act.kind = Kind::kSwish;
    else if (name == "Gelu")
      act.kind = Kind::kGelu;
    else if (name == "LeakyRelu")
      act = {Kind::kLeakyRelu, param(0), 0};
    else if (name == "Elu")
      act = {Kind::kElu, param(0), 0};
    else if (name == "Clip")
      act = {Kind::kClip, param(0), param(1)};
    else if (name == "HardSigmoid")
      act = {Kind::kHardSigmoid, param(0), param(1)};
    else
      throw_unsupported("fused activation " + name + " is not supported");
    return act;
  }

  float apply(float v) const {
    switch (kind) {
      case Kind::kNone:
        return v;
      case Kind::kRelu:
        return v > 0 ? v : 0.0f;
      case Kind::kClip:
        return std::min(b, std::max(a, v));
      case Kind::kLeakyRelu:
        return v < 0 ? a * v : v;
      case Kind::kSigmoid:
        return 1.0f / (1.0f + std::exp(-v));
      case Kind::kHardSigmoid:
        return std::max(0.0f, std::min(1.0f, a * v + b));
      case Kind::kHardSwish:
        return v * std::max(0.0f, std::min(1.0f, v / 6.0f + 0.5f));
      case Kind::kTanh:
        return std::tanh(v);
      case Kind::kElu:
        return v < 0 ? a * (std::exp(v) - 1.0f) : v;
      case Kind::kSwish:
        return v / (1.0f + std::exp(-v));
      case Kind::kGelu:
        return 0.5f * v * (1.0f + std::erf(v / std::sqrt(2.0f)));
    }
    return v;
  }

  /// Appends this activation as a oneDNN eltwise post-op (nothing for kNone).
  void append_to(dnnl::post_ops& ops) const {
    using alg = dnnl::algorithm;
    switch (kind) {
      case Kind::kNone:
        return;
      case Kind::kRelu:
        ops.append_eltwise(1.0f, alg::eltwise_relu, 0.0f, 0.0f);
        return;
      case Kind::kClip:
        ops.append_eltwise(1.0f, alg::eltwise_clip_v2, a, b);
        return;
      case Kind::kLeakyRelu:
        ops.append_eltwise(1.0f, alg::eltwise_relu, a, 0.0f);
        return;
      case Kind::kSigmoid:
        ops.append_eltwise(1.0f, alg::eltwise_logistic, 0.0f, 0.0f);
        return;
      case Kind::kHardSigmoid:  // oneDNN 2.6 has no hardsigmoid: clip(a*x + b, 0, 1)
        ops.append_eltwise(1.0f, alg::eltwise_linear, a, b);
        ops.append_eltwise(1.0f, alg::eltwise_clip_v2, 0.0f, 1.0f);
        return;
      case Kind::kHardSwish:
        ops.append_eltwise(1.0f, alg::eltwise_hardswish, 0.0f, 0.0f);
        return;
      case Kind::kTanh:
        ops.append_eltwise(1.0f, alg::eltwise_tanh, 0.0f, 0.0f);
        return;
      case Kind::kElu:
        ops.append_eltwise(1.0f, alg::eltwise_elu, a, 0.0f);
        return;
      case Kind::kSwish:
        ops.append_eltwise(1.0f, alg::eltwise_swish, 1.0f, 0.0f);
        return;
      case Kind::kGelu:
        ops.append_eltwise(1.0f, alg::eltwise_gelu_erf, 0.0f, 0.0f);
        return;
    }
  }
};

}  // namespace trex
