// Progress bar / log lines for long commands.
#include "cli/progress_bar.h"

#include <unistd.h>

#include <cstdio>

namespace trex::cli {

ProgressBar::ProgressBar() : tty_(isatty(STDOUT_FILENO) == 1) {}

ProgressBar::~ProgressBar() {
  finish();
}

ProgressFn ProgressBar::callback() {
  return [this](const Progress& p) { update(p); };
}

void ProgressBar::finish() {
  if (open_line_) {
    std::printf("\n");
    std::fflush(stdout);
  }
  open_line_ = false;
}

void ProgressBar::update(const Progress& p) {
  auto now = std::chrono::steady_clock::now();
  bool new_stage = p.stage != stage_;
  if (new_stage) {
    finish();
    stage_ = p.stage;
    stage_start_ = now;
    last_print_ = {};
  }
  bool done = p.total > 0 && p.done >= p.total;
  double since_print = std::chrono::duration<double>(now - last_print_).count();
  double elapsed = std::chrono::duration<double>(now - stage_start_).count();
  if (tty_) {
    if (since_print < 0.1 && !done && !new_stage) return;
    last_print_ = now;
    constexpr int kWidth = 30;
    double frac = p.total ? static_cast<double>(p.done) / p.total : 0.0;
    int filled = static_cast<int>(frac * kWidth);
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0;
    std::printf("\r%-14s [%s] %zu/%zu %5.1fs eta %5.1fs %s\x1b[K", p.stage.c_str(), bar.c_str(),
                p.done, p.total, elapsed, eta, p.detail.c_str());
    open_line_ = true;
    if (done) finish();
  } else {
    // Log lines: stage start, stage end, and at most one every 10 seconds in between.
    if (!new_stage && !done && since_print < 10) return;
    last_print_ = now;
    std::printf("%s: %zu/%zu (%.1fs)%s%s\n", p.stage.c_str(), p.done, p.total, elapsed,
                p.detail.empty() ? "" : " ", p.detail.c_str());
  }
  std::fflush(stdout);
}

}  // namespace trex::cli
