// Per-sample image transforms for training and evaluation: random crop with zero padding,
// random horizontal flip, then scaling to [0, 1] and per-channel normalization into CHW floats;
// a label map goes through the same crop and flip (padding: the ignore label).
#pragma once

#include <cstdint>
#include <vector>

#include "data/image.h"
#include "data/label_png.h"
#include "data/random.h"

namespace trex {

struct TransformSpec {
  std::vector<float> mean,
      std;               ///< per channel, applied to pixel/255; size 1 or channels; empty = (0, 1)
  int crop_padding = 0;  ///< random crop of the same size after zero padding (augment only)
  bool horizontal_flip = false;  ///< random flip with p = 0.5 (augment only)
};

/// The label of pixels no class is scored on (Pascal VOC's object borders, crop padding).
constexpr int64_t kIgnoreLabel = 255;

/// Writes `img` as CHW floats into `out` (channels*height*width): random crop/flip when `augment`
/// (drawing from `rng_state`), then /255 and normalize. With `mask` (the image's size), writes
/// its labels with the same crop and flip into `mask_out` (height*width). kInvalidInput names
/// mean/std if their size does not fit the image's channels or a std value is not positive.
void transform_image(const Image& img, const TransformSpec& spec, bool augment, uint64_t& rng_state,
                     float* out, const LabelMap* mask = nullptr, int64_t* mask_out = nullptr);

/// Checks `spec` against images of `channels` channels, as transform_image does.
void check_transform_spec(const TransformSpec& spec, int channels);

}  // namespace trex
