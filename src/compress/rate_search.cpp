// The adaptive_compression_level search (see rate_search.h).
#include "compress/rate_search.h"

#include <algorithm>
#include <cmath>

namespace trex::compress {

void RateSearch::start(double r, double margin, const AccuracyAwareConfig& c) {
  started = true;
  rate = r;
  step = c.initial_compression_rate_step;
  best_margin = margin;
  epochs_at_rate = c.patience_epochs;
}

void RateSearch::record(double margin) {
  best_margin = epochs_at_rate == 0 ? margin : std::max(best_margin, margin);
  ++epochs_at_rate;
}

RateSearch::Move RateSearch::decide(const AccuracyAwareConfig& c, double max_rate, double* next) {
  if (epochs_at_rate < c.patience_epochs && best_margin < 0) return Move::kStay;
  const int s = best_margin >= 0 ? 1 : -1;
  if (sign != 0 && s != sign) {
    step *= c.compression_rate_step_reduction_factor;
    lr_factor *= c.lr_reduction_factor;
  }
  sign = s;
  if (step < c.minimal_compression_rate_step - 1e-12) return Move::kStop;
  const double n = std::min(max_rate, rate + s * step);
  if (n <= 0 || std::fabs(n - rate) < 1e-12) return Move::kStop;
  *next = rate = n;
  epochs_at_rate = 0;
  return Move::kChange;
}

nlohmann::json RateSearch::to_json() const {
  return {{"started", started},        {"rate", rate}, {"step", step},
          {"lr_factor", lr_factor},    {"sign", sign}, {"epochs_at_rate", epochs_at_rate},
          {"best_margin", best_margin}};
}

RateSearch RateSearch::from_json(const nlohmann::json& j) {
  RateSearch s;
  s.started = j.at("started");
  s.rate = j.at("rate");
  s.step = j.at("step");
  s.lr_factor = j.at("lr_factor");
  s.sign = j.at("sign");
  s.epochs_at_rate = j.at("epochs_at_rate");
  s.best_margin = j.at("best_margin");
  return s;
}

}  // namespace trex::compress
