// The trainer on a tiny real dataset: learns, is deterministic bit for bit, resumes an
// interrupted run exactly, evaluates checkpoints like the runtime evaluates ONNX files.
#include "train/trainer.h"
#include "data/class_folder_dataset.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "engine/evaluate.h"
#include "onnx/onnx.h"
#include "tasks/classification/model_zoo.h"
#include "tasks/task_training.h"
#include "train/checkpoint.h"
#include "train/tiny_dataset.h"
#include "train/training_loop.h"
#include "util/error.h"
#include "util/file_io.h"

namespace trex::train {
namespace {

namespace fs = std::filesystem;

class TrainerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new testing::TinyDataset(testing::make_tiny_fashion_mnist("trainer", 30, 10));
  }
  static void TearDownTestSuite() {
    fs::remove_all(data_->root);
    delete data_;
  }

  ModelTemplate tmpl(int epochs) {
    return load_template(std::string(TREX_RECIPES_DIR) + "/classification/resnet18",
                         {{"learning_parameters.num_epochs", std::to_string(epochs)},
                          {"learning_parameters.batch_size", "32"},
                          {"learning_parameters.warmup_epochs", "0"},
                          {"learning_parameters.learning_rate", "0.05"}});
  }
  TrainOptions options(const std::string& out) {
    TrainOptions o;
    o.train_root = data_->train;
    o.val_root = data_->val;
    o.out_dir = data_->root + "/" + out;
    o.threads = 2;
    return o;
  }

  static testing::TinyDataset* data_;
};
testing::TinyDataset* TrainerTest::data_ = nullptr;

TEST_F(TrainerTest, LearnsAndWritesEverything) {
  TrainResult r = train_model(tmpl(3), options("learn"));
  ASSERT_EQ(r.epochs.size(), 3u);
  // 300 images, 3 epochs: far above chance (10%), though far from converged (0.35 to 0.45
  // as the CPU's float kernels round).
  EXPECT_GT(r.best_accuracy, 0.25);
  EXPECT_LT(r.epochs.back().train_loss, r.epochs.front().train_loss);
  for (const std::string& f : {r.model_path, r.checkpoint_path, r.last_checkpoint_path, r.log_path})
    EXPECT_TRUE(fs::exists(f)) << f;
  auto log = nlohmann::json::parse(read_file(r.log_path));
  EXPECT_EQ(log["metric"], "accuracy");
  EXPECT_DOUBLE_EQ(log["score"].get<double>(), r.best_accuracy);
  EXPECT_EQ(log["epochs"].size(), 3u);

  // The best checkpoint evaluated by the backend, and the ONNX model by the runtime, agree.
  ModelTemplate t = tmpl(3);
  ImageDataset val = load_class_folders(data_->val, image_spec(t));
  Checkpoint best = load_checkpoint(r.checkpoint_path);
  EXPECT_EQ(best.meta["epoch"].get<int>(), r.best_epoch);
  EXPECT_TRUE(best.optimizer_state.empty());
  EXPECT_FALSE(load_checkpoint(r.last_checkpoint_path).optimizer_state.empty());
  const Task& task = find_task("classification", "test");
  auto backend = evaluate_in_backend(*best.graph, task, val, transform_spec(t), 2);
  engine::EvalOptions eo;
  auto runtime =
      engine::evaluate_in_runtime(load_onnx(r.model_path), task, val, transform_spec(t), eo);
  EXPECT_DOUBLE_EQ(backend->score(), r.best_accuracy);
  EXPECT_DOUBLE_EQ(runtime->score(), r.best_accuracy);
}

TEST_F(TrainerTest, AdamWWithStepScheduleLearns) {
  ModelTemplate t = load_template(std::string(TREX_RECIPES_DIR) + "/classification/resnet18",
                                  {{"learning_parameters.optimizer", "adamw"},
                                   {"learning_parameters.learning_rate", "0.003"},
                                   {"learning_parameters.weight_decay", "0.05"},
                                   {"learning_parameters.num_epochs", "3"},
                                   {"learning_parameters.batch_size", "32"},
                                   {"learning_parameters.warmup_epochs", "0"},
                                   {"learning_parameters.schedule", "step"},
                                   {"learning_parameters.step_milestones", "[2]"}});
  TrainResult r = train_model(t, options("adamw"));
  ASSERT_EQ(r.epochs.size(), 3u);
  EXPECT_LT(r.epochs.back().train_loss, r.epochs.front().train_loss);
  EXPECT_NEAR(r.epochs[2].learning_rate, t.learning.learning_rate * 0.1, 1e-12);
  EXPECT_GT(r.best_accuracy, 0.4);
}

TEST_F(TrainerTest, SameSeedSameModelBitForBit) {
  TrainResult a = train_model(tmpl(1), options("det_a"));
  TrainResult b = train_model(tmpl(1), options("det_b"));
  EXPECT_TRUE(read_file(a.model_path) == read_file(b.model_path)) << "models differ";
}

TEST_F(TrainerTest, InterruptedRunResumesExactly) {
  TrainResult whole = train_model(tmpl(2), options("whole"));

  TrainOptions o = options("interrupted");
  // Interrupt in the middle of the second epoch, as a kill would.
  o.progress = [](const Progress& p) {
    if (p.stage == "epoch 2/2" && p.done == 3) throw std::runtime_error("interrupted");
  };
  EXPECT_THROW(train_model(tmpl(2), o), std::runtime_error);
  Checkpoint last = load_checkpoint(o.out_dir + "/last_checkpoint.pt");
  EXPECT_EQ(last.meta["epoch"].get<int>(), 1);

  o.progress = {};
  o.resume = true;
  TrainResult resumed = train_model(tmpl(2), o);
  ASSERT_EQ(resumed.epochs.size(), 2u);
  EXPECT_TRUE(read_file(resumed.model_path) == read_file(whole.model_path)) << "models differ";
  EXPECT_EQ(resumed.best_accuracy, whole.best_accuracy);
}

TEST_F(TrainerTest, BatchMultiplierStepsOnceEveryNBatches) {
  // 300 images in batches of 32: 9 batches (the last partial one dropped); with
  // batch_multiplier 4 the optimizer steps after batches 4, 8 and 9 (the last group is one
  // batch).
  ModelTemplate t = tmpl(1);
  ImageDataset train = load_class_folders(data_->train, image_spec(t), 2, {});
  classification::ModelSpec ms{1, 28, 28, t.num_classes, 0};
  for (int multiplier : {1, 4}) {
    GraphModule module(*classification::build_model(t.architecture, ms));
    LearningParameters lp = t.learning;
    lp.batch_multiplier = multiplier;
    auto opt = make_optimizer(lp, module);
    int steps = 0;
    EpochStats st = train_epoch(module, *opt, find_training("classification", "test"), train,
                                transform_spec(t), lp, 0, {}, 1.0, {}, [&] { ++steps; });
    EXPECT_EQ(steps, multiplier == 1 ? 9 : 3) << multiplier;
    EXPECT_EQ(st.images, 288u);
    EXPECT_TRUE(std::isfinite(st.loss));
  }
}

TEST_F(TrainerTest, BadInputsNameTheirSource) {
  TrainOptions o = options("bad");
  o.val_root = data_->root + "/nowhere";
  try {
    train_model(tmpl(1), o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nowhere"), std::string::npos) << e.what();
  }
  o = options("bad2");
  o.resume = true;
  try {
    train_model(tmpl(1), o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("last_checkpoint.pt"), std::string::npos) << e.what();
  }
  std::string junk = data_->root + "/junk.pt";
  write_file_atomic(junk, "PK\3\4 not really a zip");
  EXPECT_TRUE(is_checkpoint_file(junk));
  try {
    load_checkpoint(junk);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("junk.pt"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace trex::train
