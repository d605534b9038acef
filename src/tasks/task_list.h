// The registered tasks: one line per task, naming its namespace under trex:: (which defines
// `const Task& task();` in src/tasks/<task>/task.cpp). Expanded by tasks/registry.cpp and,
// for the training hooks, by train/training_registry.cpp. See docs/adding-a-task.md.
TREX_TASK(classification)
TREX_TASK(segmentation)
