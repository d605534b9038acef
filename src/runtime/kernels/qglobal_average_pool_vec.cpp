// Optimized trex.QGlobalAveragePool: exact int32 sums of the 8-bit values (along the channels
// of a channels-last tensor, so the adds vectorize; along each plane of a plain one), then one
// multiply-add per channel that folds dequantization, the mean and the requantization, and a
// call-free round-half-even. OpenMP splits batch x channel work.
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/dnnl_kernels.h"
#include "runtime/kernels/quantize.h"

namespace trex {

namespace {

class QGlobalAveragePoolVec : public OpKernel {
 public:
  explicit QGlobalAveragePoolVec(const KernelInit& init)
      : x_scale_(init.node->attr_float("x_scale", 0.0f)),
        x_zero_(static_cast<float>(init.node->attr_int("x_zero_point", 0))),
        out_(OutputQuantization::read(*init.node)) {}

  void compute(KernelContext& ctx) override {
    const TensorView& x = *ctx.input(0);
    if ((x.dtype != DType::kUInt8 && x.dtype != DType::kInt8) || x.rank() < 3)
      throw_invalid(ctx.node_label() + ": X must be uint8/int8 with spatial dims");
    std::vector<int64_t> dims = {x.dims[0], x.dims[1]};
    dims.resize(x.rank(), 1);
    // [N, C, 1, ...]: plain and channels-last are the same bytes.
    TensorView& y = ctx.output(0, out_.dtype, dims);
    const int64_t n = x.dims[0], c = x.dims[1], s = x.numel() / std::max<int64_t>(n * c, 1);
    sums_.assign(static_cast<size_t>(n * c), 0);
    if (x.dtype == DType::kUInt8)
      sum(x.as<uint8_t>(), x.channels_last, n, c, s);
    else
      sum(x.as<int8_t>(), x.channels_last, n, c, s);
    if (out_.dtype == DType::kUInt8)
      finish(y.as<uint8_t>(), s);
    else if (out_.dtype == DType::kInt8)
      finish(y.as<int8_t>(), s);
    else
      finish_float(y.as<float>(), s);
  }

  bool accepts_channels_last(size_t input) const override { return input == 0; }
  bool produces_channels_last() const override { return true; }

 private:
  template <typename T>
  void sum(const T* x, bool channels_last, int64_t n, int64_t c, int64_t s) {
    int32_t* out = sums_.data();
    if (channels_last) {
      // Per image, channel blocks in parallel; each thread walks the spatial rows.
      constexpr int64_t kBlock = 64;
      const int64_t blocks = (c + kBlock - 1) / kBlock;
#pragma omp parallel for collapse(2) schedule(static)
      for (int64_t b = 0; b < n; ++b)
        for (int64_t blk = 0; blk < blocks; ++blk) {
          const int64_t c0 = blk * kBlock, c1 = std::min(c, c0 + kBlock);
          int32_t acc[kBlock] = {};
          for (int64_t p = 0; p < s; ++p) {
            const T* row = x + (b * s + p) * c;
#pragma omp simd
            for (int64_t ch = c0; ch < c1; ++ch) acc[ch - c0] += row[ch];
          }
          for (int64_t ch = c0; ch < c1; ++ch) out[b * c + ch] = acc[ch - c0];
        }
      return;
    }
#pragma omp parallel for schedule(static)
    for (int64_t plane = 0; plane < n * c; ++plane) {
      int32_t acc = 0;
#pragma omp simd reduction(+ : acc)
      for (int64_t p = 0; p < s; ++p) acc += x[plane * s + p];
      out[plane] = acc;
    }
  }

  template <typename TO>
  void finish(TO* y, int64_t s) const {
    // y = x_scale / y_scale * (sum / s - x_zp) + y_zp = k * sum + offset.
    const float k = x_scale_ / (static_cast<float>(s) * out_.scale);
    const float offset = out_.zero_point - x_zero_ * x_scale_ / out_.scale;
    const float lo = quant_min(out_.dtype), hi = quant_max(out_.dtype);
    for (size_t i = 0; i < sums_.size(); ++i) {
      float v = static_cast<float>(sums_[i]) * k + offset;
      v = v > lo ? v : lo;
      v = v < hi ? v : hi;
      y[i] = static_cast<TO>(static_cast<int32_t>(round_half_even_small(v)));
    }
  }

  void finish_float(float* y, int64_t s) const {
    for (size_t i = 0; i < sums_.size(); ++i)
      y[i] = (static_cast<float>(sums_[i]) / static_cast<float>(s) - x_zero_) * x_scale_;
  }

  float x_scale_, x_zero_;
  OutputQuantization out_;
  std::vector<int32_t> sums_;
};

}  // namespace

std::unique_ptr<OpKernel> create_qglobal_average_pool_vec(const KernelInit& init) {
  return std::make_unique<QGlobalAveragePoolVec>(init);
}

}  // namespace trex
