// Templates: the shipped ones load; overrides apply with the same checks; every mistake
// names the file and key path.
#include "tasks/model_template.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tasks/classification/model_zoo.h"
#include "test_util.h"
#include "util/error.h"

namespace trex {
namespace {

namespace fs = std::filesystem;

std::string recipe(const std::string& name) {
  return std::string(TREX_RECIPES_DIR) + "/classification/" + name;
}

/// The error message of `f`, which must throw trex::Error of kind invalid input.
template <typename F>
std::string error_of(F f) {
  std::string e = testing::invalid_input_error_of(f);
  EXPECT_FALSE(e.empty()) << "no error";
  return e;
}

TEST(ModelTemplate, ShippedTemplatesLoadAndBuild) {
  for (const char* name : {"resnet18", "mobilenet_v3", "efficientnet_b0"}) {
    ModelTemplate t = load_template(recipe(name));
    EXPECT_EQ(t.task, "classification");
    EXPECT_EQ(t.architecture, std::string(name));
    EXPECT_EQ(t.num_classes, 10);
    EXPECT_EQ(t.pot.stat_subset_size, 300);
    EXPECT_TRUE(t.nncf.enable_quantization);
    EXPECT_DOUBLE_EQ(t.nncf.maximal_accuracy_degradation, 1.0);
    EXPECT_TRUE(fs::exists(t.dir + "/compression_config.json"));
    auto g = classification::build_model(
        t.architecture, {t.data.channels, t.data.height, t.data.width, t.num_classes, 0});
    EXPECT_GT(g->num_nodes(), 20u);
  }
}

TEST(ModelTemplate, OverridesApplyAndAreChecked) {
  ModelTemplate t = load_template(recipe("resnet18"), {{"learning_parameters.num_epochs", "3"},
                                                       {"pot_parameters.preset", "mixed"},
                                                       {"data.mean", "[0.5]"}});
  EXPECT_EQ(t.learning.num_epochs, 3);
  EXPECT_EQ(t.pot.preset, "mixed");
  EXPECT_FLOAT_EQ(t.data.mean[0], 0.5f);
  // The rest of the template is untouched by an override.
  EXPECT_EQ(t.architecture, "resnet18");

  std::string e = error_of([] {
    load_template(recipe("resnet18"), {{"learning_parameters.nope", "1"}});
  });
  EXPECT_NE(e.find("learning_parameters.nope"), std::string::npos) << e;
  e = error_of([] {
    load_template(recipe("resnet18"), {{"learning_parameters.num_epochs", "many"}});
  });
  EXPECT_NE(e.find("learning_parameters.num_epochs"), std::string::npos) << e;
  e = error_of([] {
    load_template(recipe("resnet18"), {{"pot_parameters.stat_subset_size", "5000"}});
  });
  EXPECT_NE(e.find("pot_parameters.stat_subset_size"), std::string::npos) << e;
  EXPECT_NE(e.find("out of range"), std::string::npos) << e;
  e = error_of([] { load_template(recipe("resnet18"), {{"pot_parameters.preset", "fast"}}); });
  EXPECT_NE(e.find("performance"), std::string::npos) << e;
}

TEST(ModelTemplate, FileMistakesNameTheKey) {
  fs::path dir = fs::temp_directory_path() / ("trex_tmpl_" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto write = [&](const std::string& text) {
    std::ofstream(dir / "template.yaml") << text;
    return (dir / "template.yaml").string();
  };
  const std::string base =
      "model: {name: m, task: classification, architecture: resnet18, num_classes: 10}\n"
      "data: {height: 28, width: 28, channels: 1}\n";
  EXPECT_NO_THROW(load_template(write(base)));
  std::string e = error_of([&] { load_template(write(base + "learning_parameters: {lr: 1}\n")); });
  EXPECT_NE(e.find("learning_parameters.lr: unknown key"), std::string::npos) << e;
  e = error_of([&] { load_template(write(base + "extra: 1\n")); });
  EXPECT_NE(e.find("extra: unknown key"), std::string::npos) << e;
  e = error_of([&] { load_template(write("data: {height: 28, width: 28, channels: 1}\n")); });
  EXPECT_NE(e.find("model"), std::string::npos) << e;
  e = error_of([&] { load_template(write(base + "learning_parameters: {schedule: step}\n")); });
  EXPECT_NE(e.find("step_milestones"), std::string::npos) << e;
  e = error_of([&] { load_template(write("model: [unclosed\n")); });
  EXPECT_NE(e.find("template.yaml"), std::string::npos) << e;
  // Found by the data-loader fuzzer: a key that is a list aborted the process.
  e = error_of([&] { load_template(write(base + "? [a, b]\n: 1\n")); });
  EXPECT_NE(e.find("keys must be plain names"), std::string::npos) << e;
  e = error_of([&] { load_template(write(base + "learning_parameters: {? {x: 1} : 2}\n")); });
  EXPECT_NE(e.find("learning_parameters: keys must be plain names"), std::string::npos) << e;
  e = error_of([] { load_template("no_such_model_anywhere"); });
  EXPECT_NE(e.find("no_such_model_anywhere"), std::string::npos) << e;
  fs::remove_all(dir);
}

TEST(ModelTemplate, ParamOverridesParse) {
  auto kv = parse_param_overrides({"--a.b", "1", "--c.d=x"});
  ASSERT_EQ(kv.size(), 2u);
  EXPECT_EQ(kv[0], (std::pair<std::string, std::string>{"a.b", "1"}));
  EXPECT_EQ(kv[1], (std::pair<std::string, std::string>{"c.d", "x"}));
  EXPECT_THROW(parse_param_overrides({"a.b", "1"}), Error);
  EXPECT_THROW(parse_param_overrides({"--a.b"}), Error);
}

}  // namespace
}  // namespace trex
