// Per-sample transforms: exact normalization, zero padding of the random crop, the flip, and
// mean/std that do not fit the image as errors.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "data/transforms.h"
#include "util/error.h"

namespace trex {
namespace {

TEST(Transforms, NormalizesPerChannelIntoChw) {
  // 1x2 RGB image: pixels (0, 51, 255) and (255, 102, 0).
  Image img{1, 2, 3, {0, 51, 255, 255, 102, 0}};
  TransformSpec spec;
  spec.mean = {0.5f, 0.2f, 0.0f};
  spec.std = {0.5f, 0.1f, 2.0f};
  std::vector<float> out(6);
  uint64_t rng = 1;
  transform_image(img, spec, false, rng, out.data());
  EXPECT_EQ(rng, 1u) << "no augmentation draws no random numbers";
  std::vector<float> want = {(0.0f - 0.5f) / 0.5f,        (1.0f - 0.5f) / 0.5f,
                             (51 / 255.0f - 0.2f) / 0.1f, (102 / 255.0f - 0.2f) / 0.1f,
                             (1.0f - 0.0f) / 2.0f,        0.0f};
  EXPECT_EQ(out, want);

  // Empty mean/std: pixel / 255; a single value applies to every channel.
  spec = {};
  transform_image(img, spec, false, rng, out.data());
  EXPECT_EQ(out[2], 51 / 255.0f);
  spec.mean = {1.0f};
  transform_image(img, spec, false, rng, out.data());
  EXPECT_EQ(out[0], -1.0f);
  EXPECT_EQ(out[4], 0.0f);
}

TEST(Transforms, CropPaddingShiftsInZeros) {
  // 4x4 gray image of values 1..16; padding 1 means shifts of -1, 0 or +1 in each direction.
  Image img{4, 4, 1, {}};
  for (int i = 1; i <= 16; ++i) img.pixels.push_back(static_cast<uint8_t>(i));
  TransformSpec spec;
  spec.crop_padding = 1;
  std::set<std::pair<int, int>> seen;
  uint64_t rng = 42;
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<float> out(16);
    transform_image(img, spec, true, rng, out.data());
    // Find the shift (dy, dx) that explains the output, with zeros outside the source.
    bool explained = false;
    for (int dy = -1; dy <= 1 && !explained; ++dy)
      for (int dx = -1; dx <= 1 && !explained; ++dx) {
        bool ok = true;
        for (int y = 0; y < 4; ++y)
          for (int x = 0; x < 4; ++x) {
            int sy = y + dy, sx = x + dx;
            float want =
                (sy < 0 || sy > 3 || sx < 0 || sx > 3) ? 0.0f : img.pixels[sy * 4 + sx] / 255.0f;
            ok = ok && out[y * 4 + x] == want;
          }
        if (ok) {
          explained = true;
          seen.insert({dy, dx});
        }
      }
    ASSERT_TRUE(explained) << "trial " << trial;
  }
  EXPECT_EQ(seen.size(), 9u) << "all 9 shifts occur";
  // Without `augment`, no crop.
  std::vector<float> out(16);
  transform_image(img, spec, false, rng, out.data());
  EXPECT_EQ(out[0], 1 / 255.0f);
}

TEST(Transforms, FlipsHalfTheTime) {
  Image img{1, 3, 3, {1, 2, 3, 4, 5, 6, 7, 8, 9}};  // R = 1 4 7, G = 2 5 8, B = 3 6 9
  TransformSpec spec;
  spec.std = {1 / 255.0f};  // outputs = pixel values
  spec.horizontal_flip = true;
  int flipped = 0, kept = 0;
  uint64_t rng = 7;
  for (int trial = 0; trial < 400; ++trial) {
    std::vector<float> out(9);
    transform_image(img, spec, true, rng, out.data());
    std::vector<float> as_is = {1, 4, 7, 2, 5, 8, 3, 6, 9};
    std::vector<float> mirrored = {7, 4, 1, 8, 5, 2, 9, 6, 3};
    for (float& v : out) v = std::round(v);
    if (out == as_is)
      ++kept;
    else if (out == mirrored)
      ++flipped;
    else
      FAIL() << "neither flipped nor kept";
  }
  EXPECT_GT(flipped, 150);
  EXPECT_GT(kept, 150);
}

TEST(Transforms, SameRngStateSameResult) {
  Image img{6, 6, 1, std::vector<uint8_t>(36)};
  for (int i = 0; i < 36; ++i) img.pixels[i] = static_cast<uint8_t>(i * 7);
  TransformSpec spec;
  spec.crop_padding = 2;
  spec.horizontal_flip = true;
  std::vector<float> a(36), b(36);
  uint64_t r1 = 99, r2 = 99;
  transform_image(img, spec, true, r1, a.data());
  transform_image(img, spec, true, r2, b.data());
  EXPECT_EQ(a, b);
  EXPECT_EQ(r1, r2);
}

TEST(Transforms, MeanStdThatDoNotFitAreErrors) {
  Image img{1, 1, 3, {1, 2, 3}};
  std::vector<float> out(3);
  uint64_t rng = 0;
  TransformSpec spec;
  spec.mean = {0.1f, 0.2f};
  try {
    transform_image(img, spec, false, rng, out.data());
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    EXPECT_EQ(std::string(e.what()),
              "transform: mean [0.100000, 0.200000] has 2 values, expected 1 or 3 (the images' "
              "channels)");
  }
  spec.mean = {};
  spec.std = {1, 0, 1};
  EXPECT_THROW(transform_image(img, spec, false, rng, out.data()), Error);
}

TEST(Transforms, Splitmix64IsTheReferenceSequence) {
  // First outputs of splitmix64 seeded with 0 (Vigna's reference implementation).
  uint64_t s = 0;
  EXPECT_EQ(splitmix64(s), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64(s), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(splitmix64(s), 0x06c45d188009454fULL);
}

}  // namespace
}  // namespace trex
