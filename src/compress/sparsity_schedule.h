// Sparsity schedules: the sparsity level a sparsity algorithm holds in each epoch.
#pragma once

#include "compress/compression_config.h"

namespace trex::compress {

/// The level at the end of epoch `epoch` (1-based; 0 is the start, before training):
///   polynomial:  init + (target - init) * shape(min(1, epoch / target_epoch)), shape(p) =
///                1 - (1 - p)^power when concave, p^power otherwise;
///   exponential: 1 - (1 - init) * exp(-k * epoch), k such that target_epoch reaches the
///                target (then held);
///   multistep:   multistep_sparsity_levels[i], i = the number of multistep_steps <= epoch.
/// From sparsity_target_epoch on, polynomial and exponential hold the target. `adaptive`
/// (loss-driven, rb_sparsity) is not a function of the epoch: an error.
double sparsity_level(const SparsityConfig& c, int epoch);

/// The first epoch whose level is final: the last multistep step or sparsity_target_epoch,
/// or sparsity_freeze_epoch when that comes first (masks stop changing there).
int sparsity_final_epoch(const SparsityConfig& c);

}  // namespace trex::compress
