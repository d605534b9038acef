// The 8-bit tensor of an elementwise int8 kernel (QAdd, QMul) in the layout its output has:
// as it is, or copied between plain (N x C x spatial) and channels-last order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "runtime/tensor_view.h"

namespace trex {

/// Copies an N x C x spatial tensor of T between plain and channels-last order.
template <typename T>
void convert_int8_layout(const TensorView& src, bool to_channels_last, T* dst) {
  const int64_t n = src.dims[0], c = src.dims[1], s = src.numel() / std::max<int64_t>(n * c, 1);
  const T* x = src.as<T>();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < s; ++p) {
        const int64_t plain = (i * c + ch) * s + p, last = (i * s + p) * c + ch;
        if (to_channels_last)
          dst[last] = x[plain];
        else
          dst[plain] = x[last];
      }
}

/// The data of uint8/int8 tensor `t` in the wanted layout: `t`'s own, or converted into `tmp`.
inline const void* int8_in_layout(const TensorView& t, bool channels_last,
                                  std::vector<uint8_t>& tmp) {
  if (t.channels_last == channels_last || t.rank() < 3) return t.data;
  tmp.resize(t.nbytes());
  if (t.dtype == DType::kUInt8)
    convert_int8_layout<uint8_t>(t, channels_last, tmp.data());
  else
    convert_int8_layout<int8_t>(t, channels_last, reinterpret_cast<int8_t*>(tmp.data()));
  return tmp.data();
}

}  // namespace trex
