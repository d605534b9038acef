// `trex data make NAME -o DIR`: writes one of the built-in datasets as files that the training
// and evaluation commands read.
#include <algorithm>
#include <iostream>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "data/fashion_mnist.h"
#include "tasks/task.h"
#include "util/error.h"

namespace trex::cli {

namespace {

struct DataMakeArgs {
  std::string name;
  std::string output;
  uint64_t seed = 0;
  std::string source = kFashionMnistDir;
  long long train_size = -1, val_size = -1, test_size = -1;
};

}  // namespace

Runner add_data(CLI::App& app) {
  auto args = std::make_shared<DataMakeArgs>();
  CLI::App* cmd = app.add_subcommand("data", "Make datasets");
  cmd->require_subcommand(1);
  CLI::App* make = cmd->add_subcommand("make", "Write a built-in dataset as image folders");
  const std::vector<DatasetMaker> makers = all_dataset_makers();
  std::string footer = "Datasets:", names;
  for (const DatasetMaker& m : makers) {
    footer += "\n  " + m.name + ": " + m.description + ".";
    names += (names.empty() ? "" : ", ") + m.name;
  }
  make->footer(footer +
               "\nThe dataset is built in DIR.tmp-<pid> and renamed to DIR when complete; DIR "
               "must not exist or be empty.");
  make->add_option("name", args->name, "Dataset to make: " + names)->required();
  make->add_option("-o,--output", args->output, "Folder to create")->required();
  make->add_option("--seed", args->seed, "Seed of the split and of generated images (default 0)");
  make->add_option("--train-size", args->train_size,
                   "Images in train (generated datasets; default: the dataset's)")
      ->check(CLI::Range(0, 1000000));
  make->add_option("--val-size", args->val_size, "Images in val (generated datasets)")
      ->check(CLI::Range(0, 1000000));
  make->add_option("--test-size", args->test_size, "Images in test (generated datasets)")
      ->check(CLI::Range(0, 1000000));
  make->add_option("--source", args->source, "Folder with the IDX files")
      ->default_str(kFashionMnistDir);
  return [args, make, makers, names]() {
    if (!make->parsed()) return 2;
    auto it = std::find_if(makers.begin(), makers.end(),
                           [&](const DatasetMaker& m) { return m.name == args->name; });
    if (it == makers.end())
      throw_unsupported("dataset '" + args->name +
                        "' is not yet supported by trex data make (supported: " + names + ")");
    std::string summary;
    {
      ProgressBar bar;
      DatasetMakeOptions o;
      o.output = args->output;
      o.source = args->source;
      o.seed = args->seed;
      o.train_size = args->train_size;
      o.val_size = args->val_size;
      o.test_size = args->test_size;
      o.progress = bar.callback();
      summary = it->make(o);
    }
    std::cout << args->output << ": " << it->name << ", seed " << args->seed << "\n" << summary;
    return 0;
  };
}

}  // namespace trex::cli
