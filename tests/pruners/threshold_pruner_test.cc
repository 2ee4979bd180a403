#include "pruners/threshold_pruner.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "tests/pruners/study_helpers.h"

namespace hpo {
namespace {

using testing::make_study;
using testing::run_curve;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ThresholdPrunerOptions bounds(std::optional<double> lower, std::optional<double> upper) {
  ThresholdPrunerOptions o;
  o.lower = lower;
  o.upper = upper;
  return o;
}

TEST(ThresholdPrunerTest, RejectsBadOptions) {
  EXPECT_THROW(ThresholdPruner(bounds(std::nullopt, std::nullopt)), std::invalid_argument);
  try {
    ThresholdPruner(bounds(2.0, 1.0));
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("2.0"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ThresholdPruner(bounds(kNaN, 1.0)), std::invalid_argument);
  ThresholdPrunerOptions o = bounds(0.0, std::nullopt);
  o.n_warmup_steps = -1;
  EXPECT_THROW(ThresholdPruner{o}, std::invalid_argument);
  o = bounds(0.0, std::nullopt);
  o.interval_steps = 0;
  EXPECT_THROW(ThresholdPruner{o}, std::invalid_argument);
}

TEST(ThresholdPrunerTest, PrunesOutsideTheBandOrOnNaN) {
  auto study = make_study(std::make_shared<ThresholdPruner>(bounds(0.0, 1.0)));
  auto pruned_at = [&](std::vector<std::pair<int64_t, double>> curve) {
    Trial t = study->ask();
    return run_curve(t, curve);
  };
  EXPECT_EQ(pruned_at({{0, 0.0}, {1, 0.5}, {2, 1.0}}), std::nullopt);
  EXPECT_EQ(pruned_at({{0, 0.5}, {1, 1.2}}), 1);
  EXPECT_EQ(pruned_at({{0, 0.5}, {1, -0.1}}), 1);
  EXPECT_EQ(pruned_at({{0, 0.5}, {1, kNaN}}), 1);
}

TEST(ThresholdPrunerTest, OneSidedBoundsInBothDirections) {
  // The band does not depend on the direction.
  auto upper = make_study(std::make_shared<ThresholdPruner>(bounds(std::nullopt, 1.0)),
                          StudyDirection::kMaximize);
  Trial a = upper->ask();
  EXPECT_EQ(run_curve(a, {{0, -1e300}, {1, 2.0}}), 1);
  auto lower = make_study(std::make_shared<ThresholdPruner>(bounds(0.0, std::nullopt)));
  Trial b = lower->ask();
  EXPECT_EQ(run_curve(b, {{0, 1e300}, {1, -1.0}}), 1);
}

TEST(ThresholdPrunerTest, OnlyTheLatestValueMatters) {
  auto study = make_study(std::make_shared<ThresholdPruner>(bounds(std::nullopt, 1.0)));
  Trial t = study->ask();
  t.report(0.0, 5);
  t.report(2.0, 1);  // an earlier step reported late: the last step is still 5
  EXPECT_FALSE(t.should_prune());
}

TEST(ThresholdPrunerTest, WarmupAndInterval) {
  ThresholdPrunerOptions o = bounds(std::nullopt, 1.0);
  o.n_warmup_steps = 1;
  o.interval_steps = 2;  // checks at 1, 3, 5, ...
  auto study = make_study(std::make_shared<ThresholdPruner>(o));
  auto pruned_at = [&](std::vector<std::pair<int64_t, double>> curve) {
    Trial t = study->ask();
    return run_curve(t, curve);
  };
  EXPECT_EQ(pruned_at({{0, 5.0}, {1, 5.0}}), 1);
  EXPECT_EQ(pruned_at({{0, 5.0}, {1, 0.0}, {2, 5.0}, {3, 5.0}}), 3);
  EXPECT_EQ(pruned_at({{1, 0.0}, {4, 5.0}}), 4);  // takes up check point 3
  EXPECT_EQ(pruned_at({{1, 0.0}, {3, 0.0}, {4, 5.0}}), std::nullopt);
}

}  // namespace
}  // namespace hpo
