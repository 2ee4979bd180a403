#include "pruners/percentile_pruner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "pruners/pruning_steps.h"

namespace hpo {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Best over all reported steps, NaN ignored (numpy's nanmin/nanmax); NaN if all are NaN.
double best_intermediate_value(const FrozenTrial& trial, bool maximize) {
  double best = kNaN;
  for (const auto& [step, v] : trial.intermediate_values) {
    if (std::isnan(v)) continue;
    if (std::isnan(best) || (maximize ? v > best : v < best)) best = v;
  }
  return best;
}

void check_options(double percentile, const PercentilePrunerOptions& o) {
  // Written so that a NaN percentile fails too.
  if (!(percentile >= 0.0 && percentile <= 100.0))
    throw std::invalid_argument("percentile must be between 0 and 100 inclusive, got " +
                                std::to_string(percentile));
  if (o.n_startup_trials < 0)
    throw std::invalid_argument("n_startup_trials cannot be negative, got " +
                                std::to_string(o.n_startup_trials));
  if (o.n_warmup_steps < 0)
    throw std::invalid_argument("n_warmup_steps cannot be negative, got " +
                                std::to_string(o.n_warmup_steps));
  if (o.interval_steps < 1)
    throw std::invalid_argument("interval_steps must be at least 1, got " +
                                std::to_string(o.interval_steps));
  if (o.n_min_trials < 1)
    throw std::invalid_argument("n_min_trials must be at least 1, got " +
                                std::to_string(o.n_min_trials));
}

}  // namespace

double linear_percentile(const std::vector<double>& sorted, double percentile) {
  if (sorted.empty()) return kNaN;
  // numpy: q = percentile / 100; virtual index (n - 1) * q; the last value at or past the end;
  // otherwise a lerp that works from the nearer neighbour, in this exact arithmetic.
  const double q = percentile / 100.0;
  const auto n = static_cast<double>(sorted.size());
  const double index = (n - 1.0) * q;
  if (index >= n - 1.0) return sorted.back();
  const double below = std::floor(index);
  const auto i = static_cast<size_t>(below);
  const double a = sorted[i];
  const double b = sorted[i + 1];
  const double gamma = index - below;
  const double diff = b - a;
  return gamma >= 0.5 ? b - diff * (1.0 - gamma) : a + diff * gamma;
}

PercentilePruner::PercentilePruner(double percentile, PercentilePrunerOptions options)
    : percentile_(percentile), options_(options) {
  check_options(percentile, options);
}

void PercentilePruner::reset_if_other_study(const StudyView& study) {
  // Ids alone repeat across storages; a pruner shared by two studies re-reads on each switch.
  if (study.study_id() != study_id_ || study.study_name() != study_name_) {
    study_id_ = study.study_id();
    study_name_ = study.study_name();
    absorbed_.clear();
    by_step_.clear();
  }
}

void PercentilePruner::absorb(const Trials& completed) {
  // New values go to the end of each step's array, then are sorted and merged in: one trial
  // costs a merge per step, a whole history at once (a study resumed with 1,000 trials) a sort.
  std::unordered_map<int64_t, size_t> sorted_before;  // step -> size before this call
  for (const TrialPtr& t : completed) {
    if (!absorbed_.insert(t->trial_id).second) continue;
    for (const auto& [step, v] : t->intermediate_values) {
      StepValues& sv = by_step_[step];
      sorted_before.try_emplace(step, sv.sorted.size());
      ++sv.count;
      if (!std::isnan(v)) sv.sorted.push_back(v);
    }
  }
  for (const auto& [step, n_sorted] : sorted_before) {
    std::vector<double>& values = by_step_[step].sorted;
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(n_sorted);
    std::sort(middle, values.end());
    std::inplace_merge(values.begin(), middle, values.end());
  }
}

bool PercentilePruner::prune(const StudyView& study, const FrozenTrial& trial) {
  if (study.is_multi_objective())
    throw std::logic_error("PercentilePruner does not support multi-objective studies");
  const std::optional<int64_t> step = trial.last_step();
  if (!step) return false;

  const StateMask complete{TrialState::kComplete};
  const int64_t n_completed = study.get_n_trials(complete);
  if (n_completed == 0 || n_completed < options_.n_startup_trials) return false;
  if (*step < options_.n_warmup_steps) return false;
  if (!is_first_in_interval_step(*step, trial.intermediate_values, options_.n_warmup_steps,
                                 options_.interval_steps))
    return false;

  const bool maximize = study.directions()[0] == StudyDirection::kMaximize;
  const double best = best_intermediate_value(trial, maximize);
  if (std::isnan(best)) return true;

  double threshold = kNaN;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    reset_if_other_study(study);
    // COMPLETE trials stay COMPLETE: a count equal to the cache's means nothing new (the
    // usual case), and the trial list is read only when trials have completed since.
    if (n_completed != static_cast<int64_t>(absorbed_.size())) absorb(study.get_trials(complete));
    auto it = by_step_.find(*step);
    if (it == by_step_.end() || it->second.count < options_.n_min_trials) return false;
    // For maximization the best trials sit at the top: keep the top `percentile`.
    threshold = linear_percentile(it->second.sorted,
                                  maximize ? 100.0 - percentile_ : percentile_);
  }
  if (std::isnan(threshold)) return false;
  return maximize ? best < threshold : best > threshold;
}

}  // namespace hpo
