#include "samplers/tpe/observations.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <utility>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "core/study.h"
#include "samplers/random_sampler.h"
#include "samplers/tpe/multi_objective.h"

namespace hpo::tpe {
namespace {

const Distribution kX = make_float_distribution(0.0, 10.0);

FrozenTrial finished(TrialState state, std::optional<double> x, std::vector<double> values,
                     std::map<int64_t, double> intermediate = {}) {
  FrozenTrial t;
  t.state = state;
  if (x) {
    t.params["x"] = *x;
    t.distributions["x"] = kX;
  }
  t.values = std::move(values);
  t.intermediate_values = std::move(intermediate);
  return t;
}

std::shared_ptr<Study> empty_study(std::vector<StudyDirection> directions = {
                                       StudyDirection::kMinimize}) {
  CreateStudyOptions create;
  create.sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{1});
  create.directions = std::move(directions);
  return Study::create(std::move(create));
}

TEST(ObservationsTest, PrunedTrialsRankAfterCompleteOnesByStepThenValue) {
  auto study = empty_study();
  study->add_trial(finished(TrialState::kPruned, 0.0, {}, {{1, 0.1}, {5, 9.0}}));   // 0
  study->add_trial(finished(TrialState::kComplete, 1.0, {5.0}));                    // 1
  study->add_trial(finished(TrialState::kPruned, 2.0, {}, {{2, 0.5}}));             // 2
  study->add_trial(finished(TrialState::kPruned, 3.0, {}, {{5, 3.0}}));             // 3
  study->add_trial(finished(TrialState::kFail, 4.0, {}));                          // ignored
  study->add_trial(finished(TrialState::kComplete, 5.0, {7.0}));                    // 5
  study->add_trial(finished(TrialState::kPruned, 6.0, {}, {{9, std::nan("")}}));    // 6
  study->add_trial(finished(TrialState::kPruned, 7.0, {}));                         // 7

  StudyCache cache;
  const Observations obs = cache.collect(*study, -1, {"x"}, {kX}, false);
  ASSERT_EQ(obs.size(), 7);
  EXPECT_EQ(obs.n_finished, 7);
  // Expected order: complete 1 (5.0), complete 5 (7.0), pruned at step 9 (NaN -> +inf),
  // pruned at step 5 with 3.0, then 9.0, pruned at step 2, pruned without values.
  const std::vector<double> best_first = {1.0, 5.0, 6.0, 3.0, 0.0, 2.0, 7.0};
  for (int n_below = 0; n_below <= 7; ++n_below) {
    std::vector<int> below, above;
    split_single_objective(obs, n_below, below, above);
    ASSERT_EQ(static_cast<int>(below.size()), n_below);
    ASSERT_EQ(below.size() + above.size(), 7u);
    std::set<double> expected(best_first.begin(), best_first.begin() + n_below);
    std::set<double> got;
    for (int i : below) got.insert(obs.value(i, 0));
    EXPECT_EQ(got, expected) << n_below;
    for (size_t i = 1; i < below.size(); ++i) EXPECT_LT(below[i - 1], below[i]);
    for (size_t i = 1; i < above.size(); ++i) EXPECT_LT(above[i - 1], above[i]);
  }
}

TEST(ObservationsTest, MaximizeFlipsTheSignAndMissingParamsAreNaN) {
  auto study = empty_study({StudyDirection::kMaximize});
  study->add_trial(finished(TrialState::kComplete, 1.0, {5.0}));
  study->add_trial(finished(TrialState::kComplete, std::nullopt, {9.0}));
  study->add_trial(finished(TrialState::kComplete, 11.0 - 1.0, {7.0}));
  StudyCache cache;
  for (int pass = 0; pass < 2; ++pass) {  // the second pass reads from the cache
    const Observations obs = cache.collect(*study, -1, {"x"}, {kX}, false);
    ASSERT_EQ(obs.size(), 3);
    EXPECT_EQ(obs.losses, (std::vector<double>{-5.0, -9.0, -7.0}));
    EXPECT_TRUE(std::isnan(obs.value(1, 0)));
    EXPECT_EQ(obs.value(2, 0), 10.0);
  }
  // A narrower distribution than the trials used leaves out-of-range values out.
  const Observations narrow =
      cache.collect(*study, -1, {"x"}, {make_float_distribution(0.0, 5.0)}, false);
  EXPECT_EQ(narrow.value(0, 0), 1.0);
  EXPECT_TRUE(std::isnan(narrow.value(2, 0)));
}

TEST(ObservationsTest, ConstantLiarAddsRunningTrialsAsWorstButNotTheAskingOne) {
  auto study = empty_study();
  study->add_trial(finished(TrialState::kComplete, 1.0, {5.0}));
  Trial running = study->ask();
  running.suggest_float("x", 0.0, 10.0);
  Trial asking = study->ask();
  StudyCache cache;
  const Observations with = cache.collect(*study, asking.trial_id(), {"x"}, {kX}, true);
  ASSERT_EQ(with.size(), 2);
  EXPECT_EQ(with.n_finished, 1);
  EXPECT_EQ(with.step_keys[1], std::numeric_limits<double>::infinity());
  EXPECT_EQ(with.losses[1], std::numeric_limits<double>::infinity());
  EXPECT_EQ(cache.collect(*study, asking.trial_id(), {"x"}, {kX}, false).size(), 1);
}

// The value order the cache keeps across asks: after every batch of new trials (ties, trials
// without the param, running trials with a value) it is the order of (value, trial number).
TEST(ObservationsTest, RowsByValueFollowValueThenTrialNumberAcrossCollects) {
  auto study = empty_study();
  StudyCache cache;
  std::mt19937_64 rng(3);
  // Large batches merge into the kept order, single trials are inserted into it.
  const std::vector<int> batch_sizes = {40, 40, 40, 1, 1, 3, 40, 1, 1};
  for (size_t batch = 0; batch < batch_sizes.size(); ++batch) {
    for (int i = 0; i < batch_sizes[batch]; ++i) {
      const int r = static_cast<int>(rng() % 10);
      // Many ties (values on a coarse grid), some trials without x, some pruned.
      const double x = static_cast<double>(rng() % 12) * 0.5;
      if (r == 0) {
        study->add_trial(finished(TrialState::kComplete, std::nullopt, {1.0 * i}));
      } else if (r == 1) {
        study->add_trial(finished(TrialState::kPruned, x, {}));
      } else {
        study->add_trial(finished(TrialState::kComplete, x, {1.0 * i}));
      }
    }
    Trial running = study->ask();
    running.suggest_float("x", 0.0, 10.0);
    Trial asking = study->ask();
    for (bool liar : {true, false}) {
      const Observations obs = cache.collect(*study, asking.trial_id(), {"x"}, {kX}, liar);
      std::vector<std::pair<double, int>> expected;  // (value, row): rows follow trial numbers
      for (int row = 0; row < obs.size(); ++row) {
        if (!std::isnan(obs.value(row, 0))) expected.emplace_back(obs.value(row, 0), row);
      }
      std::sort(expected.begin(), expected.end());
      ASSERT_EQ(obs.rows_by_value.size(), expected.size()) << batch << liar;
      for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(obs.rows_by_value[i], expected[i].second) << batch << liar << i;
      }
    }
    study->tell(running, TrialState::kFail);
    study->tell(asking, TrialState::kFail);
  }
}

TEST(ObservationsTest, SearchSpacesIntersectAndDecomposeIntoGroups) {
  auto study = empty_study();
  auto add = [&](std::vector<std::string> names) {
    FrozenTrial t = finished(TrialState::kComplete, std::nullopt, {1.0});
    for (const std::string& n : names) {
      t.params[n] = 0.5;
      t.distributions[n] = make_float_distribution(0.0, 1.0);
    }
    study->add_trial(t);
  };
  add({"a", "b", "c"});
  add({"a", "b", "d"});
  StudyCache cache;
  EXPECT_EQ(cache.intersection_space(*study).size(), 2u);  // a, b
  add({"a", "e"});
  const SearchSpace space = cache.intersection_space(*study);
  ASSERT_EQ(space.size(), 1u);
  EXPECT_TRUE(space.contains("a"));
  std::set<std::set<std::string>> groups;
  for (const SearchSpace& g : cache.group_spaces(*study)) {
    std::set<std::string> names;
    for (const auto& [n, d] : g) names.insert(n);
    groups.insert(names);
  }
  EXPECT_EQ(groups, (std::set<std::set<std::string>>{{"a"}, {"b"}, {"c"}, {"d"}, {"e"}}));
}

TEST(ObservationsTest, TheIntersectionTakesInTrialsThatFinishAfterLaterOnes) {
  auto study = empty_study();
  Trial early = study->ask();  // trial 0, finished last
  early.suggest_float("a", 0.0, 1.0);
  early.suggest_float("b", 0.0, 1.0);
  auto add = [&](TrialState state, std::vector<std::string> names) {
    FrozenTrial t = finished(state, std::nullopt, state == TrialState::kComplete
                                                      ? std::vector<double>{1.0}
                                                      : std::vector<double>{});
    for (const std::string& n : names) {
      t.params[n] = 0.5;
      t.distributions[n] = make_float_distribution(0.0, 1.0);
    }
    study->add_trial(t);
  };
  add(TrialState::kComplete, {"a", "b", "c"});
  add(TrialState::kFail, {"a"});
  add(TrialState::kComplete, {"a", "b", "c"});
  StudyCache cache;
  EXPECT_EQ(cache.intersection_space(*study).size(), 3u);  // a, b, c: trial 0 is running
  study->tell(early, 1.0);
  EXPECT_EQ(cache.intersection_space(*study).size(), 2u);  // a, b
  add(TrialState::kPruned, {"b", "c"});
  const SearchSpace space = cache.intersection_space(*study);
  ASSERT_EQ(space.size(), 1u);
  EXPECT_TRUE(space.contains("b"));
}

// Bitwise, so that NaN (a trial without the param) matches NaN.
bool same_doubles(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

TEST(ObservationsTest, ACacheThatSkipsSettledTrialsCollectsWhatAFreshOneDoes) {
  // The long-lived cache reads only from its first unfinished trial on; a fresh cache reads
  // every trial. Trials finish out of order, fail, get pruned, and lack the param.
  auto study = empty_study();
  StudyCache cache;
  std::vector<Trial> running;
  auto check = [&](int64_t exclude, bool liar) {
    StudyCache fresh;
    const Observations a = cache.collect(*study, exclude, {"x"}, {kX}, liar);
    const Observations b = fresh.collect(*study, exclude, {"x"}, {kX}, liar);
    EXPECT_TRUE(same_doubles(a.step_keys, b.step_keys));
    EXPECT_TRUE(same_doubles(a.losses, b.losses));
    EXPECT_TRUE(same_doubles(a.values, b.values));
    EXPECT_EQ(a.n_finished, b.n_finished);
    EXPECT_EQ(a.rows_by_value, b.rows_by_value);
    return a.size();
  };
  for (int i = 0; i < 4; ++i) study->add_trial(finished(TrialState::kComplete, i, {10.0 - i}));
  EXPECT_EQ(check(-1, true), 4);
  running.push_back(study->ask());  // 4
  running.back().suggest_float("x", 0.0, 10.0);
  running.push_back(study->ask());  // 5, no param yet
  study->add_trial(finished(TrialState::kComplete, 6.0, {1.0}));
  study->add_trial(finished(TrialState::kFail, 7.0, {}));
  study->add_trial(finished(TrialState::kPruned, 8.0, {}, {{3, 2.0}}));
  study->add_trial(finished(TrialState::kComplete, std::nullopt, {0.5}));
  EXPECT_EQ(check(-1, true), 9);   // 4 and 5 running, 7 failed
  EXPECT_EQ(check(running[1].trial_id(), true), 8);
  EXPECT_EQ(check(-1, false), 7);
  study->tell(running[0], 3.0);
  EXPECT_EQ(check(-1, true), 9);
  EXPECT_EQ(check(-1, false), 8);
  EXPECT_EQ(check(running[0].trial_id(), false), 7);
  study->tell(running[1], TrialState::kFail);
  for (int i = 0; i < 3; ++i) study->add_trial(finished(TrialState::kComplete, 9.0 - i, {2.0 + i}));
  EXPECT_EQ(check(-1, true), 11);
  EXPECT_EQ(check(-1, false), 11);
  EXPECT_EQ(check(running[0].trial_id(), true), 10);  // a settled trial left out
  EXPECT_EQ(check(-1, true), 11);
}

TEST(MultiObjectiveTest, HypervolumeAndNonDominatedSplit) {
  EXPECT_DOUBLE_EQ(hypervolume_2d({{1, 3}, {2, 2}, {3, 1}}, {4, 4}), 3 + 2 + 1);
  EXPECT_DOUBLE_EQ(hypervolume_2d({{1, 1}, {2, 2}}, {3, 3}), 4);  // (2,2) is dominated

  Observations obs;
  obs.n_objectives = 2;
  // Front 0: trials 1, 3, 4; front 1: trial 0 and 2; trial 5 is last.
  obs.losses = {2, 3, 1, 2, 3, 2, 2, 1, 0, 3, 4, 4};
  obs.step_keys.assign(6, -std::numeric_limits<double>::infinity());
  obs.n_finished = 6;
  std::vector<int> below, above;
  split_two_objective(obs, 3, below, above);
  EXPECT_EQ(below, (std::vector<int>{1, 3, 4}));
  EXPECT_EQ(above, (std::vector<int>{0, 2, 5}));
  split_two_objective(obs, 4, below, above);
  EXPECT_EQ(below.size(), 4u);
  EXPECT_EQ(above.back(), 5);
  // Greedy HSSP inside front 0: (1,2) covers the most alone.
  split_two_objective(obs, 1, below, above);
  EXPECT_EQ(below, (std::vector<int>{1}));

  const std::vector<double> w = two_objective_below_weights(obs, {1, 3, 4});
  ASSERT_EQ(w.size(), 3u);
  EXPECT_DOUBLE_EQ(*std::max_element(w.begin(), w.end()), 1.0);
  for (double v : w) EXPECT_GT(v, 0.0);
}

}  // namespace
}  // namespace hpo::tpe
