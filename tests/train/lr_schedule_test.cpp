// Learning-rate schedules: warm-up, cosine, step and polynomial-drop values at known points.
#include "train/lr_schedule.h"

#include <gtest/gtest.h>

#include <cmath>

namespace trex::train {
namespace {

TEST(LrSchedule, CosineWithWarmup) {
  LearningParameters p;
  p.learning_rate = 0.1;
  p.num_epochs = 11;
  p.warmup_epochs = 1;
  EXPECT_LT(learning_rate_at(p, 0.0), 0.001);
  EXPECT_NEAR(learning_rate_at(p, 0.5), 0.05, 1e-4);
  EXPECT_NEAR(learning_rate_at(p, 1.0), 0.1, 1e-12);
  EXPECT_NEAR(learning_rate_at(p, 6.0), 0.05, 1e-12);  // half way through the cosine
  EXPECT_NEAR(learning_rate_at(p, 11.0), 0.0, 1e-12);
  p.min_learning_rate = 0.01;
  EXPECT_NEAR(learning_rate_at(p, 11.0), 0.01, 1e-12);
}

TEST(LrSchedule, Step) {
  LearningParameters p;
  p.learning_rate = 0.1;
  p.schedule = "step";
  p.step_milestones = {3, 6};
  p.step_gamma = 0.1;
  EXPECT_DOUBLE_EQ(learning_rate_at(p, 2.99), 0.1);
  EXPECT_NEAR(learning_rate_at(p, 3.0), 0.01, 1e-15);
  EXPECT_NEAR(learning_rate_at(p, 7.0), 0.001, 1e-15);
}

TEST(LrSchedule, PolynomialDrop) {
  // Staged QAT: constant, then ((end - t) / duration)^2.1 down to 0 over the duration.
  LearningParameters p;
  p.learning_rate = 0.01;
  p.schedule = "poly_drop";
  EXPECT_DOUBLE_EQ(learning_rate_at(p, 100.0), 0.01);  // no drop asked
  p.poly_drop_start = 2;
  p.poly_drop_duration = 4;
  EXPECT_DOUBLE_EQ(learning_rate_at(p, 1.99), 0.01);
  EXPECT_DOUBLE_EQ(learning_rate_at(p, 2.0), 0.01);
  EXPECT_NEAR(learning_rate_at(p, 4.0), 0.01 * std::pow(0.5, 2.1), 1e-15);
  EXPECT_NEAR(learning_rate_at(p, 5.0), 0.01 * std::pow(0.25, 2.1), 1e-15);
  EXPECT_EQ(learning_rate_at(p, 6.0), 0.0);
  EXPECT_EQ(learning_rate_at(p, 9.0), 0.0);
}

}  // namespace
}  // namespace trex::train
