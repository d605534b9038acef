// Learning-rate schedules: linear warm-up, then cosine annealing or steps. A pure function
// of the (fractional) epoch, so a resumed training gets exactly the rates it would have.
#pragma once

#include "tasks/model_template.h"

namespace trex::train {

/// The learning rate at `epoch` (0-based, fractional: 2.5 is the middle of the third epoch).
double learning_rate_at(const LearningParameters& p, double epoch);

}  // namespace trex::train
