// An elementwise map y = f(x) between tensors of one logical shape that may differ in
// physical layout (plain or channels-last): the vectorized Q/DQ kernels use it to quantize a
// plain f32 input straight into the channels-last 8-bit tensor an int8 conv wants, and back.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "runtime/kernels/simd_clones.h"
#include "runtime/tensor_view.h"

namespace trex {

/// out[j * c + ch] = in[ch * stride + j] for j < len, ch < c (C: c known at compile time,
/// so the common 3- and 4-channel interleave of an image input vectorizes; 0: any c).
template <int C, typename T>
inline void interleave(const T* in, int64_t stride, T* out, int64_t len, int64_t c) {
  // Written out per channel count: GCC then vectorizes the strided stores as byte shuffles
  // (AVX2/AVX-512 clones), about 2.7x faster for C = 3 than one 4-byte store per pixel; an
  // inner channel loop, even of constant length, stays scalar.
  if constexpr (C == 3) {
    const T *c0 = in, *c1 = in + stride, *c2 = in + 2 * stride;
#pragma omp simd
    for (int64_t j = 0; j < len; ++j) {
      out[3 * j] = c0[j];
      out[3 * j + 1] = c1[j];
      out[3 * j + 2] = c2[j];
    }
    return;
  }
  if constexpr (C == 4) {
    const T *c0 = in, *c1 = in + stride, *c2 = in + 2 * stride, *c3 = in + 3 * stride;
#pragma omp simd
    for (int64_t j = 0; j < len; ++j) {
      out[4 * j] = c0[j];
      out[4 * j + 1] = c1[j];
      out[4 * j + 2] = c2[j];
      out[4 * j + 3] = c3[j];
    }
    return;
  }
  for (int64_t j = 0; j < len; ++j)
    for (int64_t ch = 0; ch < c; ++ch) out[j * c + ch] = in[ch * stride + j];
}

/// Writes y[i] = f(x[i]) for every logical element; `x_cl` and `y_cl` say whether each is
/// channels-last (ignored below rank 3). OpenMP splits the work; f must be pure.
template <typename TX, typename TY, typename F>
TREX_SIMD_CLONES void map_layout(const TX* x, bool x_cl, TY* y, bool y_cl,
                                 const std::vector<int64_t>& dims, F f) {
  int64_t total = 1;
  for (int64_t d : dims) total *= d;
  if (dims.size() < 3 || x_cl == y_cl) {
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < total; ++i) y[i] = f(x[i]);
    return;
  }
  // N x C x S (plain) <-> N x S x C (channels-last), in blocks of the spatial axis: f runs
  // on contiguous runs (so it vectorizes) into or out of a per-thread block buffer, and only
  // the byte shuffle between the buffer and the channels-last side is strided.
  const int64_t n = dims[0], c = dims[1], s = total / std::max<int64_t>(n * c, 1);
  constexpr int64_t kBlock = 256;
  const int64_t blocks = (s + kBlock - 1) / kBlock;
#pragma omp parallel
  {
    std::vector<TY> ty(y_cl ? static_cast<size_t>(c * kBlock) : 0);
    std::vector<TX> tx(y_cl ? 0 : static_cast<size_t>(c * kBlock));
#pragma omp for collapse(2) schedule(static)
    for (int64_t b = 0; b < n; ++b)
      for (int64_t blk = 0; blk < blocks; ++blk) {
        const int64_t p0 = blk * kBlock, len = std::min(s, p0 + kBlock) - p0;
        if (y_cl) {
          for (int64_t ch = 0; ch < c; ++ch) {
            const TX* src = x + (b * c + ch) * s + p0;
            TY* dst = ty.data() + ch * kBlock;
#pragma omp simd
            for (int64_t j = 0; j < len; ++j) dst[j] = f(src[j]);
          }
          TY* out = y + (b * s + p0) * c;
          if (c == 3)
            interleave<3>(ty.data(), kBlock, out, len, c);
          else if (c == 4)
            interleave<4>(ty.data(), kBlock, out, len, c);
          else
            interleave<0>(ty.data(), kBlock, out, len, c);
        } else {
          const TX* in = x + (b * s + p0) * c;
          for (int64_t j = 0; j < len; ++j)
            for (int64_t ch = 0; ch < c; ++ch) tx[ch * kBlock + j] = in[j * c + ch];
          for (int64_t ch = 0; ch < c; ++ch) {
            const TX* src = tx.data() + ch * kBlock;
            TY* dst = y + (b * c + ch) * s + p0;
#pragma omp simd
            for (int64_t j = 0; j < len; ++j) dst[j] = f(src[j]);
          }
        }
      }
  }
}

}  // namespace trex
