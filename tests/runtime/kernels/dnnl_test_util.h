// Helpers for the differential tests of the oneDNN kernels: random inputs, typed intermediate
// values, convolutions around an op (so it sees channels-last tensors), and running a graph
// with optimized and with reference kernels and comparing within a stated tolerance.
#pragma once

#include <gtest/gtest.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
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

/// One node `op` (named "n") with `attrs` over graph inputs x0, x1, ... of `shapes`, its
/// output the graph output y.
inline std::shared_ptr<Graph> node_graph(const std::string& op,
                                         const std::vector<std::vector<int64_t>>& shapes,
                                         const AttrList& attrs = {},
                                         DType dtype = DType::kFloat32) {
  auto g = std::make_shared<Graph>();
  GraphBuilder b(*g);
  std::vector<Value*> ins;
  for (size_t i = 0; i < shapes.size(); ++i)
    ins.push_back(b.input("x" + std::to_string(i), dtype, Shape::from_static(shapes[i])));
  b.output(b.op(op, ins, attrs, "n"), "y");
  return g;
}

/// A Conv of `x` (with 2-D spatial `x_dims`) by the constant `w`, strides 1 and no pads,
/// named `name`, its output typed.
inline Value* conv(GraphBuilder& b, Value* x, const std::vector<int64_t>& x_dims, const Tensor& w,
                   const std::string& name) {
  const std::vector<int64_t> y_dims = {x_dims[0], w.dims()[0], x_dims[2] - w.dims()[2] + 1,
                                       x_dims[3] - w.dims()[3] + 1};
  return typed(b.op("Conv", {x, b.constant(name + "_w", w)}, {}, name), y_dims);
}

/// A 3x3 Conv with `out` channels and pads 1 (keeps the spatial size), named `name`.
inline Value* conv3x3(GraphBuilder& b, Value* x, const std::vector<int64_t>& x_dims, int64_t out,
                      const std::string& name, uint32_t seed) {
  Value* w = b.constant(name + "_w", random_f32({out, x_dims[1], 3, 3}, seed, -0.5f, 0.5f));
  std::vector<int64_t> y_dims = x_dims;
  y_dims[1] = out;
  return typed(b.op("Conv", {x, w}, {{"pads", ints({1, 1, 1, 1})}}, name), y_dims);
}

/// How far an optimized output element may be from the reference element `want`:
/// |got - want| <= atol + rtol * max(floor, m), where m is |want|, or with `of_largest` the
/// largest |want| of that output. Infinities must be equal; NaN never agrees.
struct Tolerance {
  float atol = 1e-6f;
  float rtol = 1e-5f;
  float floor = 0.0f;
  bool of_largest = false;

  /// |got - want| <= atol.
  static Tolerance absolute(float atol) { return {atol, 0.0f}; }
  /// |got - want| <= rtol * max(1, |want|).
  static Tolerance relative(float rtol) { return {0.0f, rtol, 1.0f}; }
  /// |got - want| <= rtol * max(1, largest |want| of the output): for long sums of products,
  /// whose rounding error scales with the output's magnitude rather than each element's.
  static Tolerance relative_to_largest(float rtol) { return {0.0f, rtol, 1.0f, true}; }
};

/// Expects `got` to have `want`'s dims and elements within `tol`; failures name `what`.
inline void expect_close(const Tensor& want, const Tensor& got, const Tolerance& tol,
                         const std::string& what) {
  ASSERT_EQ(want.dims(), got.dims()) << what;
  const float* w = want.data<float>();
  const float* v = got.data<float>();
  float largest = 0.0f;
  if (tol.of_largest)
    for (int64_t k = 0; k < want.numel(); ++k) largest = std::max(largest, std::fabs(w[k]));
  int bad = 0;
  for (int64_t k = 0; k < want.numel() && bad < 5; ++k) {
    if (w[k] == v[k]) continue;  // also equal infinities
    const float m = tol.of_largest ? largest : std::fabs(w[k]);
    const float bound = tol.atol + tol.rtol * std::max(tol.floor, m);
    if (!(std::fabs(w[k] - v[k]) <= bound)) {
      ADD_FAILURE() << what << " element " << k << ": " << v[k] << ", reference " << w[k]
                    << " (allowed difference " << bound << ")";
      ++bad;
    }
  }
}

/// One graph loaded twice, with reference kernels only and with the optimized kernels, so a
/// test can compare them over several runs (a changing batch, a cached primitive).
struct DifferentialSessions {
  explicit DifferentialSessions(std::shared_ptr<Graph> g)
      : reference(g, reference_options()), optimized(g, {}) {}

  /// Runs both sessions on `feeds`, expects every output to agree within `tol`, and returns
  /// the optimized outputs. With `dnnl_log`, stores oneDNN's verbose log of the optimized run.
  std::vector<Tensor> expect_match(const std::map<std::string, Tensor>& feeds,
                                   const std::string& what, const Tolerance& tol = {},
                                   std::string* dnnl_log = nullptr) {
    std::vector<Tensor> want = reference.run(feeds);
    if (dnnl_log) {
      dnnl::set_verbose(1);
      testing::internal::CaptureStdout();
    }
    std::vector<Tensor> got = optimized.run(feeds);
    if (dnnl_log) {
      *dnnl_log = testing::internal::GetCapturedStdout();
      dnnl::set_verbose(0);
    }
    EXPECT_EQ(want.size(), got.size()) << what;
    for (size_t o = 0; o < std::min(want.size(), got.size()); ++o)
      expect_close(want[o], got[o], tol, what + " output " + std::to_string(o));
    return got;
  }

  Session reference;
  Session optimized;

 private:
  static SessionOptions reference_options() {
    SessionOptions opts;
    opts.reference_only = true;
    return opts;
  }
};

/// Runs `g` on `feeds` with the optimized kernels and with reference kernels only, expects
/// every output to agree within `tol`, and returns the optimized session's kernel choices.
inline std::vector<std::string> expect_matches_reference(std::shared_ptr<Graph> g,
                                                         const std::map<std::string, Tensor>& feeds,
                                                         const std::string& what,
                                                         const Tolerance& tol = {}) {
  DifferentialSessions s(std::move(g));
  s.expect_match(feeds, what, tol);
  return s.optimized.kernel_choices();
}

/// For each of the graphs x -> [Conv "c1"] -> op -> [Conv "c2"] -> y, with either convolution
/// there or not (weights `w_before` and `w_after`, no pads), expects the kernel choices
/// "c1 (Conv): dnnl, channels-last", `op_choice` (with ", channels-last" when c2 follows) and
/// "c2 (Conv): dnnl", and outputs for input `x` matching the reference within `tol`.
/// `add_op` adds the op after its argument; its output has `op_dims`.
inline void expect_channels_last_between_convolutions(
    const Tensor& x, const std::function<Value*(GraphBuilder&, Value*)>& add_op,
    const std::vector<int64_t>& op_dims, const std::string& op_choice, const Tensor& w_before,
    const Tensor& w_after, const Tolerance& tol) {
  for (bool conv_before : {false, true})
    for (bool conv_after : {false, true}) {
      const std::string what =
          "before=" + std::to_string(conv_before) + " after=" + std::to_string(conv_after);
      auto g = std::make_shared<Graph>();
      GraphBuilder b(*g);
      Value* v = b.input("x", DType::kFloat32, Shape::from_static(x.dims()));
      std::vector<std::string> choices;
      if (conv_before) {
        v = conv(b, v, x.dims(), w_before, "c1");
        choices.push_back("c1 (Conv): dnnl, channels-last");
      }
      v = typed(add_op(b, v), op_dims);
      choices.push_back(op_choice + (conv_after ? ", channels-last" : ""));
      if (conv_after) {
        v = conv(b, v, op_dims, w_after, "c2");
        choices.push_back("c2 (Conv): dnnl");
      }
      b.output(v, "y");
      EXPECT_EQ(expect_matches_reference(g, {{"x", x}}, what, tol), choices) << what;
    }
}

}  // namespace dnnl_test
}  // namespace trex
