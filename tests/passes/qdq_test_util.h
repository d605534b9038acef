// Helpers for QDQ pass tests: build the QuantizeLinear/DequantizeLinear patterns the
// quantizer writes (activation quantizers, per-channel int8 weights, int32 bias) in code,
// and compare a session with the QDQ lowering against a reference-only session.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/builder.h"
#include "ir/verifier.h"
#include "passes/passes.h"
#include "passes/pass_test_util.h"
#include "runtime/session.h"

namespace trex::testing {

/// Q then DQ of `x` with a per-tensor scale and zero point of type `t` (uint8 or int8).
inline Value* fake_quant(GraphBuilder& b, Value* x, float scale, int zp, DType t,
                         const std::string& name) {
  Value* s = b.constant(name + ".s", Tensor::scalar_f32(scale));
  Tensor z(t, {});
  z.set_int64(0, zp);
  Value* zv = b.constant(name + ".z", z);
  Value* q = b.op("QuantizeLinear", {x, s, zv}, {}, name + ".q");
  return b.op("DequantizeLinear", {q, s, zv}, {}, name + ".dq");
}

/// Weights `w` quantized symmetrically per channel along `axis` (narrow range, int8 zero
/// points) behind a DequantizeLinear; `scales` receives the channel scales.
inline Value* quant_weights(GraphBuilder& b, const Tensor& w, int64_t axis, const std::string& name,
                            std::vector<float>* scales) {
  const int64_t c = w.dims()[axis];
  int64_t inner = 1;
  for (size_t i = axis + 1; i < w.rank(); ++i) inner *= w.dims()[i];
  std::vector<float> mx(c, 1e-6f);
  for (int64_t i = 0; i < w.numel(); ++i) {
    const int64_t ch = (i / inner) % c;
    mx[ch] = std::max(mx[ch], std::fabs(w.data<float>()[i]));
  }
  scales->resize(c);
  for (int64_t ch = 0; ch < c; ++ch) (*scales)[ch] = mx[ch] / 127.0f;
  Tensor q(DType::kInt8, w.dims());
  for (int64_t i = 0; i < w.numel(); ++i)
    q.mutable_data<int8_t>()[i] =
        static_cast<int8_t>(std::nearbyint(w.data<float>()[i] / (*scales)[(i / inner) % c]));
  return b.op("DequantizeLinear",
              {b.constant(name + ".q", q),
               b.constant(name + ".s", Tensor::from_vector<float>(DType::kFloat32, {c}, *scales)),
               b.constant(name + ".z", Tensor(DType::kInt8, {c}))},
              {{"axis", axis}}, name + ".dq");
}

/// Bias `bias` as int32 with scale x_scale * w_scales behind a DequantizeLinear.
inline Value* quant_bias(GraphBuilder& b, const Tensor& bias, float x_scale,
                         const std::vector<float>& w_scales, const std::string& name) {
  const int64_t c = bias.numel();
  Tensor q(DType::kInt32, {c});
  std::vector<float> s(c);
  for (int64_t i = 0; i < c; ++i) {
    s[i] = x_scale * w_scales[i];
    q.mutable_data<int32_t>()[i] =
        static_cast<int32_t>(std::nearbyint(bias.data<float>()[i] / s[i]));
  }
  return b.op("DequantizeLinear",
              {b.constant(name + ".q", q),
               b.constant(name + ".s", Tensor::from_vector<float>(DType::kFloat32, {c}, s)),
               b.constant(name + ".z", Tensor(DType::kInt32, {c}))},
              {{"axis", int64_t{0}}}, name + ".dq");
}

/// A Conv of dequantized `x` (scale `x_scale`) by quantized random weights [out, C/group, k, k]
/// with a quantized random bias.
inline Value* quant_conv(GraphBuilder& b, Value* x, float x_scale, int64_t in_ch, int64_t out_ch,
                         int64_t k, const AttrList& attrs, uint64_t seed, const std::string& name,
                         int64_t group = 1) {
  std::vector<float> ws;
  Value* w = quant_weights(b, random_tensor({out_ch, in_ch / group, k, k}, seed, -0.5f, 0.5f), 0,
                           name + ".w", &ws);
  Value* bias =
      quant_bias(b, random_tensor({out_ch}, seed + 1, -0.2f, 0.2f), x_scale, ws, name + ".b");
  AttrList all = attrs;
  all.push_back({"group", group});
  return b.op("Conv", {x, w, bias}, all, name);
}

/// Runs `g` with the runtime's lowering and with reference kernels only (the unlowered QDQ
/// graph) on `feeds` and expects output 0 within `steps` quantization steps of size `step`
/// everywhere and within one step for all but 1% of the elements. Returns the lowered session.
inline std::unique_ptr<Session> expect_lowered_matches(std::shared_ptr<Graph> g,
                                                       const std::map<std::string, Tensor>& feeds,
                                                       float step, float steps = 1.0f) {
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  Session ref(g, ref_opts);
  auto low = std::make_unique<Session>(g);
  Tensor want = ref.run(feeds)[0], got = low->run(feeds)[0];
  EXPECT_EQ(want.dims(), got.dims());
  int beyond_one = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    const float d = std::fabs(want.data<float>()[i] - got.data<float>()[i]);
    EXPECT_LE(d, steps * step * 1.001f + 1e-6f) << "element " << i;
    beyond_one += d > step * 1.001f + 1e-6f;
  }
  EXPECT_LE(beyond_one, want.numel() / 100) << "elements off by more than one step";
  return low;
}

/// The session graph's node count of `op`, after fuse_for_runtime on a copy.
inline int lowered_count(const Graph& g, const std::string& op) {
  auto copy = g.clone();
  fuse_for_runtime(*copy);
  verify(*copy);
  return count_ops(*copy, op);
}

/// How many nodes of `op` a session runs (its kernel choices name "node (op): backend").
inline int count_kernels(const Session& s, const std::string& op) {
  int n = 0;
  for (const std::string& c : s.kernel_choices()) n += c.find("(" + op + ")") != std::string::npos;
  return n;
}

}  // namespace trex::testing
