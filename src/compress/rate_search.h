// The adaptive_compression_level search (accuracy_aware_training): after an initial phase
// at the target, the compression rate rises by the step after an epoch within the accuracy
// budget and falls after patience_epochs epochs over it; whenever the direction turns the
// step shrinks by compression_rate_step_reduction_factor (and the learning rate by
// lr_reduction_factor); the search ends when the step falls below
// minimal_compression_rate_step or the rate would reach 0 or cannot rise.
#pragma once

#include <nlohmann/json.hpp>

#include "compress/compression_config.h"

namespace trex::compress {

struct RateSearch {
  bool started = false;  ///< the initial training phase is over
  double rate = 0, step = 0, lr_factor = 1;
  int sign = 0;             ///< direction of the last change (+1 more compression, -1 less)
  int epochs_at_rate = 0;   ///< epochs trained since the last change
  double best_margin = -1;  ///< best (budget - drop) at this rate, -1 before any epoch

  /// Begins at `rate` (the target), the last epoch `margin` within the budget; the first
  /// decision always moves.
  void start(double rate, double margin, const AccuracyAwareConfig& c);
  /// An epoch at the current rate ended `margin` within the budget (negative: over).
  void record(double margin);

  enum class Move { kStay, kChange, kStop };
  /// Before an epoch: keep the rate, change it to `*next` (rate, step, lr_factor updated),
  /// or stop. `max_rate` bounds the rate.
  Move decide(const AccuracyAwareConfig& c, double max_rate, double* next);

  nlohmann::json to_json() const;
  /// Missing or mistyped fields throw nlohmann::json exceptions (the caller names the file).
  static RateSearch from_json(const nlohmann::json& j);
};

}  // namespace trex::compress
