// The training hooks of the tasks in tasks/task_list.h (tasks/task_training.h).
#include "tasks/task.h"
#include "tasks/task_training.h"
#include "util/error.h"

namespace trex {

#define TREX_TASK(ns)             \
  namespace ns {                  \
  const Task& task();             \
  const TaskTraining& training(); \
  }
#include "tasks/task_list.h"
#undef TREX_TASK

const TaskTraining& find_training(const std::string& name, const std::string& where) {
  const Task& wanted = find_task(name, where);
#define TREX_TASK(ns) \
  if (&ns::task() == &wanted) return ns::training();
#include "tasks/task_list.h"
#undef TREX_TASK
  throw_invalid(where + ": task '" + name + "' has no training hooks");
}

}  // namespace trex
