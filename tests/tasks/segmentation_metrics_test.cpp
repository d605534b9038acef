// Segmentation metrics against confusion matrices worked by hand, through logits and
// through the Metric interface, with the ignore label and absent classes.
#include <gtest/gtest.h>

#include "tasks/segmentation/metrics.h"
#include "util/error.h"

namespace trex::segmentation {
namespace {

// Labels 2x3: 0 0 1 / 1 2 255; predictions: 0 1 1 / 2 2 0 (the 255 pixel is not counted).
// Confusion [true][predicted]: [1 1 0; 0 1 1; 0 0 1].
//   class 0: TP 1 FP 0 FN 1 -> Dice 2/3, IoU 1/2
//   class 1: TP 1 FP 1 FN 1 -> Dice 1/2, IoU 1/3
//   class 2: TP 1 FP 1 FN 0 -> Dice 2/3, IoU 1/2
//   mDice 11/18, mIoU 4/9, pixel accuracy 3/5.
const std::vector<int64_t> kLabels = {0, 0, 1, 1, 2, 255};
const std::vector<int64_t> kPredicted = {0, 1, 1, 2, 2, 0};

TEST(SegmentationMeter, HandWorkedConfusion) {
  SegmentationMeter m({"bg", "a", "b"});
  m.add_predictions(kPredicted.data(), kLabels.data(), kLabels.size());
  EXPECT_EQ(m.confusion(), (std::vector<std::vector<int64_t>>{{1, 1, 0}, {0, 1, 1}, {0, 0, 1}}));
  std::vector<double> dice = m.per_class_dice(), iou = m.per_class_iou();
  EXPECT_DOUBLE_EQ(dice[0], 2.0 / 3);
  EXPECT_DOUBLE_EQ(dice[1], 0.5);
  EXPECT_DOUBLE_EQ(dice[2], 2.0 / 3);
  EXPECT_DOUBLE_EQ(iou[1], 1.0 / 3);
  EXPECT_DOUBLE_EQ(m.mean_dice(), 11.0 / 18);
  EXPECT_DOUBLE_EQ(m.mean_iou(), 4.0 / 9);
  EXPECT_DOUBLE_EQ(m.pixel_accuracy(), 0.6);
  EXPECT_DOUBLE_EQ(m.score(), 11.0 / 18);
  nlohmann::json j = m.to_json();
  EXPECT_EQ(j["metric"], "mDice");
  EXPECT_DOUBLE_EQ(j["mIoU"].get<double>(), 4.0 / 9);
  EXPECT_EQ(j["per_class"][1]["pixels"], 2);
}

TEST(SegmentationMeter, LogitsThroughTheMetricInterface) {
  // Logits [1, 3, 2, 3] whose argmax per pixel is kPredicted.
  std::vector<float> logits(18, 0.0f);
  for (int p = 0; p < 6; ++p) logits[kPredicted[p] * 6 + p] = 1.0f + p;
  Batch b;
  b.n = 1;
  b.channels = 3;
  b.height = 2;
  b.width = 3;
  b.masks = kLabels;
  SegmentationMeter m({"bg", "a", "b"});
  m.add(logits.data(), {1, 3, 2, 3}, b);
  EXPECT_EQ(m.count(), 1u);
  EXPECT_DOUBLE_EQ(m.mean_dice(), 11.0 / 18);
  // An output of the wrong size is refused with the expected shape.
  try {
    m.add(logits.data(), {1, 3, 3, 2}, b);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected [1, 3, 2, 3]"), std::string::npos) << e.what();
  }
}

TEST(SegmentationMeter, AbsentClassesLeaveTheMeanAndFalsePositivesCount) {
  // 4 classes: class 3 occurs nowhere (left out of the means); class 2 only as a wrong
  // prediction (Dice 0, counted).
  SegmentationMeter m({"bg", "a", "b", "c"});
  const std::vector<int64_t> labels = {0, 0, 1, 1}, predicted = {0, 0, 1, 2};
  m.add_predictions(predicted.data(), labels.data(), labels.size());
  // class 0: Dice 1; class 1: TP 1 FN 1 -> 2/3; class 2: FP 1 -> 0; class 3: undefined.
  EXPECT_DOUBLE_EQ(m.per_class_dice()[3], -1.0);
  EXPECT_DOUBLE_EQ(m.mean_dice(), (1.0 + 2.0 / 3 + 0.0) / 3);
  EXPECT_DOUBLE_EQ(m.pixel_accuracy(), 0.75);
  EXPECT_TRUE(m.to_json()["per_class"][3]["dice"].is_null());
}

TEST(SegmentationMeter, LabelsOutsideTheClassesAreErrors) {
  SegmentationMeter m({"bg", "a"});
  const std::vector<int64_t> labels = {0, 5}, predicted = {0, 1};
  EXPECT_THROW(m.add_predictions(predicted.data(), labels.data(), 2), Error);
}

}  // namespace
}  // namespace trex::segmentation
