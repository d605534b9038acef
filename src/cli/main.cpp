// The trex command line: parses arguments, runs one subcommand, and turns errors into one
// line on stderr and an exit code (2: bad or unsupported input, 3: internal error).
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "util/error.h"

namespace trex::cli {
std::vector<std::string>& template_params() {
  static std::vector<std::string> params;
  return params;
}

std::string timestamped_output_dir(const std::string& suffix) {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", &local);
  return "outputs/" + std::string(stamp) + "_" + suffix;
}
}  // namespace trex::cli

int main(int argc, char** argv) {
  CLI::App app{"trex: make trained vision models fast on CPUs without losing their accuracy"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "trex 0.1.0");
  std::map<CLI::App*, trex::cli::Runner> runners;
  auto add = [&](trex::cli::Runner r) { runners[app.get_subcommands({}).back()] = std::move(r); };
  add(trex::cli::add_convert(app));
  add(trex::cli::add_info(app));
  add(trex::cli::add_run(app));
  add(trex::cli::add_benchmark(app));
  add(trex::cli::add_data(app));
  add(trex::cli::add_train(app));
  add(trex::cli::add_eval(app));
  add(trex::cli::add_optimize(app));
  // `params --group.key value ...` overrides template parameters; CLI11 never sees it.
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 1; i < args.size(); ++i)
    if (args[i] == "params") {
      trex::cli::template_params().assign(args.begin() + i + 1, args.end());
      args.resize(i);
      break;
    }
  std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "trex: error: " << e.what() << " (see trex --help)\n";
    return 2;
  }
  for (auto& [sub, run] : runners) {
    if (!sub->parsed()) continue;
    if (!trex::cli::template_params().empty() && sub->get_name() != "train" &&
        sub->get_name() != "eval" && sub->get_name() != "optimize") {
      std::cerr << "trex: error: " << sub->get_name() << " takes no template params\n";
      return 2;
    }
    try {
      return run();
    } catch (const trex::Error& e) {
      std::cerr << "trex: error: " << e.what() << "\n";
      return e.kind() == trex::ErrorKind::kInternal ? 3 : 2;
    } catch (const std::exception& e) {
      std::cerr << "trex: internal error: " << e.what() << "\n";
      return 3;
    }
  }
  return 2;
}
