// Helpers for the int8 kernel tests: random 8-bit tensors, one trex-domain node in a graph,
// and comparing integer outputs within one quantization step.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "ir/builder.h"

namespace trex {
namespace int8_test {

/// A uint8, int8 or int32 tensor of `dims` uniform in [lo, hi].
inline Tensor random_int(DType t, const std::vector<int64_t>& dims, uint32_t seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  Tensor x(t, dims);
  for (int64_t i = 0; i < x.numel(); ++i) x.set_int64(i, d(rng));
  return x;
}

/// Expects `got` to have `want`'s dtype and dims, elements of integer outputs at most one
/// apart (the requantization may round a tie differently) and f32 outputs within
/// `rtol` of the largest |want|.
inline void expect_within_one_step(const Tensor& want, const Tensor& got, const std::string& what,
                                   float rtol = 1e-5f) {
  ASSERT_EQ(want.dtype(), got.dtype()) << what;
  ASSERT_EQ(want.dims(), got.dims()) << what;
  double largest = 0;
  for (int64_t i = 0; i < want.numel(); ++i)
    largest = std::max(largest, std::fabs(want.get_double(i)));
  const double bound = want.dtype() == DType::kFloat32 ? rtol * std::max(1.0, largest) : 1.0;
  int bad = 0, off = 0;
  for (int64_t i = 0; i < want.numel() && bad < 5; ++i) {
    const double d = std::fabs(want.get_double(i) - got.get_double(i));
    off += d != 0;
    if (d > bound) {
      ADD_FAILURE() << what << " element " << i << ": " << got.get_double(i) << ", reference "
                    << want.get_double(i);
      ++bad;
    }
  }
  // Off-by-one roundings are ties and float-order effects: rare, never the rule.
  if (want.dtype() != DType::kFloat32) {
    EXPECT_LE(off, std::max<int64_t>(2, want.numel() / 50)) << what << ": too many off by one";
  }
}

}  // namespace int8_test
}  // namespace trex
