#include "samplers/tpe/observations.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <set>
#include <tuple>
#include <utility>

#include "core/search_space.h"
#include "samplers/tpe/param_list_cache.h"

namespace hpo::tpe {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Define-by-run studies may ask for many different param lists; past this many the cache of
// one study starts afresh rather than growing without bound.
constexpr size_t kMaxCachedParamLists = 256;

template <class T>
void grow(std::vector<T>& v, size_t n, T fill) {
  if (v.size() < n) v.resize(n, fill);
}

}  // namespace

bool usable_value(const Distribution& d, const Distribution* trial_distribution, double internal) {
  if (std::isnan(internal)) return false;
  if (const auto* f = std::get_if<FloatDistribution>(&d)) {
    return internal >= f->low && internal <= f->high;
  }
  if (const auto* i = std::get_if<IntDistribution>(&d)) {
    return internal >= static_cast<double>(i->low) && internal <= static_cast<double>(i->high);
  }
  return trial_distribution != nullptr && *trial_distribution == d;
}

bool rank_key(const FrozenTrial& t, const std::vector<double>& signs, double* step_key,
              double* losses) {
  const int k = static_cast<int>(signs.size());
  const bool multi = k > 1;
  switch (t.state) {
    case TrialState::kComplete:
      if (static_cast<int>(t.values.size()) != k) return false;
      *step_key = -kInf;
      for (int j = 0; j < k; ++j) losses[j] = signs[j] * t.values[j];
      return true;
    case TrialState::kPruned:
      if (multi) return false;
      if (t.intermediate_values.empty()) {
        *step_key = 1.0;
        losses[0] = 0.0;
      } else {
        const auto& [step, v] = *t.intermediate_values.rbegin();
        *step_key = -static_cast<double>(step);
        losses[0] = std::isnan(v) ? kInf : signs[0] * v;
      }
      return true;
    case TrialState::kRunning:
      if (multi) return false;
      *step_key = kInf;
      losses[0] = kInf;
      return true;
    default:
      return false;
  }
}

double param_value(const FrozenTrial& t, const std::string& name, const Distribution& d) {
  auto it = t.params.find(name);
  if (it == t.params.end()) return kNaN;
  auto dit = t.distributions.find(name);
  const Distribution* td = dit == t.distributions.end() ? nullptr : &dit->second;
  return usable_value(d, td, it->second) ? to_estimator_space(d, it->second) : kNaN;
}

double to_estimator_space(const Distribution& d, double internal) {
  bool log = false;
  if (const auto* f = std::get_if<FloatDistribution>(&d)) log = f->log;
  if (const auto* i = std::get_if<IntDistribution>(&d)) log = i->log;
  // Cached per trial by StudyCache, so each finished trial's log is taken once, not per ask.
  return log ? std::log(internal) : internal;
}

void split_single_objective(const Observations& obs, int n_below, std::vector<int>& below,
                            std::vector<int>& above) {
  const int n = obs.size();
  n_below = std::clamp(n_below, 0, n);
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Only the n_below best need ordering: O(n log n_below) instead of a full sort.
  std::partial_sort(order.begin(), order.begin() + n_below, order.end(), [&](int a, int b) {
    const int k = obs.n_objectives;
    if (obs.step_keys[a] != obs.step_keys[b]) return obs.step_keys[a] < obs.step_keys[b];
    if (obs.losses[a * k] != obs.losses[b * k]) return obs.losses[a * k] < obs.losses[b * k];
    return a < b;
  });
  std::vector<char> is_below(n, 0);
  for (int i = 0; i < n_below; ++i) is_below[order[i]] = 1;
  below.clear();
  above.clear();
  for (int i = 0; i < n; ++i) (is_below[i] ? below : above).push_back(i);
}

void StudyCache::split(const Observations& obs, int n_below, std::vector<int>& below,
                       std::vector<int>& above) {
  // Bitwise comparison: the same bits mean the same order (and NaN compares equal to itself).
  auto same = [](const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
  };
  std::lock_guard<std::mutex> lock(mutex_);
  LastSplit& last = last_split_;
  if (last.n_below != n_below || !same(last.step_keys, obs.step_keys) ||
      !same(last.losses, obs.losses)) {
    split_single_objective(obs, n_below, last.below, last.above);
    last.n_below = n_below;
    last.step_keys = obs.step_keys;
    last.losses = obs.losses;
  }
  below = last.below;
  above = last.above;
}

StudyCache::StudyCache() = default;
StudyCache::~StudyCache() = default;

StudyCache::PerStudy& StudyCache::per_study(const StudyView& study) {
  const std::string key = std::to_string(study.study_id()) + '/' + study.study_name();
  auto& slot = studies_[key];
  if (!slot) slot = std::make_unique<PerStudy>();
  return *slot;
}

int64_t StudyCache::first_to_read(const StudyView& study, const std::string& key,
                                  const std::vector<Distribution>& distributions) {
  std::lock_guard<std::mutex> lock(mutex_);
  const PerStudy& ps = per_study(study);
  auto it = ps.lists.find(key);
  if (it == ps.lists.end() || it->second.distributions != distributions) return 0;
  return std::max<int64_t>(it->second.settled - 1, 0);
}

ParamListCache& StudyCache::list_cache(const StudyView& study, const std::string& key,
                                       const std::vector<Distribution>& distributions,
                                       int64_t& first, Trials& trials) {
  PerStudy& ps = per_study(study);
  if (ps.lists.size() > kMaxCachedParamLists && !ps.lists.contains(key)) ps.lists.clear();
  ParamListCache& cache = ps.lists[key];
  if (cache.distributions != distributions) cache = ParamListCache{distributions};
  if (first > 0) {
    // The trials below `first` must still be the cached ones: the list may have started afresh
    // meanwhile, or the study been made again under the same id and name (SQLite), whose trial
    // `first` then has another id. Read everything then (under the lock: a rare path).
    const bool same = cache.settled > first && !trials.empty() && trials[0]->number == first &&
                      cache.trial_ids[static_cast<size_t>(first)] == trials[0]->trial_id;
    if (!same) {
      cache = ParamListCache{distributions};
      first = 0;
      trials = study.get_trials_from(0);
    }
  }
  return cache;
}

Observations StudyCache::collect(const StudyView& study, int64_t exclude_trial_id,
                                 const std::vector<std::string>& names,
                                 const std::vector<Distribution>& distributions,
                                 bool constant_liar) {
  const std::vector<StudyDirection>& directions = study.directions();
  const int k = static_cast<int>(directions.size());
  const int p = static_cast<int>(names.size());
  const bool multi = k > 1;
  StateMask states = constant_liar && !multi
                         ? StateMask{TrialState::kComplete, TrialState::kPruned,
                                     TrialState::kRunning}
                         : StateMask{TrialState::kComplete, TrialState::kPruned};
  std::string key;
  for (const std::string& n : names) (key += n) += '\n';
  // Trials numbered below the list's `settled` are finished and cached: read from one before it
  // on (that one to check it is still the trial cached), in every state, to move `settled` on.
  // A filtered view hides trials the cache holds: it reads its trials in full.
  const bool from_settled = !study.filtered();
  int64_t first = from_settled ? first_to_read(study, key, distributions) : 0;
  Trials trials = from_settled ? study.get_trials_from(first) : study.get_trials(states);

  Observations obs;
  obs.n_objectives = k;
  obs.n_params = p;

  std::vector<double> signs(k);
  for (int j = 0; j < k; ++j) signs[j] = directions[j] == StudyDirection::kMinimize ? 1.0 : -1.0;

  // Reads one trial into (included, step key, losses, values).
  auto read = [&](const FrozenTrial& t, double* step_key, double* losses, double* values) {
    if (!rank_key(t, signs, step_key, losses)) return false;
    for (int j = 0; j < p; ++j) values[j] = param_value(t, names[j], distributions[j]);
    return true;
  };

  std::vector<double> scratch(1 + k + p);
  auto append = [&](const double* step_key, const double* losses, const double* values) {
    const size_t row = obs.step_keys.size();
    obs.step_keys.push_back(*step_key);
    std::copy(losses, losses + k, obs.losses.begin() + static_cast<std::ptrdiff_t>(row * k));
    std::copy(values, values + p, obs.values.begin() + static_cast<std::ptrdiff_t>(row * p));
  };

  std::lock_guard<std::mutex> lock(mutex_);
  ParamListCache& cache = list_cache(study, key, distributions, first, trials);

  // Rows are written in place into arrays sized for every trial (a vector insert per row costs
  // more than the copy), then cut to the rows written.
  const size_t max_rows = static_cast<size_t>(first) + trials.size();
  obs.step_keys.reserve(max_rows);
  obs.losses.resize(max_rows * k);
  obs.values.resize(max_rows * p);

  const bool track_order = p == 1;
  std::vector<std::pair<double, int>> fresh;     // finished trials read now: (value, number)
  std::vector<std::tuple<double, int, int>> unfinished;  // (value, number, row)
  std::vector<int> row_of_number;

  // Size the per-number arrays once rather than per trial.
  size_t n_numbers = static_cast<size_t>(first);
  for (const TrialPtr& tp : trials) {
    n_numbers = std::max(n_numbers, static_cast<size_t>(tp->number) + 1);
  }
  grow_numbers(cache, n_numbers, k, p);
  if (track_order) row_of_number.assign(n_numbers, -1);

  for (size_t num = 0; num < static_cast<size_t>(first); ++num) {
    if (!cache.included[num] || cache.trial_ids[num] == exclude_trial_id) continue;
    if (track_order) row_of_number[num] = obs.size();
    append(&cache.step_keys[num], cache.losses.data() + num * k, cache.values.data() + num * p);
  }
  for (const TrialPtr& tp : trials) {
    const FrozenTrial& t = *tp;
    // Read in every state from `first`: finished trials outside `states` (FAIL, and PRUNED in
    // multi-objective studies) are cached as left out, which is what read() makes of them.
    if (!states.has(t.state) && !is_finished(t.state)) continue;
    if (t.trial_id == exclude_trial_id) continue;
    if (!is_finished(t.state)) {
      if (read(t, &scratch[0], &scratch[1], &scratch[1 + k])) {
        if (track_order && !std::isnan(scratch[1 + k])) {
          unfinished.emplace_back(scratch[1 + k], static_cast<int>(t.number), obs.size());
        }
        append(&scratch[0], &scratch[1], &scratch[1 + k]);
      }
      continue;
    }
    const size_t num = static_cast<size_t>(t.number);
    double* step_key = &cache.step_keys[num];
    double* losses = cache.losses.data() + num * k;
    double* values = cache.values.data() + num * p;
    if (store_finished(cache, t, k, p, read) && track_order && cache.included[num] &&
        !std::isnan(values[0])) {
      fresh.emplace_back(values[0], static_cast<int>(num));
    }
    if (cache.included[num]) {
      if (track_order) row_of_number[num] = obs.size();
      append(step_key, losses, values);
    }
  }
  if (track_order) {
    std::vector<std::pair<double, int>>& by_value = cache.by_value;
    if (!cache.by_value_valid) {
      by_value.clear();
      for (size_t num = 0; num < cache.trial_ids.size(); ++num) {
        if (cache.trial_ids[num] != -1 && cache.included[num] && !std::isnan(cache.values[num])) {
          by_value.emplace_back(cache.values[num], static_cast<int>(num));
        }
      }
      std::sort(by_value.begin(), by_value.end());
      cache.by_value_valid = true;
    } else if (fresh.size() * 16 < by_value.size()) {
      // Usually one new trial per ask: an insertion each is cheaper than a sort.
      for (const auto& entry : fresh) {
        by_value.insert(std::lower_bound(by_value.begin(), by_value.end(), entry), entry);
      }
    } else {
      // The first read of a study, or many new trials: sort the new ones and merge.
      std::sort(fresh.begin(), fresh.end());
      const size_t old_size = by_value.size();
      by_value.insert(by_value.end(), fresh.begin(), fresh.end());
      std::inplace_merge(by_value.begin(), by_value.begin() + old_size, by_value.end());
    }
    std::sort(unfinished.begin(), unfinished.end());
    obs.rows_by_value.reserve(by_value.size() + unfinished.size());
    auto next = unfinished.begin();
    for (const auto& [v, num] : by_value) {
      const int row = static_cast<size_t>(num) < row_of_number.size() ? row_of_number[num] : -1;
      if (row < 0) continue;  // not among this call's trials
      for (; next != unfinished.end() && std::pair(std::get<0>(*next), std::get<1>(*next)) <
                                             std::pair(v, num);
           ++next) {
        obs.rows_by_value.push_back(std::get<2>(*next));
      }
      obs.rows_by_value.push_back(row);
    }
    for (; next != unfinished.end(); ++next) obs.rows_by_value.push_back(std::get<2>(*next));
  }
  if (from_settled) {
    // Past the finished trials cached now in a row from `first`.
    advance_settled(cache, trials, first);
  }
  obs.losses.resize(obs.step_keys.size() * k);
  obs.values.resize(obs.step_keys.size() * p);
  for (double s : obs.step_keys) obs.n_finished += s < kInf ? 1 : 0;
  return obs;
}

SearchSpace StudyCache::intersection_space(const StudyView& study) {
  int64_t settled = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    settled = per_study(study).intersection_settled;
  }
  // Trials numbered below `settled` are finished and already folded in: read only the rest,
  // in every state, to move `settled` past the trials that have finished since.
  const Trials trials = study.get_trials_from(settled);
  std::lock_guard<std::mutex> lock(mutex_);
  PerStudy& ps = per_study(study);
  Trials fresh;
  std::vector<char> finished;  // by number - settled
  for (const TrialPtr& t : trials) {
    if (t->number < settled) continue;
    const size_t offset = static_cast<size_t>(t->number - settled);
    grow(finished, offset + 1, char{0});
    finished[offset] = is_finished(t->state) ? 1 : 0;
    if (t->state != TrialState::kComplete && t->state != TrialState::kPruned) continue;
    const size_t num = static_cast<size_t>(t->number);
    grow(ps.in_intersection, num + 1, char{0});
    if (ps.in_intersection[num]) continue;
    ps.in_intersection[num] = 1;
    fresh.push_back(t);
  }
  int64_t next = settled;
  while (static_cast<size_t>(next - settled) < finished.size() && finished[next - settled]) ++next;
  ps.intersection_settled = std::max(ps.intersection_settled, next);
  // Intersection is associative: fold the new trials into what the earlier ones left.
  if (!fresh.empty()) {
    SearchSpace next = intersection_search_space(fresh);
    if (ps.intersection) {
      for (auto it = next.begin(); it != next.end();) {
        auto old = ps.intersection->find(it->first);
        it = old == ps.intersection->end() || !(old->second == it->second) ? next.erase(it)
                                                                            : std::next(it);
      }
    }
    ps.intersection = std::move(next);
  }
  return ps.intersection.value_or(SearchSpace{});
}

std::vector<SearchSpace> StudyCache::group_spaces(const StudyView& study) {
  const Trials trials = study.get_trials({TrialState::kComplete, TrialState::kPruned});
  std::lock_guard<std::mutex> lock(mutex_);
  PerStudy& ps = per_study(study);
  for (const TrialPtr& t : trials) {
    const size_t num = static_cast<size_t>(t->number);
    grow(ps.in_groups, num + 1, char{0});
    if (ps.in_groups[num]) continue;
    ps.in_groups[num] = 1;
    // Split every group into its part inside and outside this trial's params; what is left
    // of the trial's params forms a new group.
    std::set<std::string, std::less<>> rest;
    for (const auto& [name, d] : t->distributions) rest.insert(name);
    std::vector<SearchSpace> next;
    for (const SearchSpace& g : ps.groups) {
      SearchSpace inside, outside;
      for (const auto& [name, d] : g) {
        if (rest.erase(name) > 0) {
          inside.emplace(name, d);
        } else {
          outside.emplace(name, d);
        }
      }
      if (!inside.empty()) next.push_back(std::move(inside));
      if (!outside.empty()) next.push_back(std::move(outside));
    }
    SearchSpace fresh;
    for (const std::string& name : rest) fresh.emplace(name, t->distributions.find(name)->second);
    if (!fresh.empty()) next.push_back(std::move(fresh));
    ps.groups = std::move(next);
  }
  return ps.groups;
}

}  // namespace hpo::tpe
