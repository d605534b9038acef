// Subcommand registration. Each command file adds its options to the CLI11 app and returns
// the function that runs it; all behaviour lives in the library.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace trex::cli {

using Runner = std::function<int()>;

Runner add_convert(CLI::App& app);
Runner add_info(CLI::App& app);
Runner add_run(CLI::App& app);
Runner add_benchmark(CLI::App& app);
Runner add_data(CLI::App& app);
Runner add_train(CLI::App& app);
Runner add_eval(CLI::App& app);
Runner add_optimize(CLI::App& app);

/// Template overrides: the arguments after `params`, split off before parsing.
std::vector<std::string>& template_params();

/// "outputs/<YYYYmmdd_HHMMSS>_<suffix>": where a command writes when not told (local time).
std::string timestamped_output_dir(const std::string& suffix);

/// Human-readable count: 11689512 -> "11.69M".
std::string human_count(double v);

}  // namespace trex::cli
