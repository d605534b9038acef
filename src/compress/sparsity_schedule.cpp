// Sparsity schedules (see sparsity_schedule.h).
#include "compress/sparsity_schedule.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace trex::compress {

double sparsity_level(const SparsityConfig& c, int epoch) {
  const double init = c.sparsity_init, target = c.sparsity_target;
  if (c.schedule == "multistep") {
    size_t i = 0;
    while (i < c.multistep_steps.size() && c.multistep_steps[i] <= epoch) ++i;
    return c.multistep_sparsity_levels[i];
  }
  if (epoch >= c.sparsity_target_epoch) return target;
  const double p = static_cast<double>(epoch) / std::max(1, c.sparsity_target_epoch);
  if (c.schedule == "polynomial") {
    const double shape = c.concave ? 1 - std::pow(1 - p, c.power) : std::pow(p, c.power);
    return init + (target - init) * shape;
  }
  if (c.schedule == "exponential") {
    const double k = std::log((1 - init) / (1 - target)) / std::max(1, c.sparsity_target_epoch);
    return 1 - (1 - init) * std::exp(-k * epoch);
  }
  throw_unsupported("sparsity schedule '" + c.schedule +
                    "' adapts to the loss and is not available for " + c.algorithm +
                    " yet (polynomial, exponential, multistep are)");
}

int sparsity_final_epoch(const SparsityConfig& c) {
  const int last = c.schedule == "multistep" && !c.multistep_steps.empty()
                       ? c.multistep_steps.back()
                       : c.sparsity_target_epoch;
  return std::min(last, c.sparsity_freeze_epoch);
}

}  // namespace trex::compress
