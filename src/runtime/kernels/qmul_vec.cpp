// Optimized trex.QMul: the integer product (a - a_zp)(b - b_zp), exact in float, scaled once
// and rounded (ties to even) without calls so the loops vectorize; OpenMP splits them. B has
// A's shape or is a per-channel gate [N or 1, C, 1, ...]. A and the output may be plain or
// channels-last (a full-shape input in the other layout is converted first); a gate is the
// same in both. Registered with the optimized kernels; multi-versioned (simd_clones.h).
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/int8_layout.h"
#include "runtime/kernels/quantize.h"
#include "runtime/kernels/simd_clones.h"

namespace trex {

namespace {

/// The scaling of a QMul result: y = (a - za)(b - zb) * k + offset, clamped to [lo, hi] and
/// rounded when `quantized` (else stored as f32).
struct MulScale {
  float za, zb, k, offset, lo, hi;
};

template <typename TO>
inline TO mul_store(float prod, const MulScale& s) {
  float v = prod * s.k + s.offset;
  if constexpr (std::is_same_v<TO, float>) {
    return v;
  } else {
    v = v < s.lo ? s.lo : v;  // selects, not std::min/max calls, so the loop if-converts
    v = v > s.hi ? s.hi : v;
    return static_cast<TO>(static_cast<int32_t>(round_half_even_small(v)));
  }
}

/// y[i] = f((a[i] - za) * (b[i] - zb)) over n elements.
template <typename TA, typename TB, typename TO>
TREX_SIMD_CLONES void mul_same(const TA* a, const TB* b, TO* y, int64_t n, MulScale s) {
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i)
    y[i] = mul_store<TO>((static_cast<float>(a[i]) - s.za) * (static_cast<float>(b[i]) - s.zb), s);
}

/// Plain layout: `rows` rows of `len` elements, row r scaled by gate g[r].
template <typename TA, typename TB, typename TO>
TREX_SIMD_CLONES void mul_rows(const TA* a, const TB* g, TO* y, int64_t rows, int64_t len,
                               MulScale s) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float gr = static_cast<float>(g[r]) - s.zb;
    const TA* ar = a + r * len;
    TO* yr = y + r * len;
#pragma omp simd
    for (int64_t i = 0; i < len; ++i) yr[i] = mul_store<TO>((static_cast<float>(ar[i]) - s.za) * gr, s);
  }
}

/// Channels-last: n images of `pixels` x c elements, element (i, p, ch) scaled by the gate
/// g[i * g_stride + ch] (g_stride: c, or 0 for one gate shared by the batch).
template <typename TA, typename TB, typename TO>
TREX_SIMD_CLONES void mul_pixels(const TA* a, const TB* g, TO* y, int64_t n, int64_t pixels,
                                 int64_t c, int64_t g_stride, MulScale s) {
  std::vector<float> gates(static_cast<size_t>(n * c));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      gates[i * c + ch] = static_cast<float>(g[i * g_stride + ch]) - s.zb;
  const float* gf = gates.data();
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t p = 0; p < pixels; ++p) {
      const int64_t base = (i * pixels + p) * c;
      const float* gi = gf + i * c;
#pragma omp simd
      for (int64_t ch = 0; ch < c; ++ch)
        y[base + ch] = mul_store<TO>((static_cast<float>(a[base + ch]) - s.za) * gi[ch], s);
    }
}

bool int8_type(const TensorView& t) { return t.dtype == DType::kUInt8 || t.dtype == DType::kInt8; }

class QMulVec : public OpKernel {
 public:
  explicit QMulVec(const KernelInit& init)
      : a_scale_(init.node->attr_float("a_scale", 0.0f)),
        b_scale_(init.node->attr_float("b_scale", 0.0f)),
        a_zero_(static_cast<float>(init.node->attr_int("a_zero_point", 0))),
        b_zero_(static_cast<float>(init.node->attr_int("b_zero_point", 0))),
        out_(OutputQuantization::read(*init.node)) {}

  void compute(KernelContext& ctx) override {
    const TensorView& a = *ctx.input(0);
    const TensorView& b = *ctx.input(1);
    if (!int8_type(a) || !int8_type(b))
      throw_invalid(ctx.node_label() + ": A and B must be uint8/int8");
    const bool gate = b.dims != a.dims;
    if (gate && !is_gate(a, b))
      throw_invalid(ctx.node_label() + ": B of shape " + Shape::from_static(b.dims).to_string() +
                    " is neither A's shape " + Shape::from_static(a.dims).to_string() +
                    " nor a per-channel [N or 1, C, 1, ...]");
    const bool cl = ctx.output_channels_last(0) && a.rank() >= 3;
    TensorView& y = ctx.output(0, out_.dtype, a.dims);
    std::vector<uint8_t> a_tmp, b_tmp;
    Args args{int8_in_layout(a, cl, a_tmp), gate ? b.data : int8_in_layout(b, cl, b_tmp), &a, &b,
              cl, gate};
    dispatch_a(args, y);
  }

  bool accepts_channels_last(size_t input) const override { return input < 2; }
  bool produces_channels_last() const override { return true; }

 private:
  struct Args {
    const void *a, *b;
    const TensorView *av, *bv;
    bool channels_last, gate;
  };

  static bool is_gate(const TensorView& a, const TensorView& b) {
    if (a.rank() < 3 || b.rank() != a.rank()) return false;
    if ((b.dims[0] != a.dims[0] && b.dims[0] != 1) || b.dims[1] != a.dims[1]) return false;
    for (size_t d = 2; d < b.rank(); ++d)
      if (b.dims[d] != 1) return false;
    return true;
  }

  void dispatch_a(const Args& x, TensorView& y) const {
    if (x.av->dtype == DType::kUInt8)
      dispatch_b(static_cast<const uint8_t*>(x.a), x, y);
    else
      dispatch_b(static_cast<const int8_t*>(x.a), x, y);
  }

  template <typename TA>
  void dispatch_b(const TA* a, const Args& x, TensorView& y) const {
    if (x.bv->dtype == DType::kUInt8)
      dispatch_y(a, static_cast<const uint8_t*>(x.b), x, y);
    else
      dispatch_y(a, static_cast<const int8_t*>(x.b), x, y);
  }

  template <typename TA, typename TB>
  void dispatch_y(const TA* a, const TB* b, const Args& x, TensorView& y) const {
    if (out_.dtype == DType::kUInt8)
      run(a, b, y.as<uint8_t>(), x);
    else if (out_.dtype == DType::kInt8)
      run(a, b, y.as<int8_t>(), x);
    else
      run(a, b, y.as<float>(), x);
  }

  template <typename TA, typename TB, typename TO>
  void run(const TA* a, const TB* b, TO* y, const Args& x) const {
    MulScale s{a_zero_, b_zero_, a_scale_ * b_scale_, 0.0f, 0.0f, 0.0f};
    if (out_.quantized()) {  // y = sa sb / sy (a - za)(b - zb) + zy
      s.k /= out_.scale;
      s.offset = out_.zero_point;
      s.lo = quant_min(out_.dtype);
      s.hi = quant_max(out_.dtype);
    }
    const TensorView& av = *x.av;
    if (!x.gate) return mul_same(a, b, y, av.numel(), s);
    const int64_t n = av.dims[0], c = av.dims[1], pixels = av.numel() / std::max<int64_t>(n * c, 1);
    const bool shared = x.bv->dims[0] != n;
    if (x.channels_last) return mul_pixels(a, b, y, n, pixels, c, shared ? 0 : c, s);
    if (!shared) return mul_rows(a, b, y, n * c, pixels, s);
    for (int64_t i = 0; i < n; ++i)
      mul_rows(a + i * c * pixels, b, y + i * c * pixels, c, pixels, s);
  }

  float a_scale_, b_scale_, a_zero_, b_zero_;
  OutputQuantization out_;
};

}  // namespace

std::unique_ptr<OpKernel> create_qmul_vec(const KernelInit& init) {
  return std::make_unique<QMulVec>(init);
}

}  // namespace trex
