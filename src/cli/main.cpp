// The trex command line: parses arguments, runs one subcommand, and turns errors into one
// line on stderr and an exit code (2: bad or unsupported input, 3: internal error).
#include <cstdio>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "util/error.h"

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
  try {
    app.parse(argc, argv);
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
