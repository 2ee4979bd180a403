#include "pruners/successive_halving_pruner.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "tests/pruners/study_helpers.h"

namespace hpo {
namespace {

using testing::add_finished;
using testing::make_study;
using testing::run_curve;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

SuccessiveHalvingPrunerOptions sh(std::optional<int64_t> min_resource, int reduction_factor,
                                  int min_early_stopping_rate = 0, int bootstrap_count = 0) {
  SuccessiveHalvingPrunerOptions o;
  o.min_resource = min_resource;
  o.reduction_factor = reduction_factor;
  o.min_early_stopping_rate = min_early_stopping_rate;
  o.bootstrap_count = bootstrap_count;
  return o;
}

// The system attributes of trial `number`, as stored.
nlohmann::json attrs(const Study& study, int64_t number) {
  return study.trials().at(static_cast<size_t>(number))->system_attrs;
}

TEST(SuccessiveHalvingPrunerTest, RejectsBadOptionsNamingTheValue) {
  auto message = [](SuccessiveHalvingPrunerOptions o) {
    try {
      SuccessiveHalvingPruner p(o);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_NE(message(sh(0, 4)).find("min_resource"), std::string::npos);
  EXPECT_NE(message(sh(1, 1)).find("reduction_factor must be >= 2, got 1"), std::string::npos);
  EXPECT_NE(message(sh(1, 4, -1)).find("-1"), std::string::npos);
  EXPECT_NE(message(sh(1, 4, 0, -5)).find("-5"), std::string::npos);
  EXPECT_NE(message(sh(std::nullopt, 4, 0, 1)).find("auto"), std::string::npos);
  EXPECT_EQ(message(sh(std::nullopt, 4)), "no exception");
}

TEST(SuccessiveHalvingPrunerTest, RecordsRungsAndPromotesTheFirstTrial) {
  auto study = make_study(std::make_shared<SuccessiveHalvingPruner>(sh(1, 2)));
  Trial t = study->ask();
  // Rungs at steps 1, 2, 4, 8: alone at each rung, the trial is the best of it.
  EXPECT_EQ(run_curve(t, {{0, 5.0}, {1, 4.0}, {2, 3.0}, {3, 2.5}, {4, 2.0}}), std::nullopt);
  nlohmann::json a = attrs(*study, 0);
  EXPECT_EQ(a.at("completed_rung_0"), 4.0);
  EXPECT_EQ(a.at("completed_rung_1"), 3.0);
  EXPECT_EQ(a.at("completed_rung_2"), 2.0);
  EXPECT_FALSE(a.contains("completed_rung_3"));
}

TEST(SuccessiveHalvingPrunerTest, KeepsTheTopFractionOfARung) {
  for (StudyDirection dir : {StudyDirection::kMinimize, StudyDirection::kMaximize}) {
    auto study = make_study(std::make_shared<SuccessiveHalvingPruner>(sh(1, 2)), dir);
    for (double v : {1.0, 2.0, 3.0})
      add_finished(*study, {{1, v}}, v, TrialState::kComplete, {{"completed_rung_0", v}});
    // Four values at rung 0 with eta 2: the best two go on.
    const bool minimize = dir == StudyDirection::kMinimize;
    Trial good = study->ask();
    EXPECT_EQ(run_curve(good, {{1, minimize ? 1.5 : 2.5}}), std::nullopt);
    // Five values now (the good trial's too): the best 5 / 2 = 2 go on.
    Trial tie = study->ask();
    EXPECT_EQ(run_curve(tie, {{1, minimize ? 1.5 : 2.5}}), std::nullopt);
    Trial bad = study->ask();
    EXPECT_EQ(run_curve(bad, {{1, minimize ? 2.5 : 1.5}}), 1);
    // The pruned trial's rung value was recorded before the decision, as in Optuna.
    EXPECT_EQ(attrs(*study, 5).at("completed_rung_0"), minimize ? 2.5 : 1.5);
  }
}

TEST(SuccessiveHalvingPrunerTest, RunningTrialsCompeteToo) {
  auto study = make_study(std::make_shared<SuccessiveHalvingPruner>(sh(1, 2)));
  Trial a = study->ask();
  Trial b = study->ask();
  EXPECT_EQ(run_curve(a, {{1, 1.0}}), std::nullopt);
  EXPECT_EQ(run_curve(b, {{1, 2.0}}), 1);  // two values: only the best goes on
}

TEST(SuccessiveHalvingPrunerTest, NaNAtARungIsPruned) {
  auto study = make_study(std::make_shared<SuccessiveHalvingPruner>(sh(2, 2)));
  Trial t = study->ask();
  // NaN before the first rung (step 2) is not judged; at the rung it is pruned.
  EXPECT_EQ(run_curve(t, {{0, kNaN}, {1, kNaN}, {2, kNaN}}), 2);
  EXPECT_FALSE(attrs(*study, 0).contains("completed_rung_0"));
}

TEST(SuccessiveHalvingPrunerTest, SeveralRungsInOneReport) {
  auto study = make_study(std::make_shared<SuccessiveHalvingPruner>(sh(1, 2)));
  Trial t = study->ask();
  EXPECT_EQ(run_curve(t, {{4, 7.0}}), std::nullopt);
  nlohmann::json a = attrs(*study, 0);
  for (const char* key : {"completed_rung_0", "completed_rung_1", "completed_rung_2"})
    EXPECT_EQ(a.at(key), 7.0) << key;
  EXPECT_FALSE(a.contains("completed_rung_3"));
}

TEST(SuccessiveHalvingPrunerTest, MinEarlyStoppingRateDelaysTheFirstRung) {
  auto study = make_study(std::make_shared<SuccessiveHalvingPruner>(sh(2, 3, 1)));
  Trial t = study->ask();
  // First rung at 2 * 3^1 = 6, second at 18.
  EXPECT_EQ(run_curve(t, {{5, 1.0}}), std::nullopt);
  EXPECT_FALSE(attrs(*study, 0).contains("completed_rung_0"));
  t.report(1.0, 6);
  EXPECT_FALSE(t.should_prune());
  EXPECT_TRUE(attrs(*study, 0).contains("completed_rung_0"));
  EXPECT_FALSE(attrs(*study, 0).contains("completed_rung_1"));
}

TEST(SuccessiveHalvingPrunerTest, BootstrapPrunesUntilTheRungIsFullEnough) {
  auto study = make_study(std::make_shared<SuccessiveHalvingPruner>(sh(1, 2, 0, 2)));
  Trial a = study->ask();
  EXPECT_EQ(run_curve(a, {{1, 1.0}}), 1);  // 1 value <= 2
  Trial b = study->ask();
  EXPECT_EQ(run_curve(b, {{1, 1.0}}), 1);  // 2 values <= 2
  Trial c = study->ask();
  EXPECT_EQ(run_curve(c, {{1, 0.5}}), std::nullopt);  // 3 values, and the best
}

TEST(SuccessiveHalvingPrunerTest, AutoMinResourceComesFromTheFirstCompleteTrial) {
  auto study = make_study(std::make_shared<SuccessiveHalvingPruner>(sh(std::nullopt, 2)));
  Trial early = study->ask();
  // No COMPLETE trial: nothing is judged, whatever the values.
  EXPECT_EQ(run_curve(early, {{0, kNaN}, {1, kNaN}, {300, kNaN}}), std::nullopt);
  add_finished(*study, {{0, 1.0}, {250, 1.0}}, 1.0);  // min_resource = 250 / 100 = 2
  Trial t = study->ask();
  EXPECT_EQ(run_curve(t, {{1, 9.0}}), std::nullopt);
  EXPECT_FALSE(attrs(*study, 2).contains("completed_rung_0"));
  EXPECT_EQ(run_curve(t, {{2, 9.0}}), std::nullopt);
  EXPECT_EQ(attrs(*study, 2).at("completed_rung_0"), 9.0);
  // Fixed once known: a longer trial later does not change it.
  add_finished(*study, {{0, 1.0}, {10000, 1.0}}, 1.0);
  Trial u = study->ask();
  EXPECT_EQ(run_curve(u, {{2, 9.0}}), std::nullopt);  // ties the best: promoted
  EXPECT_EQ(attrs(*study, 4).at("completed_rung_0"), 9.0);
}

TEST(SuccessiveHalvingPrunerTest, CompletedRungKey) {
  EXPECT_EQ(completed_rung_key(0), "completed_rung_0");
  EXPECT_EQ(completed_rung_key(12), "completed_rung_12");
}

}  // namespace
}  // namespace hpo
