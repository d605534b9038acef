// Classification metrics: top-1 accuracy, per-class accuracy and the confusion matrix,
// accumulated batch by batch, and their JSON form (with "metric" and "score", as every
// score file trex writes).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace trex::classification {

class AccuracyMeter {
 public:
  explicit AccuracyMeter(std::vector<std::string> classes);

  /// Adds one batch: logits [n, classes] row-major and the true labels.
  void add(const float* logits, const int64_t* labels, size_t n);
  void add_loss(double loss_sum) { loss_sum_ += loss_sum; }

  size_t count() const { return count_; }
  double accuracy() const;
  /// Mean loss per sample, if losses were added.
  double mean_loss() const { return count_ ? loss_sum_ / count_ : 0.0; }
  std::vector<double> per_class_accuracy() const;
  const std::vector<std::vector<int64_t>>& confusion() const { return confusion_; }
  const std::vector<std::string>& classes() const { return classes_; }

  /// {"metric": "accuracy", "score": ..., "count", "per_class_accuracy", "confusion_matrix"}.
  nlohmann::json to_json() const;
  /// A readable table: per-class accuracy and the confusion matrix.
  std::string to_text() const;

 private:
  std::vector<std::string> classes_;
  std::vector<std::vector<int64_t>> confusion_;  ///< [true][predicted]
  size_t count_ = 0, correct_ = 0;
  double loss_sum_ = 0;
};

}  // namespace trex::classification
