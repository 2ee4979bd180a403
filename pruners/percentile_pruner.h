// Keeps the trials whose best intermediate value is within a percentile of the finished
// trials' values at the same step (Optuna's PercentilePruner; MedianPruner is the 50th).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/pruner.h"

namespace hpo {

struct PercentilePrunerOptions {
  // No pruning until this many trials are COMPLETE.
  int n_startup_trials = 5;
  // No pruning before this step (steps start at zero).
  int n_warmup_steps = 0;
  // Checks happen at n_warmup_steps, n_warmup_steps + interval_steps, ...; a check point with
  // no report is taken up by the next report.
  int interval_steps = 1;
  // No pruning at a step that fewer than this many COMPLETE trials reported (NaN included).
  int n_min_trials = 1;
};

// Prunes a trial when its best intermediate value so far (NaN ignored) is worse than the given
// percentile of the COMPLETE trials' values at its last step, counted from the best end: with
// 25, a trial must be in the best quarter to go on. A trial whose values are all NaN is pruned.
//
// Cost: the values of COMPLETE trials are absorbed once per trial into per-step sorted arrays
// (finished trials never change); the trial list is read only when the count of COMPLETE
// trials has changed. A decision is otherwise a count, a lookup and a scan of the running
// trial's own values.
//
// Thread-safe.
class PercentilePruner : public Pruner {
 public:
  // Throws std::invalid_argument unless 0 <= percentile <= 100, n_startup_trials >= 0,
  // n_warmup_steps >= 0, interval_steps >= 1 and n_min_trials >= 1.
  explicit PercentilePruner(double percentile, PercentilePrunerOptions options = {});

  bool prune(const StudyView& study, const FrozenTrial& trial) override;

  double percentile() const { return percentile_; }
  const PercentilePrunerOptions& options() const { return options_; }

 private:
  // The values COMPLETE trials reported at one step.
  struct StepValues {
    std::vector<double> sorted;  // non-NaN values, ascending
    int64_t count = 0;           // NaN included, for n_min_trials
  };

  // Clears the cache if it describes another study. REQUIRES: mutex_ held.
  void reset_if_other_study(const StudyView& study);
  // Adds the trials of `completed` not yet absorbed. REQUIRES: mutex_ held.
  void absorb(const Trials& completed);

  const double percentile_;
  const PercentilePrunerOptions options_;

  std::mutex mutex_;
  int64_t study_id_ = -1;  // the study the cache below describes
  std::string study_name_;
  std::unordered_set<int64_t> absorbed_;  // trial ids
  std::unordered_map<int64_t, StepValues> by_step_;
};

// The value at `percentile` (0 to 100) of ascending, NaN-free `sorted`, interpolated linearly
// between neighbours exactly as numpy's nanpercentile does (so decisions match Optuna's to the
// bit). NaN if `sorted` is empty.
double linear_percentile(const std::vector<double>& sorted, double percentile);

}  // namespace hpo
