// Progress of `hpo run` on stderr. On a terminal: one line rewritten in place (trials done of
// the budget, counts by state, best value, elapsed, ETA). Otherwise (a CI log, a pipeline):
// one line per finished trial. Quiet: nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>

#include "core/frozen_trial.h"

namespace hpo::cli {

struct ProgressOptions {
  bool quiet = false;
  bool terminal = false;           // rewrite one line instead of printing one per trial
  std::optional<int64_t> n_trials;  // the budget: COMPLETE + PRUNED trials
  StudyDirection direction = StudyDirection::kMinimize;
  bool single_objective = true;
};

// Thread-safe: trial_finished is called from every worker.
class Progress {
 public:
  // `existing`: the study's trials before this run (a resumed study starts from its counts).
  Progress(ProgressOptions options, const Trials& existing, std::FILE* out = stderr);

  void trial_finished(const FrozenTrial& trial);
  // Ends the updating line, if any.
  void finish();

 private:
  void count(const FrozenTrial& trial);
  void draw_line();                            // REQUIRES: mutex_ held
  void log_trial(const FrozenTrial& trial);    // REQUIRES: mutex_ held

  ProgressOptions options_;
  std::FILE* out_;
  std::mutex mutex_;
  int64_t complete_ = 0, pruned_ = 0, failed_ = 0;
  int64_t done_at_start_ = 0;  // COMPLETE + PRUNED before this run, for the ETA
  std::optional<double> best_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool drawn_ = false;
};

}  // namespace hpo::cli
