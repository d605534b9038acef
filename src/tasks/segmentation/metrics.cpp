// Segmentation metrics (metrics.h).
#include "tasks/segmentation/metrics.h"

#include <cstdio>

#include "data/transforms.h"
#include "util/error.h"

namespace trex::segmentation {

SegmentationMeter::SegmentationMeter(std::vector<std::string> classes)
    : classes_(std::move(classes)),
      confusion_(classes_.size(), std::vector<int64_t>(classes_.size(), 0)) {}

void SegmentationMeter::add_predictions(const int64_t* predicted, const int64_t* labels,
                                        size_t pixels) {
  const int64_t k = static_cast<int64_t>(classes_.size());
  for (size_t i = 0; i < pixels; ++i) {
    const int64_t t = labels[i];
    if (t == kIgnoreLabel) continue;
    if (t < 0 || t >= k)
      throw_invalid("label " + std::to_string(t) + " is outside the " + std::to_string(k) +
                    " classes (255 = ignore)");
    TREX_ASSERT(predicted[i] >= 0 && predicted[i] < k);
    ++confusion_[t][predicted[i]];
  }
}

void SegmentationMeter::add(const float* logits, const int64_t* labels, int64_t n, int64_t h,
                            int64_t w) {
  const int64_t k = static_cast<int64_t>(classes_.size()), plane = h * w;
  std::vector<int64_t> predicted(static_cast<size_t>(plane));
  for (int64_t b = 0; b < n; ++b) {
    const float* img = logits + b * k * plane;
    for (int64_t p = 0; p < plane; ++p) {
      int64_t best = 0;
      float v = img[p];
      for (int64_t c = 1; c < k; ++c)
        if (img[c * plane + p] > v) {
          v = img[c * plane + p];
          best = c;
        }
      predicted[p] = best;
    }
    add_predictions(predicted.data(), labels + b * plane, static_cast<size_t>(plane));
  }
  images_ += static_cast<size_t>(n);
}

void SegmentationMeter::add(const float* output, const std::vector<int64_t>& dims,
                            const Batch& batch) {
  const int64_t k = static_cast<int64_t>(classes_.size());
  if (dims.size() != 4 || dims[0] != batch.n || dims[1] != k || dims[2] != batch.height ||
      dims[3] != batch.width)
    throw_invalid("model output has shape " + Shape::from_static(dims).to_string() +
                  "; expected [" + std::to_string(batch.n) + ", " + std::to_string(k) + ", " +
                  std::to_string(batch.height) + ", " + std::to_string(batch.width) +
                  "] (class scores at the input's size)");
  if (batch.masks.size() != static_cast<size_t>(batch.n) * batch.height * batch.width)
    throw_invalid("the batch has no label maps (not a segmentation dataset)");
  add(output, batch.masks.data(), batch.n, batch.height, batch.width);
}

namespace {

struct Counts {
  int64_t tp = 0, fp = 0, fn = 0;
};

std::vector<Counts> counts(const std::vector<std::vector<int64_t>>& m) {
  std::vector<Counts> out(m.size());
  for (size_t t = 0; t < m.size(); ++t)
    for (size_t p = 0; p < m.size(); ++p) {
      if (t == p)
        out[t].tp += m[t][p];
      else {
        out[t].fn += m[t][p];
        out[p].fp += m[t][p];
      }
    }
  return out;
}

double mean_defined(const std::vector<double>& v) {
  double sum = 0;
  int n = 0;
  for (double x : v)
    if (x >= 0) {
      sum += x;
      ++n;
    }
  return n ? sum / n : 0.0;
}

}  // namespace

std::vector<double> SegmentationMeter::per_class_dice() const {
  std::vector<double> out;
  for (const Counts& c : counts(confusion_)) {
    const int64_t d = 2 * c.tp + c.fp + c.fn;
    out.push_back(d ? 2.0 * static_cast<double>(c.tp) / static_cast<double>(d) : -1.0);
  }
  return out;
}

std::vector<double> SegmentationMeter::per_class_iou() const {
  std::vector<double> out;
  for (const Counts& c : counts(confusion_)) {
    const int64_t d = c.tp + c.fp + c.fn;
    out.push_back(d ? static_cast<double>(c.tp) / static_cast<double>(d) : -1.0);
  }
  return out;
}

double SegmentationMeter::mean_dice() const {
  return mean_defined(per_class_dice());
}
double SegmentationMeter::mean_iou() const {
  return mean_defined(per_class_iou());
}

double SegmentationMeter::pixel_accuracy() const {
  int64_t right = 0, all = 0;
  for (size_t t = 0; t < confusion_.size(); ++t)
    for (size_t p = 0; p < confusion_.size(); ++p) {
      all += confusion_[t][p];
      if (t == p) right += confusion_[t][p];
    }
  return all ? static_cast<double>(right) / static_cast<double>(all) : 0.0;
}

nlohmann::json SegmentationMeter::to_json() const {
  const std::vector<double> dice = per_class_dice(), iou = per_class_iou();
  nlohmann::json per = nlohmann::json::array();
  for (size_t c = 0; c < classes_.size(); ++c) {
    int64_t pixels = 0;
    for (int64_t v : confusion_[c]) pixels += v;
    per.push_back({{"class", classes_[c]},
                   {"dice", dice[c] >= 0 ? nlohmann::json(dice[c]) : nlohmann::json()},
                   {"iou", iou[c] >= 0 ? nlohmann::json(iou[c]) : nlohmann::json()},
                   {"pixels", pixels}});
  }
  return {{"metric", "mDice"},
          {"score", mean_dice()},
          {"count", images_},
          {"mDice", mean_dice()},
          {"mIoU", mean_iou()},
          {"pixel_accuracy", pixel_accuracy()},
          {"per_class", per},
          {"confusion_matrix", confusion_},
          {"ignore_label", kIgnoreLabel}};
}

std::string SegmentationMeter::to_text() const {
  const std::vector<double> dice = per_class_dice(), iou = per_class_iou();
  std::string s;
  char line[160];
  std::snprintf(line, sizeof line,
                "mDice %.4f  mIoU %.4f  pixel accuracy %.4f  (%zu images, label 255 ignored)\n",
                mean_dice(), mean_iou(), pixel_accuracy(), images_);
  s += line;
  std::snprintf(line, sizeof line, "  %-16s %8s %8s %12s\n", "class", "Dice", "IoU", "pixels");
  s += line;
  for (size_t c = 0; c < classes_.size(); ++c) {
    int64_t pixels = 0;
    for (int64_t v : confusion_[c]) pixels += v;
    auto fmt = [](double v) {
      char b[16];
      if (v < 0) return std::string("       -");
      std::snprintf(b, sizeof b, "%8.4f", v);
      return std::string(b);
    };
    std::snprintf(line, sizeof line, "  %-16s %s %s %12lld\n", classes_[c].c_str(),
                  fmt(dice[c]).c_str(), fmt(iou[c]).c_str(), static_cast<long long>(pixels));
    s += line;
  }
  return s;
}

}  // namespace trex::segmentation
