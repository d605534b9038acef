// Tensor storage, conversions and half-precision helpers.
#include <gtest/gtest.h>

#include <cmath>

#include "ir/tensor.h"
#include "util/error.h"

namespace trex {
namespace {

TEST(Tensor, ZeroFilledWithDims) {
  Tensor t(DType::kFloat32, {2, 3});
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.nbytes(), 24u);
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(t.data<float>()[i], 0.0f);
}

TEST(Tensor, CopiesShareUntilWritten) {
  Tensor a = Tensor::vector_i64({1, 2, 3});
  Tensor b = a;
  EXPECT_EQ(a.raw(), b.raw());
  b.set_int64(0, 42);
  EXPECT_NE(a.raw(), b.raw());
  EXPECT_EQ(a.get_int64(0), 1);
  EXPECT_EQ(b.get_int64(0), 42);
}

TEST(Tensor, FromBytesChecksSize) {
  float v[3] = {1, 2, 3};
  EXPECT_THROW(Tensor::from_bytes(DType::kFloat32, {2, 2}, v, sizeof v), Error);
  EXPECT_THROW(Tensor(DType::kFloat32, {-1}), Error);
}

TEST(Tensor, CastFollowsCSemantics) {
  Tensor f = Tensor::from_vector<float>(DType::kFloat32, {4}, {1.9f, -1.9f, 0.0f, 300.0f});
  Tensor i = f.cast(DType::kInt32);
  EXPECT_EQ(i.to_int64_vector(), (std::vector<int64_t>{1, -1, 0, 300}));
  Tensor b = f.cast(DType::kBool);
  EXPECT_EQ(b.to_int64_vector(), (std::vector<int64_t>{1, 1, 0, 1}));
  Tensor h = f.cast(DType::kFloat16);
  EXPECT_FLOAT_EQ(static_cast<float>(h.get_double(3)), 300.0f);
}

TEST(Tensor, HalfConversionsRoundTripAndRound) {
  for (float v : {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f})
    EXPECT_EQ(half_to_float(float_to_half(v)), v) << v;
  EXPECT_TRUE(std::isinf(half_to_float(float_to_half(1e6f))));
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(NAN))));
  // 1 + 2^-11 is halfway between two halves: rounds to even (1.0).
  EXPECT_EQ(half_to_float(float_to_half(1.0f + 1.0f / 2048)), 1.0f);
  EXPECT_EQ(bfloat16_to_float(float_to_bfloat16(3.0f)), 3.0f);
}

TEST(Tensor, EqualityAndFingerprint) {
  Tensor a = Tensor::vector_i64({1, 2});
  Tensor b = Tensor::vector_i64({1, 2});
  Tensor c = Tensor::vector_i64({2, 1});
  EXPECT_TRUE(a.equals(b));
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  EXPECT_FALSE(a.equals(c));
  EXPECT_NE(a.fingerprint(), c.fingerprint());
  EXPECT_FALSE(a.equals(a.reshaped({2, 1})));
}

}  // namespace
}  // namespace trex
