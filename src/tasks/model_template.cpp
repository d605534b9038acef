// Template reading: YAML -> ModelTemplate with strict keys, types and ranges. Overrides
// are applied to the YAML tree before validation, so they get the same checks.
#include "tasks/model_template.h"

#include "tasks/task.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>

#include "util/error.h"
#include "util/yaml_group.h"

#ifndef TREX_RECIPES_DIR
#define TREX_RECIPES_DIR ""
#endif

namespace fs = std::filesystem;

namespace trex {

namespace {

void apply_override(YAML::Node root, const std::string& file, const std::string& key,
                    const std::string& value) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  // Missing keys are created: validation afterwards rejects the ones templates do not have,
  // with the same message as a typo in the file.
  YAML::Node cur = root;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty()) throw_invalid(file + ": parameter '" + key + "' has an empty key");
    if (!cur.IsMap() && !cur.IsNull())
      throw_invalid(file + ": parameter '" + key + "': '" + parts[i - 1] + "' is not a group");
    YAML::Node next = cur[parts[i]];
    if (i + 1 == parts.size()) {
      if (next.IsMap())
        throw_invalid(file + ": parameter '" + key + "' is a group; name one of its keys");
      try {
        cur[parts[i]] = YAML::Load(value);
      } catch (const YAML::Exception& e) {
        throw_invalid(file + ": parameter '" + key + "': cannot parse value '" + value + "'");
      }
    }
    cur.reset(next);  // rebind; `cur = next` would overwrite the node cur refers to
  }
}

}  // namespace

std::string resolve_template_path(const std::string& spec) {
  std::error_code ec;
  fs::path p(spec);
  if (fs::is_regular_file(p, ec)) return p.string();
  if (fs::is_directory(p, ec)) {
    if (fs::is_regular_file(p / "template.yaml", ec)) return (p / "template.yaml").string();
    throw_invalid(spec + ": folder has no template.yaml");
  }
  if (spec.find('/') == std::string::npos) {
    for (const std::string& base : {std::string("recipes"), std::string(TREX_RECIPES_DIR)}) {
      if (base.empty() || !fs::is_directory(base, ec)) continue;
      for (const auto& task : fs::directory_iterator(base, ec)) {
        fs::path cand = task.path() / spec / "template.yaml";
        if (fs::is_regular_file(cand, ec)) return cand.string();
      }
    }
  }
  throw_invalid("unknown template '" + spec +
                "': not a template.yaml, a folder holding one, or a model under recipes/<task>/");
}

namespace {
ModelTemplate parse_template(const std::string& spec,
                             const std::vector<std::pair<std::string, std::string>>& overrides);
}  // namespace

ModelTemplate load_template(const std::string& spec,
                            const std::vector<std::pair<std::string, std::string>>& overrides) {
  // yaml-cpp reports some malformed trees only when they are read: one more door, so none of
  // its exceptions leaves without the file's name.
  try {
    return parse_template(spec, overrides);
  } catch (const YAML::Exception& e) {
    throw_invalid(resolve_template_path(spec) + ": malformed template: " + e.what());
  }
}

namespace {
ModelTemplate parse_template(const std::string& spec,
                             const std::vector<std::pair<std::string, std::string>>& overrides) {
  ModelTemplate t;
  t.path = resolve_template_path(spec);
  t.dir = fs::path(t.path).parent_path().string();
  const std::string& file = t.path;
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    throw_invalid(file + ": not valid YAML: " + e.what());
  }
  if (!root.IsMap()) throw_invalid(file + ": expected a mapping at the top level");
  for (const auto& [k, v] : overrides) apply_override(root, file, k, v);

  YamlGroup top(root, "", file);
  YamlGroup model(root["model"], "model", file);
  top.get<YAML::Node>("model", {}, true);
  t.name = model.get<std::string>("name", "", true);
  // The tasks of the registry (tasks/task_list.h).
  const std::vector<std::string> tasks = task_names();
  t.task = model.choice("task", "classification", {tasks.begin(), tasks.end()});
  t.architecture = model.get<std::string>("architecture", "", true);
  t.num_classes = model.integer("num_classes", 0, 1, 100000, true);
  model.check_unknown();

  YamlGroup data(root["data"], "data", file);
  top.get<YAML::Node>("data", {}, true);
  t.data.height = data.integer("height", 0, 1, 8192, true);
  t.data.width = data.integer("width", 0, 1, 8192, true);
  t.data.channels = data.integer("channels", 0, 1, 4, true);
  t.data.mean = data.get<std::vector<float>>("mean", {});
  t.data.std = data.get<std::vector<float>>("std", {});
  for (const auto* list : {&t.data.mean, &t.data.std}) {
    const char* key = list == &t.data.mean ? "mean" : "std";
    if (!list->empty() && list->size() != 1 && static_cast<int>(list->size()) != t.data.channels)
      data.fail(data.key_path(key), "has " + std::to_string(list->size()) +
                                        " values; expected 1 or one per channel (" +
                                        std::to_string(t.data.channels) + ")");
  }
  for (float s : t.data.std)
    if (!(s > 0)) data.fail("data.std", "values must be > 0");
  t.data.crop_padding = data.integer("crop_padding", 0, 0, 1024);
  t.data.horizontal_flip = data.get<bool>("horizontal_flip", false);
  data.check_unknown();

  YamlGroup lp(root["learning_parameters"], "learning_parameters", file);
  top.get<YAML::Node>("learning_parameters", {});
  LearningParameters& l = t.learning;
  l.optimizer = lp.choice("optimizer", l.optimizer, {"sgd", "adamw"});
  l.learning_rate = lp.number("learning_rate", l.learning_rate, 1e-8, 10.0);
  l.momentum = lp.number("momentum", l.momentum, 0.0, 0.999);
  l.nesterov = lp.get<bool>("nesterov", l.nesterov);
  l.weight_decay = lp.number("weight_decay", l.weight_decay, 0.0, 1.0);
  l.label_smoothing = lp.number("label_smoothing", l.label_smoothing, 0.0, 0.99);
  l.schedule = lp.choice("schedule", l.schedule, {"cosine", "step"});
  l.step_milestones = lp.get<std::vector<int>>("step_milestones", {});
  l.step_gamma = lp.number("step_gamma", l.step_gamma, 1e-6, 1.0);
  l.warmup_epochs = lp.number("warmup_epochs", l.warmup_epochs, 0.0, 1000.0);
  l.min_learning_rate = lp.number("min_learning_rate", l.min_learning_rate, 0.0, 10.0);
  l.num_epochs = lp.integer("num_epochs", l.num_epochs, 1, 100000);
  l.batch_size = lp.integer("batch_size", l.batch_size, 1, 65536);
  l.seed = lp.get<uint64_t>("seed", l.seed);
  l.num_workers = lp.integer("num_workers", l.num_workers, 1, 64);
  if (l.schedule == "step" && l.step_milestones.empty())
    lp.fail("learning_parameters.step_milestones", "the step schedule needs milestones");
  lp.check_unknown();

  YamlGroup pot(root["pot_parameters"], "pot_parameters", file);
  top.get<YAML::Node>("pot_parameters", {});
  t.pot.preset = pot.choice("preset", t.pot.preset, {"performance", "mixed"});
  t.pot.stat_subset_size = pot.integer("stat_subset_size", t.pot.stat_subset_size, 1, 1000);
  pot.check_unknown();

  YamlGroup nncf(root["nncf_optimization"], "nncf_optimization", file);
  top.get<YAML::Node>("nncf_optimization", {});
  t.nncf.enable_quantization = nncf.get<bool>("enable_quantization", true);
  t.nncf.enable_pruning = nncf.get<bool>("enable_pruning", false);
  t.nncf.pruning_supported = nncf.get<bool>("pruning_supported", false);
  t.nncf.maximal_accuracy_degradation =
      nncf.number("maximal_accuracy_degradation", 1.0, 0.0, 100.0);
  if (t.nncf.enable_pruning && !t.nncf.pruning_supported)
    nncf.fail("nncf_optimization.enable_pruning", "this model does not support pruning");
  nncf.check_unknown();

  top.check_unknown();
  return t;
}
}  // namespace

std::vector<std::pair<std::string, std::string>> parse_param_overrides(
    const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 || a.size() <= 2)
      throw_invalid("params: expected '--<group>.<key> <value>', got '" + a + "'");
    std::string key = a.substr(2), value;
    size_t eq = key.find('=');
    if (eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    } else {
      if (i + 1 >= args.size()) throw_invalid("params: '" + a + "' has no value");
      value = args[++i];
    }
    out.emplace_back(key, value);
  }
  return out;
}

ImageSpec image_spec(const ModelTemplate& t) {
  return {t.data.height, t.data.width, t.data.channels};
}

TransformSpec transform_spec(const ModelTemplate& t) {
  TransformSpec s;
  s.mean = t.data.mean;
  s.std = t.data.std;
  s.crop_padding = t.data.crop_padding;
  s.horizontal_flip = t.data.horizontal_flip;
  return s;
}

}  // namespace trex
