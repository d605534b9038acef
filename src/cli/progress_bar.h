// Turns library progress reports into a bar on a terminal, or into plain log lines (one per
// stage change and every few seconds) when stdout is not a terminal.
#pragma once

#include <chrono>
#include <string>

#include "util/progress.h"

namespace trex::cli {

class ProgressBar {
 public:
  ProgressBar();
  ~ProgressBar();
  /// The callback to hand to the library.
  ProgressFn callback();
  /// Ends the current bar line (before printing other output).
  void finish();

 private:
  void update(const Progress& p);

  bool tty_;
  std::string stage_;
  bool open_line_ = false;
  std::chrono::steady_clock::time_point stage_start_, last_print_;
};

}  // namespace trex::cli
