// Per-sample transforms (see transforms.h). Normalization goes through a 256-entry table per
// channel: exact (pixel/255 - mean) / std for every pixel value, and cheap.
#include "data/transforms.h"

#include <array>
#include <string>

#include "util/error.h"

namespace trex {

namespace {

std::string join(const std::vector<float>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return "[" + s + "]";
}

float channel_value(const std::vector<float>& v, int ch, float fallback) {
  if (v.empty()) return fallback;
  return v.size() == 1 ? v[0] : v[ch];
}

}  // namespace

void check_transform_spec(const TransformSpec& spec, int channels) {
  auto check_size = [&](const std::vector<float>& v, const char* name) {
    if (!v.empty() && v.size() != 1 && v.size() != static_cast<size_t>(channels))
      throw_invalid(std::string("transform: ") + name + " " + join(v) + " has " +
                    std::to_string(v.size()) + " values, expected 1 or " +
                    std::to_string(channels) + " (the images' channels)");
  };
  check_size(spec.mean, "mean");
  check_size(spec.std, "std");
  for (float s : spec.std)
    if (!(s > 0))
      throw_invalid("transform: std " + join(spec.std) + " has a value that is not > 0");
  if (spec.crop_padding < 0)
    throw_invalid("transform: crop_padding " + std::to_string(spec.crop_padding) + " is negative");
}

void transform_image(const Image& img, const TransformSpec& spec, bool augment, uint64_t& rng_state,
                     float* out, const LabelMap* mask, int64_t* mask_out) {
  const int c = img.channels, h = img.height, w = img.width;
  check_transform_spec(spec, c);
  if (img.pixels.size() != static_cast<size_t>(c) * h * w)
    throw_invalid("transform: image has " + std::to_string(img.pixels.size()) +
                  " bytes, expected " + std::to_string(c) + "x" + std::to_string(h) + "x" +
                  std::to_string(w));
  // Output pixel (y, x) reads source pixel (y + dy, x + dx), mirrored in x when flipped;
  // outside the source it is the zero padding.
  int dy = 0, dx = 0;
  bool flip = false;
  if (augment && spec.crop_padding > 0) {
    const uint64_t span = 2 * static_cast<uint64_t>(spec.crop_padding) + 1;
    dy = static_cast<int>(uniform_below(rng_state, span)) - spec.crop_padding;
    dx = static_cast<int>(uniform_below(rng_state, span)) - spec.crop_padding;
  }
  if (augment && spec.horizontal_flip) flip = uniform_below(rng_state, 2) == 1;
  if (mask) {
    if (mask->height != h || mask->width != w)
      throw_invalid("transform: label map is " + std::to_string(mask->height) + "x" +
                    std::to_string(mask->width) + ", its image " + std::to_string(h) + "x" +
                    std::to_string(w));
    for (int y = 0; y < h; ++y) {
      const int sy = y + dy;
      for (int x = 0; x < w; ++x) {
        const int sx = (flip ? w - 1 - x : x) + dx;
        mask_out[static_cast<size_t>(y) * w + x] =
            (sy < 0 || sy >= h || sx < 0 || sx >= w)
                ? kIgnoreLabel
                : mask->labels[static_cast<size_t>(sy) * w + sx];
      }
    }
  }

  std::array<float, 256> lut;
  for (int ch = 0; ch < c; ++ch) {
    const float mean = channel_value(spec.mean, ch, 0.0f);
    const float std = channel_value(spec.std, ch, 1.0f);
    for (int v = 0; v < 256; ++v) lut[v] = (static_cast<float>(v) / 255.0f - mean) / std;
    float* plane = out + static_cast<size_t>(ch) * h * w;
    for (int y = 0; y < h; ++y) {
      float* row = plane + static_cast<size_t>(y) * w;
      const int sy = y + dy;
      if (sy < 0 || sy >= h) {
        for (int x = 0; x < w; ++x) row[x] = lut[0];
        continue;
      }
      const uint8_t* src = img.pixels.data() + static_cast<size_t>(sy) * w * c + ch;
      for (int x = 0; x < w; ++x) {
        // Crop first, then flip the cropped image (torchvision's RandomCrop, RandomFlip order).
        const int sx = (flip ? w - 1 - x : x) + dx;
        row[x] = (sx < 0 || sx >= w) ? lut[0] : lut[src[static_cast<size_t>(sx) * c]];
      }
    }
  }
}

}  // namespace trex
