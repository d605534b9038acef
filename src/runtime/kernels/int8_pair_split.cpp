// Exact int8 products on CPUs without VNNI (int8_dnnl.h): which CPUs, and the weight split.
#include <cstdlib>

#include "runtime/kernels/int8_dnnl.h"

#include "runtime/dnnl_context.h"
#include "runtime/kernels/simd_clones.h"

namespace trex {

bool int8_pairs_saturate() {
  static const bool saturate = [] {
    using isa = dnnl::cpu_isa;
    switch (dnnl::get_effective_cpu_isa()) {
      case isa::avx2_vnni:
      case isa::avx512_core_vnni:
      case isa::avx512_core_bf16:
      case isa::avx512_core_amx:
        return false;
      default:
        return true;
    }
  }();
  return saturate;
}

bool split_weights_for_pairs(const Tensor& w, Tensor& hi, Tensor& lo) {
  if (!int8_pairs_saturate()) return false;
  const int8_t* v = w.data<int8_t>();
  const int64_t n = w.numel();
  bool wide = false;
  for (int64_t i = 0; i < n && !wide; ++i) wide = std::abs(static_cast<int>(v[i])) > 64;
  if (!wide) return false;
  hi = Tensor(DType::kInt8, w.dims());
  lo = Tensor(DType::kInt8, w.dims());
  int8_t* h = hi.mutable_data<int8_t>();
  int8_t* l = lo.mutable_data<int8_t>();
  for (int64_t i = 0; i < n; ++i) {
    h[i] = static_cast<int8_t>(v[i] / 2);  // toward zero: 127 -> 63 + 64, -128 -> -64 + -64
    l[i] = static_cast<int8_t>(v[i] - h[i]);
  }
  return true;
}

TREX_SIMD_CLONES void flip_sign_bit(const int8_t* src, int64_t n, uint8_t* dst) {
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<uint8_t>(src[i]) ^ 0x80u;
}

void* int8_source(const TensorView& x, bool flip, std::vector<uint8_t>& scratch) {
  if (!flip) return x.data;
  scratch.resize(static_cast<size_t>(x.numel()));
  flip_sign_bit(static_cast<const int8_t*>(x.data), x.numel(), scratch.data());
  return scratch.data();
}

void run_high_half(const dnnl::primitive& first, const dnnl::memory& weights_hi,
                   const dnnl::memory& partial, std::unordered_map<int, dnnl::memory>& args) {
  std::unordered_map<int, dnnl::memory> high = args;
  high[DNNL_ARG_WEIGHTS] = weights_hi;
  high[DNNL_ARG_DST] = partial;
  first.execute(dnnl_stream(), high);
  args.erase(DNNL_ARG_BIAS);
  args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1] = partial;
}

}  // namespace trex
