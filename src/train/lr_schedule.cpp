// Warm-up + cosine / step / polynomial-drop learning-rate schedules.
#include "train/lr_schedule.h"

#include <cmath>

namespace trex::train {

double learning_rate_at(const LearningParameters& p, double epoch) {
  if (p.warmup_epochs > 0 && epoch < p.warmup_epochs)
    return p.learning_rate * (epoch + 1e-3) / (p.warmup_epochs + 1e-3);
  if (p.schedule == "poly_drop") {
    if (epoch < p.poly_drop_start) return p.learning_rate;
    const double end = p.poly_drop_start + p.poly_drop_duration;
    return epoch >= end ? 0.0
                        : p.learning_rate * std::pow((end - epoch) / p.poly_drop_duration, 2.1);
  }
  if (p.schedule == "step") {
    double lr = p.learning_rate;
    for (int m : p.step_milestones)
      if (epoch >= m) lr *= p.step_gamma;
    return lr;
  }
  double span = p.num_epochs - p.warmup_epochs;
  double t = span > 0 ? (epoch - p.warmup_epochs) / span : 1.0;
  t = std::min(1.0, std::max(0.0, t));
  constexpr double kPi = 3.141592653589793;
  return p.min_learning_rate +
         0.5 * (p.learning_rate - p.min_learning_rate) * (1.0 + std::cos(kPi * t));
}

}  // namespace trex::train
