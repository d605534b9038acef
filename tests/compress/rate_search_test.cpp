// The adaptive_compression_level search: up by the step after an epoch within budget, down
// after patience epochs over it, the step (and learning rate) shrinking at each turn, and
// the stops (step below the minimum, rate at 0 or unable to rise); its state round-trips.
#include "compress/rate_search.h"

#include <gtest/gtest.h>

namespace trex::compress {
namespace {

TEST(RateSearch, MovesTurnsAndStops) {
  AccuracyAwareConfig c;
  c.patience_epochs = 2;
  c.initial_compression_rate_step = 0.1;
  c.compression_rate_step_reduction_factor = 0.5;
  c.minimal_compression_rate_step = 0.025;
  c.lr_reduction_factor = 0.5;
  RateSearch s;
  s.start(0.3, 0.01, c);  // the initial phase ended within budget: the first pass moves up
  double next = 0;
  ASSERT_EQ(s.decide(c, 0.95, &next), RateSearch::Move::kChange);
  EXPECT_DOUBLE_EQ(next, 0.4);
  s.record(-0.02);  // over budget: stays until patience runs out
  EXPECT_EQ(s.decide(c, 0.95, &next), RateSearch::Move::kStay);
  s.record(-0.01);
  ASSERT_EQ(s.decide(c, 0.95, &next), RateSearch::Move::kChange);  // turned: half the step
  EXPECT_DOUBLE_EQ(next, 0.35);
  EXPECT_DOUBLE_EQ(s.lr_factor, 0.5);
  s.record(0.0);  // within (exactly at the budget): up again, turned again
  ASSERT_EQ(s.decide(c, 0.95, &next), RateSearch::Move::kChange);
  EXPECT_DOUBLE_EQ(next, 0.375);
  EXPECT_DOUBLE_EQ(s.step, 0.025);
  EXPECT_DOUBLE_EQ(s.lr_factor, 0.25);
  s.record(-0.1);
  s.record(-0.1);
  EXPECT_EQ(s.decide(c, 0.95, &next), RateSearch::Move::kStop);  // the step would be 0.0125
  // Round trip.
  RateSearch back = RateSearch::from_json(s.to_json());
  EXPECT_EQ(back.to_json(), s.to_json());
  EXPECT_THROW(RateSearch::from_json(nlohmann::json::object()), nlohmann::json::exception);
  // Bounds: capped at the maximum, then no rise is a stop; a rate reaching 0 stops.
  RateSearch up;
  up.start(0.9, 0.05, c);
  ASSERT_EQ(up.decide(c, 0.95, &next), RateSearch::Move::kChange);
  EXPECT_DOUBLE_EQ(next, 0.95);
  up.record(0.05);
  EXPECT_EQ(up.decide(c, 0.95, &next), RateSearch::Move::kStop);
  RateSearch down;
  down.start(0.1, -0.05, c);
  EXPECT_EQ(down.decide(c, 0.95, &next), RateSearch::Move::kStop);
}

}  // namespace
}  // namespace trex::compress
