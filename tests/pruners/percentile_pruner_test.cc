#include "pruners/percentile_pruner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "pruners/median_pruner.h"
#include "tests/pruners/study_helpers.h"

namespace hpo {
namespace {

using testing::add_finished;
using testing::make_study;
using testing::run_curve;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

PercentilePrunerOptions no_startup() {
  PercentilePrunerOptions o;
  o.n_startup_trials = 0;
  return o;
}

TEST(LinearPercentileTest, MatchesNumpyNanpercentile) {
  // Values printed by numpy 1.24's nanpercentile, repr() digits.
  EXPECT_EQ(linear_percentile({1.0, 2.0, 4.0, 8.0}, 25), 1.75);
  EXPECT_EQ(linear_percentile({1.0, 2.0, 4.0, 8.0}, 75), 5.0);
  EXPECT_EQ(linear_percentile({0.1, 0.2, 0.7}, 10), 0.12000000000000001);
  EXPECT_EQ(linear_percentile({0.1, 0.2, 0.7}, 90), 0.6);
  EXPECT_EQ(linear_percentile({3.0}, 50), 3.0);
  EXPECT_EQ(linear_percentile({1.0, 2.0}, 100), 2.0);
  EXPECT_EQ(linear_percentile({1.0, 2.0}, 0), 1.0);
  EXPECT_TRUE(std::isnan(linear_percentile({}, 50)));
}

TEST(PercentilePrunerTest, RejectsBadOptionsNamingTheValue) {
  auto message = [](auto make) {
    try {
      make();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_NE(message([] { PercentilePruner(-1.0); }).find("-1"), std::string::npos);
  EXPECT_NE(message([] { PercentilePruner(100.5); }).find("100.5"), std::string::npos);
  EXPECT_THROW(PercentilePruner{kNaN}, std::invalid_argument);
  PercentilePrunerOptions o;
  o.n_startup_trials = -2;
  EXPECT_NE(message([&] { PercentilePruner(50, o); }).find("-2"), std::string::npos);
  o = {};
  o.n_warmup_steps = -3;
  EXPECT_NE(message([&] { PercentilePruner(50, o); }).find("-3"), std::string::npos);
  o = {};
  o.interval_steps = 0;
  EXPECT_NE(message([&] { PercentilePruner(50, o); }).find("interval_steps"), std::string::npos);
  o = {};
  o.n_min_trials = 0;
  EXPECT_NE(message([&] { PercentilePruner(50, o); }).find("n_min_trials"), std::string::npos);
}

TEST(PercentilePrunerTest, PrunesAboveTheMedianWhenMinimizing) {
  auto study = make_study(std::make_shared<MedianPruner>(no_startup()));
  add_finished(*study, {{0, 1.0}}, 1.0);
  add_finished(*study, {{0, 3.0}}, 3.0);  // median at step 0: 2.0

  Trial worse = study->ask();
  EXPECT_EQ(run_curve(worse, {{0, 2.5}}), 0);
  Trial better = study->ask();
  EXPECT_EQ(run_curve(better, {{0, 1.5}}), std::nullopt);
  Trial equal = study->ask();
  EXPECT_EQ(run_curve(equal, {{0, 2.0}}), std::nullopt);  // strictly worse is pruned
}

TEST(PercentilePrunerTest, MaximizeKeepsTheTopPercentile) {
  // 25th percentile, maximizing: a trial must beat the 75th percentile of the values.
  auto study = make_study(std::make_shared<PercentilePruner>(25.0, no_startup()),
                          StudyDirection::kMaximize);
  for (double v : {1.0, 2.0, 4.0, 8.0}) add_finished(*study, {{0, v}}, v);  // 75th: 5.0
  Trial low = study->ask();
  EXPECT_EQ(run_curve(low, {{0, 4.9}}), 0);
  Trial high = study->ask();
  EXPECT_EQ(run_curve(high, {{0, 5.0}}), std::nullopt);
}

TEST(PercentilePrunerTest, UsesTheBestValueOverAllStepsSoFar) {
  auto study = make_study(std::make_shared<MedianPruner>(no_startup()));
  add_finished(*study, {{0, 1.0}, {1, 1.0}}, 1.0);
  Trial t = study->ask();
  // Step 1's value 5 is worse than 1.0, but the best so far (0.5) is not.
  EXPECT_EQ(run_curve(t, {{0, 0.5}, {1, 5.0}}), std::nullopt);
}

TEST(PercentilePrunerTest, WaitsForStartupTrials) {
  PercentilePrunerOptions o;
  o.n_startup_trials = 2;
  auto study = make_study(std::make_shared<MedianPruner>(o));
  add_finished(*study, {{0, 1.0}}, 1.0);
  add_finished(*study, {{0, 0.0}}, 0.0, TrialState::kPruned);  // only COMPLETE ones count
  Trial early = study->ask();
  EXPECT_EQ(run_curve(early, {{0, 10.0}}), std::nullopt);
  add_finished(*study, {{0, 1.0}}, 1.0);
  Trial late = study->ask();
  EXPECT_EQ(run_curve(late, {{0, 10.0}}), 0);
}

TEST(PercentilePrunerTest, NoCompletedTrialMeansNoPruning) {
  auto study = make_study(std::make_shared<MedianPruner>(no_startup()));
  Trial t = study->ask();
  EXPECT_EQ(run_curve(t, {{0, kNaN}, {1, 1e9}}), std::nullopt);
}

TEST(PercentilePrunerTest, WarmupAndIntervalChooseTheCheckSteps) {
  PercentilePrunerOptions o = no_startup();
  o.n_warmup_steps = 2;
  o.interval_steps = 3;  // checks at steps 2, 5, 8, ...
  auto study = make_study(std::make_shared<MedianPruner>(o));
  std::map<int64_t, double> finished;
  for (int64_t s = 0; s < 10; ++s) finished[s] = -static_cast<double>(s);  // median at s: -s
  add_finished(*study, finished, -9.0);

  auto pruned_at = [&](std::vector<std::pair<int64_t, double>> curve) {
    Trial t = study->ask();
    return run_curve(t, curve);
  };
  // Warm-up: steps 0 and 1 are never checked.
  EXPECT_EQ(pruned_at({{0, 100.0}, {1, 100.0}}), std::nullopt);
  EXPECT_EQ(pruned_at({{0, 0.0}, {1, 0.0}, {2, 0.0}}), 2);
  // Steps 3 and 4 lie between check points 2 and 5.
  EXPECT_EQ(pruned_at({{2, -2.0}, {3, -2.5}, {4, -2.5}, {5, -2.5}}), 5);
  // A check point without a report is taken up by the next report (3 takes up 2) ...
  EXPECT_EQ(pruned_at({{3, 0.0}}), 3);
  EXPECT_EQ(pruned_at({{2, -2.0}, {6, -2.5}}), 6);
  // ... and only by that one: 6 takes up 5, 7 is not checked, 8 is.
  EXPECT_EQ(pruned_at({{2, -2.0}, {6, -6.0}, {7, -6.0}, {8, -6.0}}), 8);
}

TEST(PercentilePrunerTest, NaNHandling) {
  auto study = make_study(std::make_shared<MedianPruner>(no_startup()));
  add_finished(*study, {{0, 1.0}, {1, kNaN}}, 1.0);
  add_finished(*study, {{0, kNaN}, {1, kNaN}}, 2.0);
  {
    // All of the trial's values NaN: pruned.
    Trial t = study->ask();
    EXPECT_EQ(run_curve(t, {{0, kNaN}}), 0);
  }
  {
    // NaN among the finished values is ignored: the median at step 0 is 1.0.
    Trial t = study->ask();
    EXPECT_EQ(run_curve(t, {{0, 1.5}}), 0);
  }
  {
    // Every finished value at step 1 is NaN: no threshold, no pruning (the best is 0.5).
    Trial t = study->ask();
    EXPECT_EQ(run_curve(t, {{0, 0.5}, {1, 100.0}}), std::nullopt);
  }
  {
    // A NaN report after a real one: the best ignores NaN.
    Trial t = study->ask();
    EXPECT_EQ(run_curve(t, {{0, 0.5}, {1, kNaN}}), std::nullopt);
  }
}

TEST(PercentilePrunerTest, MissingStepsAndMinTrials) {
  PercentilePrunerOptions o = no_startup();
  o.n_min_trials = 2;
  auto study = make_study(std::make_shared<MedianPruner>(o));
  add_finished(*study, {{0, 1.0}, {2, 1.0}}, 1.0);
  add_finished(*study, {{0, 1.0}, {1, 1.0}, {2, kNaN}}, 1.0);
  {
    // Step 1: one finished value < n_min_trials.
    Trial t = study->ask();
    EXPECT_EQ(run_curve(t, {{1, 5.0}}), std::nullopt);
  }
  {
    // Step 2: two values (one NaN) count for n_min_trials; the median of the rest is 1.0.
    Trial t = study->ask();
    EXPECT_EQ(run_curve(t, {{2, 5.0}}), 2);
  }
  {
    // Step 3: nobody reported it.
    Trial t = study->ask();
    EXPECT_EQ(run_curve(t, {{3, 5.0}}), std::nullopt);
  }
}

TEST(PercentilePrunerTest, TrialsCompletedLaterAreAbsorbed) {
  auto pruner = std::make_shared<MedianPruner>(no_startup());
  auto study = make_study(pruner);
  add_finished(*study, {{0, 10.0}}, 10.0);
  Trial a = study->ask();
  EXPECT_EQ(run_curve(a, {{0, 5.0}}), std::nullopt);
  // A trial that was running completes, another is added: the median moves from 10 to 2.
  Trial b = study->ask();
  b.report(1.0, 0);
  study->tell(b, 1.0);
  add_finished(*study, {{0, 2.0}}, 2.0);
  Trial c = study->ask();
  EXPECT_EQ(run_curve(c, {{0, 5.0}}), 0);
  // The same pruner on another study starts afresh.
  auto other = make_study(pruner, StudyDirection::kMinimize, "other");
  add_finished(*other, {{0, 10.0}}, 10.0);
  Trial d = other->ask();
  EXPECT_EQ(run_curve(d, {{0, 5.0}}), std::nullopt);
}

TEST(PercentilePrunerTest, CachedValuesAgreeWithAFullSortAsTrialsComplete) {
  // A history added at once, then probe trials that complete one by one: each decision must be
  // the one a full sort of the COMPLETE trials' values gives.
  auto study = make_study(std::make_shared<PercentilePruner>(30.0, no_startup()));
  uint64_t state = 12345;
  auto next = [&state] {  // a small LCG: deterministic values in [0, 1)
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  auto value_or_nan = [&] { double u = next(); return u < 0.05 ? kNaN : u; };
  for (int i = 0; i < 40; ++i) {
    std::map<int64_t, double> curve;
    for (int64_t step = 0; step < 5; ++step)
      if (next() > 0.2) curve[step] = value_or_nan();
    add_finished(*study, curve, 0.0);
  }
  for (int probe = 0; probe < 15; ++probe) {
    Trial t = study->ask();
    double best = kNaN;
    for (int64_t step = 0; step < 5; ++step) {
      const double v = value_or_nan();
      t.report(v, step);
      if (!std::isnan(v) && (std::isnan(best) || v < best)) best = v;
      std::vector<double> at_step;
      for (const TrialPtr& done : study->trials({TrialState::kComplete})) {
        auto it = done->intermediate_values.find(step);
        if (it != done->intermediate_values.end() && !std::isnan(it->second))
          at_step.push_back(it->second);
      }
      std::sort(at_step.begin(), at_step.end());
      const double threshold = linear_percentile(at_step, 30.0);
      const bool expected = std::isnan(best) || (!std::isnan(threshold) && best > threshold);
      ASSERT_EQ(t.should_prune(), expected) << "probe " << probe << " step " << step;
    }
    study->tell(t, 0.0);
  }
}

TEST(PercentilePrunerTest, PercentileZeroAndHundred) {
  auto strict = make_study(std::make_shared<PercentilePruner>(0.0, no_startup()));
  auto lax = make_study(std::make_shared<PercentilePruner>(100.0, no_startup()));
  for (auto* s : {strict.get(), lax.get()})
    for (double v : {1.0, 2.0, 3.0}) add_finished(*s, {{0, v}}, v);
  Trial t1 = strict->ask();
  EXPECT_EQ(run_curve(t1, {{0, 1.5}}), 0);  // must match the best
  Trial t2 = lax->ask();
  EXPECT_EQ(run_curve(t2, {{0, 2.9}}), std::nullopt);
  Trial t3 = lax->ask();
  EXPECT_EQ(run_curve(t3, {{0, 3.1}}), 0);
}

}  // namespace
}  // namespace hpo
