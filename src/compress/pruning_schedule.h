// Filter pruning schedules: the pruning level (a filter fraction, or a FLOPs fraction with
// pruning_flops_target) each training epoch runs at.
#pragma once

#include "compress/compression_config.h"

namespace trex::compress {

/// The level of epoch `epoch` (1-based, the epoch being trained; 0 is the model before
/// training, at pruning_init). With W = num_init_steps, S = pruning_steps, T = S - 1 and
/// x = epoch - W - 1, epochs 1..W train at pruning_init; then
///   baseline:              the target from epoch W + 1;
///   exponential:           density 1 - level decays geometrically from 1 - init (x = 0)
///                          to 1 - target (x = T);
///   exponential_with_bias: a * exp(-k * x) + b through (0, init), (T / 8, 3/4 of the
///                          target) and (T, target);
/// so the target is reached at epoch W + S (baseline W + 1) and held. A curve that does not
/// exist (exponential_with_bias with pruning_init at or above 3/4 of the target) is an
/// error naming pruning_init.
double pruning_level(const FilterPruningConfig& c, int epoch);

/// The first epoch trained at the target level.
int pruning_final_epoch(const FilterPruningConfig& c);

}  // namespace trex::compress
