#include "pruners/successive_halving_pruner.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace hpo {

namespace {

constexpr std::string_view kRungPrefix = "completed_rung_";

// The first rung the trial has not recorded: rungs are recorded in order from 0.
int current_rung(const FrozenTrial& trial) {
  int rung = 0;
  while (trial.system_attrs.contains(completed_rung_key(rung))) ++rung;
  return rung;
}

// Optuna's estimate: 1/100 of the longest COMPLETE trial's last step, at least 1.
std::optional<int64_t> estimate_min_resource(const Trials& trials) {
  std::optional<int64_t> longest;
  for (const TrialPtr& t : trials) {
    if (t->state != TrialState::kComplete) continue;
    if (std::optional<int64_t> last = t->last_step()) longest = std::max(longest.value_or(*last), *last);
  }
  if (!longest) return std::nullopt;
  return std::max<int64_t>(*longest / 100, 1);
}

// True if `step` is at or past min_resource * factor^exponent, without overflowing.
bool reached(int64_t step, int64_t min_resource, int64_t factor, int64_t exponent) {
  int64_t promotion_step = min_resource;
  for (int64_t i = 0; i < exponent; ++i) {
    if (promotion_step > step / factor) return false;  // the next product would pass step
    promotion_step *= factor;
  }
  return step >= promotion_step;
}

std::optional<double> rung_value(const FrozenTrial& t, const std::string& key) {
  auto it = t.system_attrs.find(key);
  if (it == t.system_attrs.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

}  // namespace

std::string completed_rung_key(int rung) {
  return std::string(kRungPrefix) + std::to_string(rung);
}

SuccessiveHalvingPruner::SuccessiveHalvingPruner(SuccessiveHalvingPrunerOptions options)
    : options_(options), min_resource_(options.min_resource) {
  if (options.min_resource && *options.min_resource < 1)
    throw std::invalid_argument("min_resource must be >= 1 or 'auto', got " +
                                std::to_string(*options.min_resource));
  if (options.reduction_factor < 2)
    throw std::invalid_argument("reduction_factor must be >= 2, got " +
                                std::to_string(options.reduction_factor));
  if (options.min_early_stopping_rate < 0)
    throw std::invalid_argument("min_early_stopping_rate must be >= 0, got " +
                                std::to_string(options.min_early_stopping_rate));
  if (options.bootstrap_count < 0)
    throw std::invalid_argument("bootstrap_count must be >= 0, got " +
                                std::to_string(options.bootstrap_count));
  if (options.bootstrap_count > 0 && !options.min_resource)
    throw std::invalid_argument(
        "bootstrap_count > 0 needs an explicit min_resource (not 'auto'), got bootstrap_count " +
        std::to_string(options.bootstrap_count));
}

void SuccessiveHalvingPruner::absorb(const StudyView& study, const Trials& trials) {
  // Ids alone repeat across storages; a pruner shared by two studies re-reads on each switch.
  if (study.study_id() != study_id_ || study.study_name() != study_name_) {
    study_id_ = study.study_id();
    study_name_ = study.study_name();
    absorbed_.clear();
    finished_rung_values_.clear();
    finished_rung_nan_.clear();
  }
  for (const TrialPtr& t : trials) {
    // Finished trials never change: read their rungs once.
    if (!is_finished(t->state) || !absorbed_.insert(t->trial_id).second) continue;
    for (int rung = 0;; ++rung) {
      const std::string key = completed_rung_key(rung);
      if (!t->system_attrs.contains(key)) break;
      if (finished_rung_values_.size() <= static_cast<size_t>(rung)) {
        finished_rung_values_.resize(rung + 1);
        finished_rung_nan_.resize(rung + 1, 0);
      }
      std::optional<double> v = rung_value(*t, key);
      if (!v || std::isnan(*v)) {
        ++finished_rung_nan_[rung];
        continue;
      }
      std::vector<double>& sorted = finished_rung_values_[rung];
      sorted.insert(std::upper_bound(sorted.begin(), sorted.end(), *v), *v);
    }
  }
}

SuccessiveHalvingPruner::RungCount SuccessiveHalvingPruner::count_rung(
    const StudyView& study, const Trials& trials, int rung, double value, bool maximize) {
  absorb(study, trials);
  RungCount count;
  if (static_cast<size_t>(rung) < finished_rung_values_.size()) {
    const std::vector<double>& sorted = finished_rung_values_[rung];
    count.n = static_cast<int64_t>(sorted.size()) + finished_rung_nan_[rung];
    count.better = maximize
        ? sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), value)
        : std::lower_bound(sorted.begin(), sorted.end(), value) - sorted.begin();
  }
  const std::string key = completed_rung_key(rung);
  for (const TrialPtr& t : trials) {
    // A trial that finished after this snapshot was taken is already in the cache.
    if (is_finished(t->state) || absorbed_.contains(t->trial_id)) continue;
    if (!t->system_attrs.contains(key)) continue;
    ++count.n;
    std::optional<double> v = rung_value(*t, key);
    if (v && (maximize ? *v > value : *v < value)) ++count.better;
  }
  return count;
}

bool SuccessiveHalvingPruner::prune(const StudyView& study, const FrozenTrial& trial) {
  if (study.is_multi_objective())
    throw std::logic_error("SuccessiveHalvingPruner does not support multi-objective studies");
  const std::optional<int64_t> step = trial.last_step();
  if (!step) return false;

  int rung = current_rung(trial);
  const double value = trial.intermediate_values.at(*step);
  const bool maximize = study.directions()[0] == StudyDirection::kMaximize;
  // One snapshot for the whole call, read before this trial records its rungs (as Optuna).
  std::optional<Trials> trials;

  int64_t min_resource = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!min_resource_) {
      trials = study.get_trials();
      min_resource_ = estimate_min_resource(*trials);
      if (!min_resource_) return false;
    }
    min_resource = *min_resource_;
  }

  // A trial whose step passes several rungs at once records them all in one call.
  for (;; ++rung) {
    if (!reached(*step, min_resource, options_.reduction_factor,
                 options_.min_early_stopping_rate + rung))
      return false;
    if (std::isnan(value)) return true;
    if (!trials) trials = study.get_trials();

    // Through storage, so that other workers and processes see the rung.
    study.set_trial_system_attr(trial.trial_id, completed_rung_key(rung), value);

    RungCount count;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      count = count_rung(study, *trials, rung, value, maximize);
    }
    // The trial's own value competes too.
    const int64_t n_competing = count.n + 1;
    if (n_competing <= options_.bootstrap_count) return true;
    // Promotable if within the best n / reduction_factor (at least the best one): value is at
    // least as good as the k-th best, i.e. at most k values are strictly better.
    const int64_t k = std::max<int64_t>(n_competing / options_.reduction_factor - 1, 0);
    if (count.better > k) return true;
  }
}

}  // namespace hpo
