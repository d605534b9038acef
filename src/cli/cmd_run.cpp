// `trex run MODEL --input NAME=FILE... -o OUTDIR`: one inference in the trex runtime;
// inputs from .pb (TensorProto) or .npy files, each output written as OUTDIR/<name>.pb.
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "data/npy.h"
#include "onnx/onnx.h"
#include "runtime/session.h"
#include "util/error.h"

namespace trex::cli {

namespace {

struct RunArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::string out_dir;
  int threads = 0;
};

/// Output names may hold characters a file name cannot.
std::string file_name_for(const std::string& name) {
  std::string s = name;
  for (char& c : s)
    if (c == '/' || c == '\\' || c == '\0') c = '_';
  return s == "." || s == ".." || s.empty() ? "_" + s : s;
}

}  // namespace

Runner add_run(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Run a model once in the trex runtime");
  cmd->add_option("model", args->model, "ONNX model")->required();
  cmd->add_option("--input,-i", args->inputs, "NAME=FILE, FILE a .pb TensorProto or a .npy array")
      ->required();
  cmd->add_option("-o,--output-dir", args->out_dir, "Folder for the outputs (<name>.pb each)")
      ->required();
  cmd->add_option("--threads", args->threads, "Threads (default: OMP_NUM_THREADS or all cores)");
  return [args]() {
    std::map<std::string, Tensor> inputs;
    for (const std::string& spec : args->inputs) {
      auto eq = spec.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw_invalid("--input '" + spec + "': expected NAME=FILE");
      std::string name = spec.substr(0, eq), file = spec.substr(eq + 1);
      bool npy = file.size() > 4 && file.compare(file.size() - 4, 4, ".npy") == 0;
      if (inputs.count(name)) throw_invalid("--input '" + name + "' given twice");
      inputs[name] = npy ? load_npy(file) : load_tensor_pb(file);
    }
    SessionOptions so;
    so.threads = args->threads;
    auto session = Session::load(args->model, so);
    std::vector<Tensor> outputs = session->run(inputs);
    std::filesystem::create_directories(args->out_dir);
    for (size_t i = 0; i < outputs.size(); ++i) {
      const std::string& name = session->outputs()[i].name;
      std::string path = args->out_dir + "/" + file_name_for(name) + ".pb";
      save_tensor_pb(outputs[i], name, path);
      std::cout << name << " " << dtype_name(outputs[i].dtype())
                << Shape::from_static(outputs[i].dims()).to_string() << " -> " << path << "\n";
    }
    return 0;
  };
}

}  // namespace trex::cli
