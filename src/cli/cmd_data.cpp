// `trex data make NAME -o DIR`: writes one of the built-in datasets as files that the training
// and evaluation commands read.
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "data/fashion_mnist.h"
#include "util/error.h"

namespace trex::cli {

namespace {

struct DataMakeArgs {
  std::string name;
  std::string output;
  uint64_t seed = 0;
  std::string source = kFashionMnistDir;
};

// Image files and class folders under DIR/SPLIT.
std::pair<size_t, size_t> count_split(const std::string& dir) {
  size_t files = 0, classes = 0;
  for (const auto& c : std::filesystem::directory_iterator(dir)) {
    if (!c.is_directory()) continue;
    ++classes;
    for (const auto& f : std::filesystem::directory_iterator(c.path()))
      files += f.is_regular_file();
  }
  return {files, classes};
}

}  // namespace

Runner add_data(CLI::App& app) {
  auto args = std::make_shared<DataMakeArgs>();
  CLI::App* cmd = app.add_subcommand("data", "Make datasets");
  cmd->require_subcommand(1);
  CLI::App* make = cmd->add_subcommand("make", "Write a built-in dataset as image folders");
  make->footer(
      "Datasets: fashion-mnist-cls (Fashion-MNIST from Debian's dataset-fashion-mnist as "
      "DIR/{train,val,test}/<class>/<index>.png; train/val split 55,000/5,000 by --seed). "
      "The dataset is built in DIR.tmp-<pid> and renamed to DIR when complete; DIR must not "
      "exist or be empty.");
  make->add_option("name", args->name, "Dataset to make: fashion-mnist-cls")->required();
  make->add_option("-o,--output", args->output, "Folder to create")->required();
  make->add_option("--seed", args->seed, "Seed of the train/val split (default 0)");
  make->add_option("--source", args->source, "Folder with the IDX files")
      ->default_str(kFashionMnistDir);
  return [args, make]() {
    if (!make->parsed()) return 2;
    if (args->name != "fashion-mnist-cls")
      throw_unsupported("dataset '" + args->name +
                        "' is not yet supported by trex data make (supported: fashion-mnist-cls)");
    {
      ProgressBar bar;
      make_fashion_mnist_cls(args->output, args->seed, bar.callback(), args->source);
    }
    std::cout << args->output << ": fashion-mnist-cls, seed " << args->seed << "\n";
    for (const char* split : {"train", "val", "test"}) {
      auto [files, classes] = count_split(args->output + "/" + split);
      std::cout << "  " << split << ": " << files << " images in " << classes << " classes\n";
    }
    return 0;
  };
}

}  // namespace trex::cli
