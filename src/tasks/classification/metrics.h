// Classification metrics: top-1 accuracy, per-class accuracy and the confusion matrix,
// accumulated batch by batch, and their JSON form (with "metric" and "score", as every
// score file trex writes).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tasks/task.h"

namespace trex::classification {

class AccuracyMeter : public Metric {
 public:
  explicit AccuracyMeter(std::vector<std::string> classes);

  /// Adds one batch: logits [n, classes] row-major and the true labels.
  void add(const float* logits, const int64_t* labels, size_t n);
  /// The Metric form: logits [batch.n, classes] against batch.labels.
  void add(const float* output, const std::vector<int64_t>& dims, const Batch& batch) override;

  size_t count() const override { return count_; }
  double accuracy() const;
  double score() const override { return accuracy(); }
  std::vector<double> per_class_accuracy() const;
  const std::vector<std::vector<int64_t>>& confusion() const { return confusion_; }
  const std::vector<std::string>& classes() const { return classes_; }

  /// {"metric": "accuracy", "score": ..., "count", "per_class_accuracy", "confusion_matrix"}.
  nlohmann::json to_json() const override;
  /// A readable table: per-class accuracy and the confusion matrix.
  std::string to_text() const override;

 private:
  std::vector<std::string> classes_;
  std::vector<std::vector<int64_t>> confusion_;  ///< [true][predicted]
  size_t count_ = 0, correct_ = 0;
};

}  // namespace trex::classification
