// What StudyCache keeps per study and per list of params (internal to observations.cc,
// joint_split.cc and param_list_cache.cc).
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "core/distribution.h"
#include "core/frozen_trial.h"
#include "core/study_view.h"
#include "samplers/tpe/observations.h"

namespace hpo::tpe {

// A finished trial's place in the single-objective ranking: (step_key, loss, trial number),
// the order split_single_objective gives rows in trial-number order.
using RankedRow = std::tuple<double, double, int>;

// A RUNNING trial's row as the last joint_split saw it (constant liar).
struct UnfinishedRow {
  int number = 0;
  std::vector<double> values;  // n_params, in the estimator's space
  bool complete = false;       // no NaN among values

  bool operator==(const UnfinishedRow& o) const;  // bitwise on values
};

// The last joint_split's result and what it was computed from.
struct JointState {
  bool valid = false;
  int n_below = -1;
  int64_t excluded_number = -1;  // the cached finished row left out as the asking trial
  uint64_t n_dropped = 0;         // ParamListCache::n_dropped then
  std::vector<UnfinishedRow> unfinished;
  std::vector<int> below_all;      // every below row, in trial-number order
  std::vector<int> below_numbers;  // kept below rows (complete), in trial-number order
  std::vector<int> above_numbers;  // kept above rows, likewise
  bool below_has_unfinished = false;
  bool above_has_unfinished = false;
  JointSplit result;
};

// What the cache holds for one list of params: per trial number, the finished trial's rank key
// and values, valid while the trial id matches.
struct ParamListCache {
  std::vector<Distribution> distributions;
  std::vector<int64_t> trial_ids;  // -1: not cached
  std::vector<char> included;      // the trial has a rank key (COMPLETE with values, or PRUNED)
  std::vector<char> complete;      // included and every value present (not NaN)
  std::vector<double> step_keys;
  std::vector<double> losses;
  std::vector<double> values;
  // One param only: (value, trial number) of the cached trials that are included and have a
  // value, sorted; rebuilt when a cached trial number is read again for another trial id.
  std::vector<std::pair<double, int>> by_value;
  bool by_value_valid = true;
  // Every trial numbered below this is finished and cached (unfiltered views only).
  int64_t settled = 0;

  // Single-objective: the included cached trials by rank; how many are included, and how many
  // of those have a NaN in their rank key (their order is not a ranking: joint_split declines).
  std::set<RankedRow> ranked;
  int n_included = 0;
  int n_nan_keys = 0;
  // Cached entries dropped so far: a trial number may then hold other values than before.
  uint64_t n_dropped = 0;
  // Set whenever an included row is cached, replaced or dropped: the rows joint_split saw last
  // may have changed.
  bool rows_changed = true;
  // The trial numbers of the included rows cached since joint_split last built its split, up
  // to kMaxFresh of them (past that, fresh_overflow: it rebuilds in full).
  static constexpr size_t kMaxFresh = 4096;
  std::vector<int> fresh;
  bool fresh_overflow = false;
  JointState joint;
};

struct StudyCache::PerStudy {
  std::unordered_map<std::string, ParamListCache> lists;
  std::vector<char> in_intersection;  // by trial number
  // Every trial numbered below this is finished and in in_intersection if COMPLETE or PRUNED.
  int64_t intersection_settled = 0;
  std::optional<SearchSpace> intersection;
  std::vector<char> in_groups;
  std::vector<SearchSpace> groups;
};

// Sizes the per-number arrays of `cache` for trial numbers below n_numbers.
void grow_numbers(ParamListCache& cache, size_t n_numbers, int k, int p);

// Reads the finished trial `t` into the cache unless it is cached already under its id. `read`
// fills (step key, losses, values) and returns whether the trial is included. Returns whether
// it read the trial.
template <class Read>
bool store_finished(ParamListCache& cache, const FrozenTrial& t, int k, int p, const Read& read);

// Drops the cached entry of trial number `num` (another trial holds the number now).
void drop_cached(ParamListCache& cache, size_t num, int k);

// Moves cache.settled past the finished trials cached in a row from `first` (`trials` are those
// numbered `first` or later, in order).
void advance_settled(ParamListCache& cache, const Trials& trials, int64_t first);

// The next id for a JointSplit's content; never 0, unique in the process.
uint64_t next_content_id();

// --- implementation ---

inline bool key_has_nan(const ParamListCache& cache, size_t num, int k) {
  if (std::isnan(cache.step_keys[num])) return true;
  for (int j = 0; j < k; ++j) {
    if (std::isnan(cache.losses[num * k + j])) return true;
  }
  return false;
}

template <class Read>
bool store_finished(ParamListCache& cache, const FrozenTrial& t, int k, int p, const Read& read) {
  const size_t num = static_cast<size_t>(t.number);
  if (cache.trial_ids[num] == t.trial_id) return false;
  drop_cached(cache, num, k);
  double* step_key = &cache.step_keys[num];
  double* losses = cache.losses.data() + num * k;
  double* values = cache.values.data() + num * p;
  const bool included = read(t, step_key, losses, values);
  cache.included[num] = included ? 1 : 0;
  cache.trial_ids[num] = t.trial_id;
  if (included) {
    bool complete = true;
    for (int j = 0; j < p; ++j) complete = complete && !std::isnan(values[j]);
    cache.complete[num] = complete ? 1 : 0;
    ++cache.n_included;
    if (key_has_nan(cache, num, k)) {
      ++cache.n_nan_keys;
    } else {
      cache.ranked.emplace(*step_key, losses[0], static_cast<int>(num));
    }
    cache.rows_changed = true;
    if (cache.fresh.size() < ParamListCache::kMaxFresh) {
      cache.fresh.push_back(static_cast<int>(num));
    } else {
      cache.fresh_overflow = true;
    }
  }
  return true;
}

}  // namespace hpo::tpe
