// StudyCache::joint_split: the multivariate sampler's below/above matrices, kept across asks.
//
// What an ask sees is the cached finished rows (minus the asking trial) plus the running ones
// (constant liar). The cache marks when a finished row is added, replaced or dropped, so an ask
// that sees the rows the last one saw (trials failed meanwhile) knows it in O(new trials) and
// returns the matrices and ids it returned then; the estimators for those ids are still cached.
#include <algorithm>
#include <cmath>
#include <iterator>
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

// The rows of `numbers` (cached rows, ascending) as a matrix, copied from `old` (whose rows are
// `old_numbers`, ascending) where it has them: runs of rows that follow each other in both are
// one copy per column.
std::shared_ptr<const Eigen::MatrixXd> regather(const Eigen::MatrixXd& old,
                                                const std::vector<int>& old_numbers,
                                                const std::vector<int>& numbers,
                                                const ParamListCache& cache, int p) {
  struct Run {
    Eigen::Index to, from, length;  // from = -1: one row from the cache
  };
  std::vector<Run> runs;
  size_t o = 0;
  for (size_t i = 0; i < numbers.size(); ++i) {
    while (o < old_numbers.size() && old_numbers[o] < numbers[i]) ++o;
    const Eigen::Index to = static_cast<Eigen::Index>(i);
    if (o < old_numbers.size() && old_numbers[o] == numbers[i]) {
      const Eigen::Index from = static_cast<Eigen::Index>(o);
      if (!runs.empty() && runs.back().from >= 0 &&
          runs.back().from + runs.back().length == from &&
          runs.back().to + runs.back().length == to) {
        ++runs.back().length;
      } else {
        runs.push_back({to, from, 1});
      }
    } else {
      runs.push_back({to, -1, 1});
    }
  }
  const Eigen::Index n = static_cast<Eigen::Index>(numbers.size());
  auto m = std::make_shared<Eigen::MatrixXd>(n, p);
  for (int j = 0; j < p; ++j) {
    double* out = m->data() + j * n;
    const double* in = old.data() + j * old.rows();
    for (const Run& r : runs) {
      if (r.from >= 0) {
        std::copy(in + r.from, in + r.from + r.length, out + r.to);
      } else {
        out[r.to] = cache.values[static_cast<size_t>(numbers[static_cast<size_t>(r.to)]) * p + j];
      }
    }
  }
  return m;
}

// The complete above rows in trial-number order, from every row.
template <class Complete>
std::vector<int> all_above(const ParamListCache& cache,
                           const std::vector<UnfinishedRow>& unfinished, int64_t excluded,
                           const std::vector<int>& below, int n_rows, const Complete& complete) {
  std::vector<int> above;
  above.reserve(static_cast<size_t>(n_rows) - below.size());
  size_t next_below = 0, next_unfinished = 0;
  for (size_t num = 0; num < cache.trial_ids.size(); ++num) {
    int row;
    if (next_unfinished < unfinished.size() &&
        unfinished[next_unfinished].number == static_cast<int>(num)) {
      row = -1 - static_cast<int>(next_unfinished);
      ++next_unfinished;
    } else if (cache.included[num] && static_cast<int64_t>(num) != excluded) {
      row = static_cast<int>(num);
    } else {
      continue;
    }
    if (next_below < below.size() && below[next_below] == row) {
      ++next_below;
    } else if (complete(row)) {
      above.push_back(row);
    }
  }
  return above;
}

// The complete above rows in trial-number order, from the last build's (see `incremental` in
// joint_split): `below` is the new below side, `fresh` the rows added since. All rows cached.
template <class Complete>
std::vector<int> updated_above(const JointState& js, const std::vector<int>& below,
                               std::vector<int> fresh, const Complete& complete) {
  std::sort(fresh.begin(), fresh.end());
  auto has = [](const std::vector<int>& sorted, int row) {
    return std::binary_search(sorted.begin(), sorted.end(), row);
  };
  std::vector<int> add, remove;
  for (int row : js.below_all) {
    if (!has(below, row) && complete(row)) add.push_back(row);
  }
  for (int row : fresh) {
    if (!has(below, row) && complete(row)) add.push_back(row);
  }
  for (int row : below) {
    if (!has(js.below_all, row) && !has(fresh, row) && complete(row)) remove.push_back(row);
  }
  std::sort(add.begin(), add.end());
  std::vector<int> above;
  above.reserve(js.above_numbers.size() + add.size());
  auto next_add = add.begin();
  for (int row : js.above_numbers) {
    if (has(remove, row)) continue;
    for (; next_add != add.end() && *next_add < row; ++next_add) above.push_back(*next_add);
    above.push_back(row);
  }
  above.insert(above.end(), next_add, add.end());
  return above;
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
  if (same_rows && js.n_below == n_below) {
    if (options.above_matrix && !js.result.x_above) {
      js.result.x_above = gather(cache, js.above_numbers, js.unfinished, p);
    }
    return js.result;
  }

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

  auto complete = [&](int row) {
    return row >= 0 ? cache.complete[static_cast<size_t>(row)] != 0
                    : unfinished[static_cast<size_t>(-1 - row)].complete;
  };
  std::vector<int> kept_below;
  kept_below.reserve(below.size());
  for (int row : below) {
    if (complete(row)) kept_below.push_back(row);
  }
  // Since the last build only finished rows were added (no running rows then or now, the same
  // asking trial, nothing dropped): the above side is the last one with the rows that left the
  // below side and the new ones added, and those that entered it taken out.
  const bool incremental = js.valid && js.n_dropped == cache.n_dropped &&
                           js.excluded_number == excluded && unfinished.empty() &&
                           js.unfinished.empty() && !cache.fresh_overflow;
  std::vector<int> kept_above =
      incremental ? updated_above(js, below, cache.fresh, complete)
                  : all_above(cache, unfinished, excluded, below, n_rows, complete);

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
  result.above_numbers = js.result.above_numbers;
  result.above_id = js.result.above_id;
  result.above_parent_id = js.result.above_parent_id;
  result.above_joined = js.result.above_joined;
  result.above_left = js.result.above_left;
  result.above_joined_rows = js.result.above_joined_rows;
  const bool above_unfinished = any_unfinished(kept_above);
  if (!same_cached || above_unfinished || js.above_has_unfinished ||
      kept_above != js.above_numbers) {
    result.above_parent_id = 0;
    if (incremental) {
      result.x_above = nullptr;
      if (options.above_matrix) {
        result.x_above = js.result.x_above
                             ? regather(*js.result.x_above, js.above_numbers, kept_above, cache, p)
                             : gather(cache, kept_above, unfinished, p);
      }
      auto joined = std::make_shared<std::vector<int>>();
      auto left = std::make_shared<std::vector<int>>();
      std::set_difference(kept_above.begin(), kept_above.end(), js.above_numbers.begin(),
                          js.above_numbers.end(), std::back_inserter(*joined));
      std::set_difference(js.above_numbers.begin(), js.above_numbers.end(), kept_above.begin(),
                          kept_above.end(), std::back_inserter(*left));
      result.above_parent_id = js.result.above_id;
      result.above_joined_rows = gather(cache, *joined, unfinished, p);
      result.above_joined = std::move(joined);
      result.above_left = std::move(left);
    } else {
      result.x_above = gather(cache, kept_above, unfinished, p);
    }
    // Trial numbers, running trials' included (kept_above codes those as -1 - i).
    auto numbers = std::make_shared<std::vector<int>>(kept_above.size());
    for (size_t i = 0; i < kept_above.size(); ++i) {
      (*numbers)[i] = number_of(kept_above[i], unfinished);
    }
    result.above_numbers = std::move(numbers);
    result.above_id = next_content_id();
  }

  if (options.above_matrix && !result.x_above) {
    result.x_above = gather(cache, kept_above, unfinished, p);
  }

  js.valid = true;
  js.n_below = n_below;
  js.excluded_number = excluded;
  js.n_dropped = cache.n_dropped;
  js.unfinished = std::move(unfinished);
  js.below_all = std::move(below);
  js.below_numbers = std::move(kept_below);
  js.above_numbers = std::move(kept_above);
  js.below_has_unfinished = below_unfinished;
  js.above_has_unfinished = above_unfinished;
  js.result = result;
  cache.rows_changed = false;
  cache.fresh.clear();
  cache.fresh_overflow = false;
  return result;
}

}  // namespace hpo::tpe
