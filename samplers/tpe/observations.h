// Turns a study's trials into what TPE learns from: per trial a rank key and the internal
// values of the requested params, and the below/above split of those trials.
//
// Finished trials never change, so the collector keeps what it read of them (per trial number)
// and re-reads only new trials: an ask at 10,000 trials copies numbers instead of walking
// 10,000 parameter maps.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <Eigen/Core>

#include "core/distribution.h"
#include "core/frozen_trial.h"
#include "core/study_view.h"

namespace hpo::tpe {

// The trials TPE sees for a list of params, in trial-number order.
struct Observations {
  int n_objectives = 1;
  int n_params = 0;
  // Lexicographic rank key per trial, smaller is better: (step_key, losses). COMPLETE trials
  // have step_key -inf; PRUNED ones -last_step (1 without intermediate values) and the last
  // intermediate value as loss (+inf if NaN); RUNNING ones (constant liar) +inf and +inf.
  // Losses are signed so that smaller is better for every direction.
  std::vector<double> step_keys;
  std::vector<double> losses;  // n_trials x n_objectives, row-major
  // n_trials x n_params, row-major, in the estimator's space (to_estimator_space); NaN where a
  // trial lacks one.
  std::vector<double> values;
  int n_finished = 0;          // COMPLETE and PRUNED trials
  // With one param: the trials with a value, in order of (value, trial number). Kept up to date
  // across asks by the cache, so that univariate TPE need not sort thousands of values per ask.
  std::vector<int> rows_by_value;

  int size() const { return static_cast<int>(step_keys.size()); }
  double value(int trial, int param) const { return values[trial * n_params + param]; }
};

// True if a trial's internal value may stand for a draw from `d`: inside the numeric range, or
// for categoricals from the very same choices (`trial_distribution`, the trial's own).
bool usable_value(const Distribution& d, const Distribution* trial_distribution, double internal);

// A param's internal value in the estimator's space: log params as their logs.
double to_estimator_space(const Distribution& d, double internal);

// Trial `t`'s param `name` in the estimator's space, or NaN where it has none usable for `d`.
double param_value(const FrozenTrial& t, const std::string& name, const Distribution& d);

// Trial `t`'s rank key as Observations holds it (step_key, and one loss per objective), with
// `signs` +1 for each minimized objective and -1 for each maximized one. False for trials TPE
// leaves out: FAIL and WAITING ones, COMPLETE ones with another number of values, and PRUNED and
// RUNNING ones in multi-objective studies.
bool rank_key(const FrozenTrial& t, const std::vector<double>& signs, double* step_key,
              double* losses);

// The n_below best single-objective trials and the rest, each in trial-number order. Ties keep
// trial-number order.
void split_single_objective(const Observations& obs, int n_below, std::vector<int>& below,
                            std::vector<int>& above);

struct JointSplitOptions {
  bool constant_liar = true;
  // Below this many finished trials the split is left out (ok, with n_finished only).
  int n_startup_trials = 0;
  std::function<int(int)> gamma;  // n_below from n_finished; required
  // False: x_above may be left out (null) when the above side changed by rows joining and
  // leaving (above_parent_id set), for a consumer that follows the changes. Gathering it costs
  // a copy of every row per ask.
  bool above_matrix = true;
};

// A single-objective below/above split ready for the two Parzen estimators: the complete rows
// (every param present) of each side in trial-number order, n x n_params. The matrices are
// immutable once returned; an id changes whenever its side's content may have changed, so that
// an estimator built for an id stays valid for it.
struct JointSplit {
  bool ok = false;  // false: the split is not available this way (see StudyCache::joint_split)
  int n_finished = 0;
  bool started = false;  // n_finished >= n_startup_trials: the fields below are set
  uint64_t below_id = 0;
  uint64_t above_id = 0;
  std::shared_ptr<const Eigen::MatrixXd> x_below;
  std::shared_ptr<const Eigen::MatrixXd> x_above;
  // The trial number of each row of x_above (running trials' too, with constant liar), ascending.
  std::shared_ptr<const std::vector<int>> above_numbers;
  // How x_above came from an earlier result's, for a consumer that follows the changes
  // (KeptAboveEstimator): the trials in above_joined joined the rows of the result whose
  // above_id is above_parent_id and those in above_left left them. 0 when x_above was gathered
  // afresh.
  uint64_t above_parent_id = 0;
  std::shared_ptr<const std::vector<int>> above_joined;
  std::shared_ptr<const std::vector<int>> above_left;
  // The rows of the trials in above_joined, in that order (n_joined x n_params).
  std::shared_ptr<const Eigen::MatrixXd> above_joined_rows;
};

struct ParamListCache;

// Per-study caches of what the sampler has read; thread-safe.
class StudyCache {
 public:
  StudyCache();
  ~StudyCache();

  // The observations for `names` with their current `distributions`, leaving out the trial
  // `exclude_trial_id` (the one being sampled). A trial's value counts only if it lies in the
  // current distribution's range (for categoricals: the trial used the same choices).
  // Multi-objective studies see COMPLETE trials only, as in Optuna.
  Observations collect(const StudyView& study, int64_t exclude_trial_id,
                       const std::vector<std::string>& names,
                       const std::vector<Distribution>& distributions, bool constant_liar);

  // collect + split_single_objective(n_below = gamma(n_finished)) + the complete rows of each
  // side, kept across calls: when the rows are those of the last call (trials that failed
  // meanwhile, another ask of the same state) it returns the last result in O(new trials), and
  // otherwise rebuilds only the side whose rows changed. For a single-objective study's view
  // that shows every trial, with two or more params (else ok = false); ok = false also when a
  // trial's rank key holds a NaN (Study refuses NaN values; the check keeps the split exact
  // whatever a storage holds, as the partial sort's order is then no ranking a cache can keep).
  JointSplit joint_split(const StudyView& study, int64_t exclude_trial_id,
                         const std::vector<std::string>& names,
                         const std::vector<Distribution>& distributions,
                         const JointSplitOptions& options);

  // split_single_objective, remembering the last split: univariate TPE splits the same trials
  // once per param of an ask, and the rank keys decide the split alone.
  void split(const Observations& obs, int n_below, std::vector<int>& below,
             std::vector<int>& above);

  // The params every COMPLETE or PRUNED trial has with one distribution, single-value
  // distributions dropped (Optuna's IntersectionSearchSpace(include_pruned=True)).
  SearchSpace intersection_space(const StudyView& study);

  // The COMPLETE and PRUNED trials' params decomposed into disjoint groups that always appear
  // together (Optuna's _GroupDecomposedSearchSpace(include_pruned=True)); each group's
  // distributions are those first seen.
  std::vector<SearchSpace> group_spaces(const StudyView& study);

 private:
  struct PerStudy;
  PerStudy& per_study(const StudyView& study);  // REQUIRES: mutex_ held
  // The first trial number collect and joint_split read for the list `key` (the one before its
  // settled trials, or 0).
  int64_t first_to_read(const StudyView& study, const std::string& key,
                        const std::vector<Distribution>& distributions);
  // The list's cache, started afresh when its distributions changed or the trials before
  // `first` are no longer the cached ones (then `first` = 0 and `trials` all trials).
  // REQUIRES: mutex_ held.
  ParamListCache& list_cache(const StudyView& study, const std::string& key,
                             const std::vector<Distribution>& distributions, int64_t& first,
                             Trials& trials);

  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<PerStudy>> studies_;
  struct LastSplit {
    int n_below = -1;
    std::vector<double> step_keys, losses;
    std::vector<int> below, above;
  } last_split_;
};

}  // namespace hpo::tpe
