// Helpers for the differential tests of the oneDNN elementwise kernels: random inputs, typed
// intermediate values, and running a graph with optimized and with reference kernels.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ir/builder.h"
#include "runtime/session.h"

namespace trex {
namespace dnnl_test {

/// A float32 tensor of `dims` uniform in [lo, hi).
inline Tensor random_f32(const std::vector<int64_t>& dims, uint32_t seed, float lo = -2.0f,
                         float hi = 2.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t(DType::kFloat32, dims);
  for (int64_t i = 0; i < t.numel(); ++i) t.mutable_data<float>()[i] = d(rng);
  return t;
}

/// Gives `v` a static f32 type (the builder does not infer shapes; layouts need ranks).
inline Value* typed(Value* v, const std::vector<int64_t>& dims) {
  v->set_type({DType::kFloat32, Shape::from_static(dims)});
  return v;
}

/// A 3x3 Conv with `out` channels and pads 1 (keeps the spatial size), named `name`.
inline Value* conv3x3(GraphBuilder& b, Value* x, const std::vector<int64_t>& x_dims, int64_t out,
                      const std::string& name, uint32_t seed) {
  Value* w = b.constant(name + "_w", random_f32({out, x_dims[1], 3, 3}, seed, -0.5f, 0.5f));
  std::vector<int64_t> y_dims = x_dims;
  y_dims[1] = out;
  return typed(b.op("Conv", {x, w}, {{"pads", ints({1, 1, 1, 1})}}, name), y_dims);
}

/// Runs `g` on `feeds` with the optimized kernels and with reference kernels only, expects
/// every output to agree within `atol + rtol * |want|`, and returns the optimized session's
/// kernel choices.
inline std::vector<std::string> expect_matches_reference(std::shared_ptr<Graph> g,
                                                         const std::map<std::string, Tensor>& feeds,
                                                         const std::string& what,
                                                         float atol = 1e-6f, float rtol = 1e-5f) {
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  Session ref(g, ref_opts), fast(g, {});
  std::vector<Tensor> want = ref.run(feeds), got = fast.run(feeds);
  EXPECT_EQ(want.size(), got.size()) << what;
  for (size_t o = 0; o < std::min(want.size(), got.size()); ++o) {
    EXPECT_EQ(want[o].dims(), got[o].dims()) << what << " output " << o;
    if (want[o].dims() != got[o].dims()) continue;
    int bad = 0;
    for (int64_t k = 0; k < want[o].numel() && bad < 5; ++k) {
      float w = want[o].data<float>()[k], v = got[o].data<float>()[k];
      if (std::isnan(w) && std::isnan(v)) continue;
      if (std::isinf(w) && w == v) continue;
      if (!(std::fabs(w - v) <= atol + rtol * std::fabs(w))) {
        ADD_FAILURE() << what << " output " << o << " element " << k << ": " << v << ", reference "
                      << w;
        ++bad;
      }
    }
  }
  return fast.kernel_choices();
}

}  // namespace dnnl_test
}  // namespace trex
