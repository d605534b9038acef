// Accuracy, per-class accuracy, confusion matrix.
#include "tasks/classification/metrics.h"

#include <cstdio>
#include <sstream>

#include "util/error.h"

namespace trex::classification {

AccuracyMeter::AccuracyMeter(std::vector<std::string> classes)
    : classes_(std::move(classes)),
      confusion_(classes_.size(), std::vector<int64_t>(classes_.size(), 0)) {}

void AccuracyMeter::add(const float* logits, const int64_t* labels, size_t n) {
  size_t k = classes_.size();
  for (size_t i = 0; i < n; ++i) {
    const float* row = logits + i * k;
    size_t best = 0;
    for (size_t c = 1; c < k; ++c)
      if (row[c] > row[best]) best = c;
    int64_t truth = labels[i];
    TREX_ASSERT(truth >= 0 && static_cast<size_t>(truth) < k);
    ++confusion_[truth][best];
    correct_ += static_cast<size_t>(truth) == best;
  }
  count_ += n;
}

void AccuracyMeter::add(const float* output, const std::vector<int64_t>& dims, const Batch& batch) {
  if (dims.size() != 2 || dims[0] != batch.n || dims[1] != static_cast<int64_t>(classes_.size()))
    throw_invalid("model output has shape [" +
                  (dims.empty() ? std::string("") : std::to_string(dims[0])) +
                  ", ...]; expected [" + std::to_string(batch.n) + ", " +
                  std::to_string(classes_.size()) + "]");
  add(output, batch.labels.data(), static_cast<size_t>(batch.n));
}

double AccuracyMeter::accuracy() const {
  return count_ ? static_cast<double>(correct_) / static_cast<double>(count_) : 0.0;
}

std::vector<double> AccuracyMeter::per_class_accuracy() const {
  std::vector<double> out;
  for (size_t c = 0; c < classes_.size(); ++c) {
    int64_t total = 0;
    for (int64_t v : confusion_[c]) total += v;
    out.push_back(total ? static_cast<double>(confusion_[c][c]) / static_cast<double>(total) : 0.0);
  }
  return out;
}

nlohmann::json AccuracyMeter::to_json() const {
  nlohmann::json per_class = nlohmann::json::object();
  std::vector<double> pc = per_class_accuracy();
  for (size_t c = 0; c < classes_.size(); ++c) per_class[classes_[c]] = pc[c];
  return {{"metric", "accuracy"},
          {"score", accuracy()},
          {"count", count_},
          {"classes", classes_},
          {"per_class_accuracy", per_class},
          {"confusion_matrix", confusion_}};
}

std::string AccuracyMeter::to_text() const {
  std::ostringstream os;
  char line[256];
  std::snprintf(line, sizeof line, "top-1 accuracy: %.2f%% (%zu images)\n", 100 * accuracy(),
                count_);
  os << line;
  std::vector<double> pc = per_class_accuracy();
  size_t width = 5;
  for (const auto& c : classes_) width = std::max(width, c.size());
  os << "per class (rows: true class, columns: predicted):\n";
  for (size_t c = 0; c < classes_.size(); ++c) {
    std::snprintf(line, sizeof line, "  %-*s %6.2f%% |", static_cast<int>(width),
                  classes_[c].c_str(), 100 * pc[c]);
    os << line;
    for (int64_t v : confusion_[c]) {
      std::snprintf(line, sizeof line, " %5lld", static_cast<long long>(v));
      os << line;
    }
    os << "\n";
  }
  return os.str();
}

}  // namespace trex::classification
