// The task registry: the tasks of task_list.h, found by their template name.
#include <algorithm>

#include "tasks/task.h"
#include "util/error.h"

namespace trex {

#define TREX_TASK(ns) \
  namespace ns {      \
  const Task& task(); \
  }
#include "tasks/task_list.h"
#undef TREX_TASK

namespace {

const std::vector<const Task*>& registered() {
  static const std::vector<const Task*> tasks = {
#define TREX_TASK(ns) &ns::task(),
#include "tasks/task_list.h"
#undef TREX_TASK
  };
  return tasks;
}

}  // namespace

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  for (const Task* t : registered()) names.push_back(t->name());
  return names;
}

const Task& find_task(const std::string& name, const std::string& where) {
  for (const Task* t : registered())
    if (t->name() == name) return *t;
  std::string known;
  for (const std::string& n : task_names()) known += (known.empty() ? "" : ", ") + n;
  throw_invalid(where + ": unknown task '" + name + "' (trex has: " + known + ")");
}

std::vector<DatasetMaker> all_dataset_makers() {
  std::vector<DatasetMaker> all;
  for (const Task* t : registered())
    for (DatasetMaker& m : t->dataset_makers()) all.push_back(std::move(m));
  return all;
}

void Task::check_model_classes(const Graph& graph, const ImageDataset& data,
                               const std::string& model) const {
  for (const auto& [k, v] : graph.metadata) {
    if (k != "trex.classes") continue;
    std::vector<std::string> trained_on;
    try {
      trained_on = nlohmann::json::parse(v).get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception&) {
      return;
    }
    if (!trained_on.empty() && trained_on != data.classes)
      throw_invalid(data.root + ": classes differ from the classes " + model +
                    " was trained on: " + describe_class_difference(trained_on, data.classes));
  }
}

}  // namespace trex
