// Trial: define-by-run rules, reports, pruning through the study's pruner.
#include "core/trial.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/factory.h"
#include "core/study.h"

namespace hpo {
namespace {

// Prunes when the last reported value exceeds a threshold: enough to see should_prune reach
// the study's pruner with the trial's reports.
class ThresholdForTest final : public Pruner {
 public:
  bool prune(const StudyView&, const FrozenTrial& trial) override {
    return !trial.intermediate_values.empty() && trial.intermediate_values.rbegin()->second > 1.0;
  }
};

std::shared_ptr<Study> new_study(std::shared_ptr<Pruner> pruner = nullptr) {
  CreateStudyOptions o;
  o.sampler = make_sampler("random", {{"seed", 3}});
  o.pruner = std::move(pruner);
  return Study::create(o);
}

TEST(TrialTest, SameNameTwiceReturnsTheSameValue) {
  auto study = new_study();
  Trial t = study->ask();
  double x = t.suggest_float("x", 0.0, 1.0);
  EXPECT_DOUBLE_EQ(t.suggest_float("x", 0.0, 1.0), x);
  int64_t k = t.suggest_int("k", 0, 100);
  EXPECT_EQ(t.suggest_int("k", 0, 100), k);
  auto c = t.suggest_categorical<std::string>("c", {"a", "b", "c"});
  EXPECT_EQ(t.suggest_categorical<std::string>("c", {"a", "b", "c"}), c);
  EXPECT_EQ(t.params().size(), 3u);
}

TEST(TrialTest, SameNameWithAnotherKindOfDistributionIsAnError) {
  auto study = new_study();
  Trial t = study->ask();
  t.suggest_float("x", 0.0, 1.0);
  EXPECT_THROW(t.suggest_int("x", 0, 1), std::invalid_argument);
  t.suggest_categorical<std::string>("c", {"a", "b"});
  EXPECT_THROW(t.suggest_categorical<std::string>("c", {"a", "z"}), std::invalid_argument);
}

TEST(TrialTest, InvalidRangesAreRejectedWithTheirValues) {
  auto study = new_study();
  Trial t = study->ask();
  try {
    t.suggest_float("x", 2.0, 1.0);
    FAIL() << "low > high accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("low"), std::string::npos) << e.what();
  }
  EXPECT_THROW(t.suggest_float("lr", 0.0, 1.0, {.log = true}), std::invalid_argument);
  EXPECT_THROW(t.suggest_float("s", 0.0, 1.0, {.step = 0.1, .log = true}), std::invalid_argument);
  EXPECT_THROW(t.suggest_categorical<std::string>("e", {}), std::invalid_argument);
  EXPECT_TRUE(t.params().empty());
}

TEST(TrialTest, ValuesRespectStepAndLog) {
  auto study = new_study();
  for (int i = 0; i < 50; ++i) {
    Trial t = study->ask();
    double s = t.suggest_float("s", 0.0, 1.0, {.step = 0.25});
    EXPECT_DOUBLE_EQ(std::round(s / 0.25) * 0.25, s);
    int64_t k = t.suggest_int("k", 2, 20, {.step = 3});
    EXPECT_EQ((k - 2) % 3, 0);
    EXPECT_LE(k, 20);
    int64_t lk = t.suggest_int("lk", 1, 1000, {.log = true});
    EXPECT_GE(lk, 1);
    EXPECT_LE(lk, 1000);
    study->tell(t, 0.0);
  }
}

TEST(TrialTest, SingleValueDistributionsNeedNoSampler) {
  auto study = new_study();
  Trial t = study->ask();
  EXPECT_DOUBLE_EQ(t.suggest_float("x", 2.5, 2.5), 2.5);
  EXPECT_EQ(t.suggest_int("k", 4, 4), 4);
  EXPECT_EQ(t.suggest_categorical<std::string>("c", {"only"}), "only");
}

TEST(TrialTest, ReportKeepsTheFirstValuePerStepAndRejectsNegativeSteps) {
  auto study = new_study();
  Trial t = study->ask();
  t.report(0.5, 1);
  t.report(0.9, 1);
  t.report(0.4, 2);
  EXPECT_THROW(t.report(0.1, -1), std::invalid_argument);
  TrialPtr stored = study->storage().get_trial(t.trial_id());
  ASSERT_EQ(stored->intermediate_values.size(), 2u);
  EXPECT_DOUBLE_EQ(stored->intermediate_values.at(1), 0.5);
  EXPECT_EQ(t.snapshot().intermediate_values.size(), 2u);
}

TEST(TrialTest, ShouldPruneAsksTheStudysPruner) {
  auto study = new_study(std::make_shared<ThresholdForTest>());
  Trial t = study->ask();
  t.report(0.5, 0);
  EXPECT_FALSE(t.should_prune());
  t.report(1.5, 1);
  EXPECT_TRUE(t.should_prune());
}

TEST(TrialTest, ReportAndShouldPruneAreSingleObjectiveOnly) {
  CreateStudyOptions o;
  o.directions = {StudyDirection::kMinimize, StudyDirection::kMinimize};
  auto study = Study::create(o);
  Trial t = study->ask();
  EXPECT_THROW(t.report(1.0, 0), std::logic_error);
  EXPECT_THROW(t.should_prune(), std::logic_error);
}

TEST(TrialTest, AttributesReachStorage) {
  auto study = new_study();
  Trial t = study->ask();
  t.set_user_attr("note", "hello");
  t.set_system_attr("internal", 1);
  TrialPtr stored = study->storage().get_trial(t.trial_id());
  EXPECT_EQ(stored->user_attrs.at("note"), "hello");
  EXPECT_EQ(stored->system_attrs.at("internal"), 1);
  EXPECT_EQ(t.user_attrs().at("note"), "hello");
}

TEST(TrialTest, TypedCategoricalsOfEveryKind) {
  auto study = new_study();
  Trial t = study->ask();
  bool b = t.suggest_categorical<bool>("b", {true, false});
  EXPECT_TRUE(b || !b);
  int i = t.suggest_categorical<int>("i", {1, 2, 3});
  EXPECT_GE(i, 1);
  double d = t.suggest_categorical<double>("d", {0.5, 1.5});
  EXPECT_TRUE(d == 0.5 || d == 1.5);
  EXPECT_EQ(std::get<bool>(t.params().at("b")), b);
}

}  // namespace
}  // namespace hpo
