// StudyCache::joint_split: the multivariate sampler's below/above matrices, kept across asks.
//
// What an ask sees is the cached finished rows (minus the asking trial) plus the running ones
// (constant liar). The cache marks when a finished row is added, replaced or dropped, so an ask
// that sees the rows the last one saw (trials failed meanwhile) knows it in O(new trials) and
// returns the matrices and ids it returned then; the estimators for those ids are still cached.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <utility>

#include "samplers/tpe/observations.h"
#include "samplers/tpe/param_list_cache.h"

namespace hpo::tpe {
namespace {

// Rows are encoded as their trial number when cached, or -1 - i for unfinished row i.
int number_of(int row, const std::vector<UnfinishedRow>& unfinished) {
  return row >= 0 ? row : unfinished[static_cast<size_t>(-1 - row)].number;
}

// The rows as an n x p matrix (column-major, as Eigen's), one row after another.
std::shared_ptr<const Eigen::MatrixXd> gather(const ParamListCache& cache,
                                              const std::vector<int>& rows,
                                              const std::vector<UnfinishedRow>& unfinished,
                                              int p) {
  const Eigen::Index n = static_cast<Eigen::Index>(rows.size());
  auto m = std::make_shared<Eigen::MatrixXd>(n, p);
  double* out = m->data();
  for (Eigen::Index r = 0; r < n; ++r) {
    const int row = rows[static_cast<size_t>(r)];
    const double* src = row >= 0 ? cache.values.data() + static_cast<size_t>(row) * p
                                 : unfinished[static_cast<size_t>(-1 - row)].values.data();
    for (int j = 0; j < p; ++j) out[j * n + r] = src[j];
  }
  return m;
}

bool any_unfinished(const std::vector<int>& rows) {
  return std::any_of(rows.begin(), rows.end(), [](int row) { return row < 0; });
}

}  // namespace

JointSplit StudyCache::joint_split(const StudyView& study, int64_t exclude_trial_id,
                                   const std::vector<std::string>& names,
                                   const std::vector<Distribution>& distributions,
                                   const JointSplitOptions& options) {
  constexpr int k = 1;
  const int p = static_cast<int>(names.size());
  if (study.directions().size() != 1 || study.filtered() || p < 2) return {};
  const StateMask states = options.constant_liar
                               ? StateMask{TrialState::kComplete, TrialState::kPruned,
                                           TrialState::kRunning}
                               : StateMask{TrialState::kComplete, TrialState::kPruned};
  std::string key;
  for (const std::string& n : names) (key += n) += '\n';
  int64_t first = first_to_read(study, key, distributions);
  Trials trials = study.get_trials_from(first);
  const std::vector<double> signs = {
      study.directions()[0] == StudyDirection::kMinimize ? 1.0 : -1.0};
  auto read = [&](const FrozenTrial& t, double* step_key, double* losses, double* values) {
    if (!rank_key(t, signs, step_key, losses)) return false;
    for (int j = 0; j < p; ++j) values[j] = param_value(t, names[j], distributions[j]);
    return true;
  };

  std::lock_guard<std::mutex> lock(mutex_);
  ParamListCache& cache = list_cache(study, key, distributions, first, trials);
  size_t n_numbers = static_cast<size_t>(first);
  for (const TrialPtr& tp : trials) {
    n_numbers = std::max(n_numbers, static_cast<size_t>(tp->number) + 1);
  }
  grow_numbers(cache, n_numbers, k, p);

  // Finished trials into the cache (as collect does), running ones into `unfinished`.
  std::vector<UnfinishedRow> unfinished;
  std::vector<double> scratch(1 + k + p);
  int64_t excluded = -1;  // the number of the cached row of the asking trial, if any
  bool excluded_seen = false;
  for (const TrialPtr& tp : trials) {
    const FrozenTrial& t = *tp;
    const size_t num = static_cast<size_t>(t.number);
    if (t.trial_id == exclude_trial_id) {
      excluded_seen = true;
      if (cache.trial_ids[num] == t.trial_id && cache.included[num]) excluded = t.number;
      continue;
    }
    if (is_finished(t.state)) {
      store_finished(cache, t, k, p, read);
      continue;
    }
    // A trial cached under this number earlier is another one (a study made again under the
    // same id and name): collect ignores it from `first` on, so the split does too.
    drop_cached(cache, num, k);
    if (!states.has(t.state) || !read(t, &scratch[0], &scratch[1], &scratch[1 + k])) continue;
    UnfinishedRow row;
    row.number = static_cast<int>(t.number);
    row.values.assign(scratch.begin() + 1 + k, scratch.end());
    row.complete = std::none_of(row.values.begin(), row.values.end(),
                                [](double v) { return std::isnan(v); });
    unfinished.push_back(std::move(row));
  }
  advance_settled(cache, trials, first);
  if (!excluded_seen) {
    // Trial ids are unique: the asking trial can only be cached below `first`.
    for (size_t num = 0; num < static_cast<size_t>(first); ++num) {
      if (cache.trial_ids[num] == exclude_trial_id && cache.included[num]) {
        excluded = static_cast<int64_t>(num);
        break;
      }
    }
  }

  JointSplit result;
  result.ok = cache.n_nan_keys == 0;
  result.n_finished = cache.n_included - (excluded >= 0 ? 1 : 0);
  if (!result.ok || result.n_finished < options.n_startup_trials) return result;
  result.started = true;
  const int n_below = options.gamma(result.n_finished);

  JointState& js = cache.joint;
  const bool same_rows = js.valid && !cache.rows_changed && js.n_dropped == cache.n_dropped &&
                         js.excluded_number == excluded && js.unfinished == unfinished;
  if (same_rows && js.n_below == n_below) return js.result;

  // The split of split_single_objective: finished rows rank before running ones (step key
  // +inf), which tie among themselves and go by trial number.
  const int n_rows = result.n_finished + static_cast<int>(unfinished.size());
  const int nb = std::clamp(n_below, 0, n_rows);
  std::vector<int> below;
  below.reserve(static_cast<size_t>(nb));
  for (const RankedRow& ranked : cache.ranked) {
    if (static_cast<int>(below.size()) == nb) break;
    const int num = std::get<2>(ranked);
    if (num != excluded) below.push_back(num);
  }
  for (size_t i = 0; static_cast<int>(below.size()) < nb && i < unfinished.size(); ++i) {
    below.push_back(-1 - static_cast<int>(i));
  }
  std::sort(below.begin(), below.end(), [&](int a, int b) {
    return number_of(a, unfinished) < number_of(b, unfinished);
  });

  // Every row in trial-number order: the below ones go to their side, the complete rest above.
  std::vector<int> kept_below, kept_above;
  kept_below.reserve(below.size());
  kept_above.reserve(static_cast<size_t>(n_rows) - below.size());
  size_t next_below = 0, next_unfinished = 0;
  for (size_t num = 0; num < cache.trial_ids.size(); ++num) {
    int row;
    bool complete;
    if (next_unfinished < unfinished.size() &&
        unfinished[next_unfinished].number == static_cast<int>(num)) {
      row = -1 - static_cast<int>(next_unfinished);
      complete = unfinished[next_unfinished].complete;
      ++next_unfinished;
    } else if (cache.included[num] && static_cast<int64_t>(num) != excluded) {
      row = static_cast<int>(num);
      complete = cache.complete[num] != 0;
    } else {
      continue;
    }
    const bool is_below = next_below < below.size() && below[next_below] == row;
    if (is_below) ++next_below;
    if (complete) (is_below ? kept_below : kept_above).push_back(row);
  }

  // A side whose rows are the same cached trials as before has the same matrix.
  const bool same_cached = js.valid && js.n_dropped == cache.n_dropped;
  result.x_below = js.result.x_below;
  result.below_id = js.result.below_id;
  const bool below_unfinished = any_unfinished(kept_below);
  if (!same_cached || below_unfinished || js.below_has_unfinished ||
      kept_below != js.below_numbers) {
    result.x_below = gather(cache, kept_below, unfinished, p);
    result.below_id = next_content_id();
  }
  result.x_above = js.result.x_above;
  result.above_id = js.result.above_id;
  const bool above_unfinished = any_unfinished(kept_above);
  if (!same_cached || above_unfinished || js.above_has_unfinished ||
      kept_above != js.above_numbers) {
    result.x_above = gather(cache, kept_above, unfinished, p);
    result.above_id = next_content_id();
  }

  js.valid = true;
  js.n_below = n_below;
  js.excluded_number = excluded;
  js.n_dropped = cache.n_dropped;
  js.unfinished = std::move(unfinished);
  js.below_numbers = std::move(kept_below);
  js.above_numbers = std::move(kept_above);
  js.below_has_unfinished = below_unfinished;
  js.above_has_unfinished = above_unfinished;
  js.result = result;
  cache.rows_changed = false;
  return result;
}

}  // namespace hpo::tpe
