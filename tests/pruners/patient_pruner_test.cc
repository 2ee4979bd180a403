#include "pruners/patient_pruner.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "pruners/median_pruner.h"
#include "pruners/threshold_pruner.h"
#include "tests/pruners/study_helpers.h"

namespace hpo {
namespace {

using testing::add_finished;
using testing::make_study;
using testing::run_curve;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

PatientPrunerOptions patience(int p, double min_delta = 0.0) {
  PatientPrunerOptions o;
  o.patience = p;
  o.min_delta = min_delta;
  return o;
}

TEST(PatientPrunerTest, RejectsBadOptions) {
  try {
    PatientPruner(nullptr, patience(-1));
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("-1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(PatientPruner(nullptr, patience(0, -0.5)), std::invalid_argument);
  EXPECT_THROW(PatientPruner(nullptr, patience(0, kNaN)), std::invalid_argument);
}

TEST(PatientPrunerTest, PrunesAfterPatienceStepsWithoutImprovement) {
  auto study = make_study(std::make_shared<PatientPruner>(nullptr, patience(2)));
  Trial t = study->ask();
  // Best before the last three steps must beat the best of the last three.
  EXPECT_EQ(run_curve(t, {{0, 1.0}, {1, 0.5}, {2, 0.6}, {3, 0.7}, {4, 0.5}, {5, 0.8}, {6, 0.9}, {7, 0.9}}),
            7);
}

TEST(PatientPrunerTest, MaximizeAndMinDelta) {
  auto study = make_study(std::make_shared<PatientPruner>(nullptr, patience(1, 0.1)),
                          StudyDirection::kMaximize);
  Trial small_drop = study->ask();
  // Best before 1.0, recent best 0.95: a drop smaller than min_delta is tolerated.
  EXPECT_EQ(run_curve(small_drop, {{0, 1.0}, {1, 0.95}, {2, 0.95}}), std::nullopt);
  Trial big_drop = study->ask();
  EXPECT_EQ(run_curve(big_drop, {{0, 1.0}, {1, 0.95}, {2, 0.85}, {3, 0.8}}), 3);
}

TEST(PatientPrunerTest, NaNIsIgnoredAndAllNaNNeverPrunes) {
  auto study = make_study(std::make_shared<PatientPruner>(nullptr, patience(0)));
  Trial t = study->ask();
  EXPECT_EQ(run_curve(t, {{0, kNaN}, {1, 1.0}, {2, kNaN}}), std::nullopt);
  Trial u = study->ask();
  EXPECT_EQ(run_curve(u, {{0, 1.0}, {1, kNaN}, {2, 2.0}}), 2);
}

TEST(PatientPrunerTest, AsksTheWrappedPrunerOnlyWhenStalled) {
  ThresholdPrunerOptions o;
  o.upper = 10.0;
  auto study = make_study(
      std::make_shared<PatientPruner>(std::make_shared<ThresholdPruner>(o), patience(0)));
  Trial stalled_in_band = study->ask();
  EXPECT_EQ(run_curve(stalled_in_band, {{0, 1.0}, {1, 2.0}}), std::nullopt);
  Trial improving_out_of_band = study->ask();
  EXPECT_EQ(run_curve(improving_out_of_band, {{0, 30.0}, {1, 20.0}, {2, 25.0}}), 2);

  PercentilePrunerOptions m;
  m.n_startup_trials = 0;
  auto with_median = make_study(
      std::make_shared<PatientPruner>(std::make_shared<MedianPruner>(m), patience(0)));
  add_finished(*with_median, {{0, 0.0}, {1, 0.0}}, 0.0);
  Trial stalled = with_median->ask();
  EXPECT_EQ(run_curve(stalled, {{0, 1.0}, {1, 2.0}}), 1);
}

}  // namespace
}  // namespace hpo
