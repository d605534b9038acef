// Semantic-segmentation metrics over a dataset: the pixel confusion matrix of labelled
// pixels (label 255 is ignored), and from it per-class Dice and IoU, mDice (the headline
// score), mIoU and pixel accuracy. Per-class values come from the dataset-wide counts; the
// means run over the classes that occur in the labels or the predictions (a class absent
// from both has no defined score and is left out, as is usual for mIoU).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tasks/task.h"

namespace trex::segmentation {

class SegmentationMeter : public Metric {
 public:
  explicit SegmentationMeter(std::vector<std::string> classes);

  /// Adds label maps: `logits` [n, classes, h, w] (argmax per pixel) against `labels`
  /// [n, h, w] (class ids, 255 = ignore).
  void add(const float* logits, const int64_t* labels, int64_t n, int64_t h, int64_t w);
  /// Adds predicted class ids [n, h, w] against labels [n, h, w].
  void add_predictions(const int64_t* predicted, const int64_t* labels, size_t pixels);
  /// The Metric form: logits [batch.n, classes, H, W] against batch.masks.
  void add(const float* output, const std::vector<int64_t>& dims, const Batch& batch) override;

  size_t count() const override { return images_; }
  double score() const override { return mean_dice(); }
  double mean_dice() const;
  double mean_iou() const;
  double pixel_accuracy() const;
  /// Per class; -1 where the class occurs in neither labels nor predictions.
  std::vector<double> per_class_dice() const;
  std::vector<double> per_class_iou() const;
  const std::vector<std::vector<int64_t>>& confusion() const { return confusion_; }

  /// {"metric": "mDice", "score", "count", "mDice", "mIoU", "pixel_accuracy", "per_class"
  ///  [{"class", "dice", "iou", "pixels"}], "confusion_matrix"}.
  nlohmann::json to_json() const override;
  std::string to_text() const override;

 private:
  std::vector<std::string> classes_;
  std::vector<std::vector<int64_t>> confusion_;  ///< [true][predicted], labelled pixels only
  size_t images_ = 0;
};

}  // namespace trex::segmentation
