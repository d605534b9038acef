// Filter pruning schedules (see pruning_schedule.h).
#include "compress/pruning_schedule.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace trex::compress {

double pruning_level(const FilterPruningConfig& c, int epoch) {
  const double init = c.pruning_init, target = c.target();
  if (epoch <= c.num_init_steps) return init;
  if (epoch >= pruning_final_epoch(c)) return target;
  const double x = epoch - c.num_init_steps - 1, t = c.pruning_steps - 1;  // t >= 1 here
  if (c.schedule == "exponential")
    return std::min(target, 1 - (1 - init) * std::pow((1 - target) / (1 - init), x / t));
  // exponential_with_bias: with y = exp(-k t), level(x) = init + (target - init) *
  // (1 - y^(x/t)) / (1 - y); the point (t/8, 3/4 target) fixes y through
  // g(y) = (1 - y^(1/8)) / (1 - y) = (3/4 target - init) / (target - init), and g falls
  // from 1 (y -> 0) to 1/8 (y -> 1): bisect.
  const double want = (0.75 * target - init) / (target - init);
  if (!(want > 0.125 && want < 1))
    throw_invalid(
        "filter_pruning: schedule exponential_with_bias needs pruning_init below 3/4 "
        "of the target; pruning_init is " +
        std::to_string(init));
  double lo = 0, hi = 1;
  for (int i = 0; i < 100; ++i) {
    const double y = (lo + hi) / 2;
    ((1 - std::pow(y, 0.125)) / (1 - y) > want ? lo : hi) = y;
  }
  const double y = (lo + hi) / 2;
  return std::min(target, init + (target - init) * (1 - std::pow(y, x / t)) / (1 - y));
}

int pruning_final_epoch(const FilterPruningConfig& c) {
  return c.num_init_steps + (c.schedule == "baseline" ? 1 : c.pruning_steps);
}

}  // namespace trex::compress
