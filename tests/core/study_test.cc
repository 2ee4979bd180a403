// Study: ask/tell, enqueue, best trials, attributes, create/load rules.
#include "core/study.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.h"
#include "core/factory.h"

namespace hpo {
namespace {

std::shared_ptr<Study> new_study(std::vector<StudyDirection> directions = {
                                     StudyDirection::kMinimize}) {
  CreateStudyOptions o;
  o.sampler = make_sampler("random", {{"seed", 7}});
  o.directions = std::move(directions);
  return Study::create(o);
}

TEST(StudyTest, AskTellRecordsParamsValuesAndNumbers) {
  auto study = new_study();
  for (int i = 0; i < 3; ++i) {
    Trial trial = study->ask();
    EXPECT_EQ(trial.number(), i);
    double x = trial.suggest_float("x", -1.0, 1.0);
    TrialPtr done = study->tell(trial, x * x);
    EXPECT_EQ(done->state, TrialState::kComplete);
    EXPECT_DOUBLE_EQ(done->value(), x * x);
    EXPECT_TRUE(done->datetime_complete.has_value());
  }
  EXPECT_EQ(study->trials().size(), 3u);
  EXPECT_EQ(study->trials({TrialState::kComplete}).size(), 3u);
}

TEST(StudyTest, TellRejectsFinishedTrialAndUnfinishedStates) {
  auto study = new_study();
  Trial trial = study->ask();
  study->tell(trial, 1.0);
  EXPECT_THROW(study->tell(trial, 2.0), UpdateFinishedTrialError);
  Trial other = study->ask();
  EXPECT_THROW(study->tell(other, TrialState::kRunning), std::invalid_argument);
}

TEST(StudyTest, NonFiniteOrMiscountedValuesFailTheTrialWithAReason) {
  auto study = new_study();
  TrialPtr nan = study->tell(study->ask(), std::nan(""));
  EXPECT_EQ(nan->state, TrialState::kFail);
  EXPECT_NE(nan->system_attrs.at("fail_reason").get<std::string>().find("not a finite number"),
            std::string::npos);
  TrialPtr two = study->tell(study->ask(), std::vector<double>{1.0, 2.0});
  EXPECT_EQ(two->state, TrialState::kFail);
  EXPECT_NE(two->system_attrs.at("fail_reason").get<std::string>().find("2 values"),
            std::string::npos);
  EXPECT_TRUE(two->values.empty());
}

TEST(StudyTest, PrunedTrialKeepsItsLastIntermediateValue) {
  auto study = new_study();
  Trial trial = study->ask();
  trial.report(3.0, 0);
  trial.report(2.5, 4);
  TrialPtr pruned = study->tell(trial, TrialState::kPruned);
  EXPECT_EQ(pruned->state, TrialState::kPruned);
  ASSERT_EQ(pruned->values.size(), 1u);
  EXPECT_DOUBLE_EQ(pruned->values[0], 2.5);
}

TEST(StudyTest, TellByNumber) {
  auto study = new_study();
  study->ask();
  Trial second = study->ask();
  TrialPtr t = study->tell(1, TrialState::kComplete, {4.0});
  EXPECT_EQ(t->trial_id, second.trial_id());
  EXPECT_THROW(study->tell(9, TrialState::kComplete, {4.0}), NotFoundError);
}

TEST(StudyTest, BestTrialFollowsDirection) {
  for (auto direction : {StudyDirection::kMinimize, StudyDirection::kMaximize}) {
    auto study = new_study({direction});
    EXPECT_THROW(study->best_trial(), std::invalid_argument);
    for (double v : {3.0, -1.0, 7.0, 2.0}) {
      Trial t = study->ask();
      t.suggest_int("k", 0, 10);
      study->tell(t, v);
    }
    study->tell(study->ask(), TrialState::kFail);
    double expected = direction == StudyDirection::kMinimize ? -1.0 : 7.0;
    EXPECT_DOUBLE_EQ(study->best_value(), expected);
    EXPECT_DOUBLE_EQ(study->best_trial()->value(), expected);
    EXPECT_EQ(study->best_params().size(), 1u);
    EXPECT_EQ(study->direction(), direction);
  }
}

TEST(StudyTest, BestTrialsIsTheParetoFront) {
  auto study = new_study({StudyDirection::kMinimize, StudyDirection::kMaximize});
  // (loss, accuracy): (1, 5) and (2, 9) are optimal; (3, 4) is dominated by (1, 5).
  for (auto v : std::vector<std::vector<double>>{{1, 5}, {3, 4}, {2, 9}, {2, 8}}) {
    study->tell(study->ask(), v);
  }
  Trials front = study->best_trials();
  ASSERT_EQ(front.size(), 2u);
  EXPECT_EQ(front[0]->number, 0);
  EXPECT_EQ(front[1]->number, 2);
  EXPECT_THROW(study->best_trial(), std::logic_error);
  EXPECT_THROW(study->direction(), std::logic_error);
}

TEST(StudyTest, EnqueuedTrialsRunFirstWithTheirParams) {
  auto study = new_study();
  study->enqueue_trial({{"x", 0.25}, {"opt", std::string("sgd")}}, {{"source", "manual"}});
  study->enqueue_trial({{"x", 0.5}});
  EXPECT_EQ(study->trials({TrialState::kWaiting}).size(), 2u);

  Trial first = study->ask();
  EXPECT_EQ(first.number(), 0);
  EXPECT_DOUBLE_EQ(first.suggest_float("x", 0.0, 1.0), 0.25);
  EXPECT_EQ(first.suggest_categorical<std::string>("opt", {"adam", "sgd"}), "sgd");
  EXPECT_EQ(first.user_attrs().at("source"), "manual");
  study->tell(first, 1.0);

  Trial second = study->ask();
  EXPECT_EQ(second.number(), 1);
  EXPECT_DOUBLE_EQ(second.suggest_float("x", 0.0, 1.0), 0.5);
  study->tell(second, 1.0);

  Trial fresh = study->ask();
  EXPECT_EQ(fresh.number(), 2);
  EXPECT_TRUE(study->trials({TrialState::kWaiting}).empty());
}

TEST(StudyTest, EnqueueSkipsExistingParamsWhenAsked) {
  auto study = new_study();
  study->enqueue_trial({{"x", 0.25}});
  study->enqueue_trial({{"x", 0.25}}, {}, /*skip_if_exists=*/true);
  EXPECT_EQ(study->trials().size(), 1u);
  Trial t = study->ask();
  t.suggest_float("x", 0.0, 1.0);
  study->tell(t, 0.0);
  study->enqueue_trial({{"x", 0.25}}, {}, true);
  EXPECT_EQ(study->trials().size(), 1u);
  study->enqueue_trial({{"x", 0.75}}, {}, true);
  EXPECT_EQ(study->trials().size(), 2u);
}

TEST(StudyTest, AskWithFixedDistributionsSuggestsThemAll) {
  auto study = new_study();
  Trial t = study->ask({{"a", make_float_distribution(0, 1)}, {"b", make_int_distribution(1, 3)}});
  EXPECT_EQ(t.params().size(), 2u);
  EXPECT_EQ(study->storage().get_trial(t.trial_id())->params.size(), 2u);
}

TEST(StudyTest, AddTrialValidatesAndNumbersAfresh) {
  auto study = new_study();
  FrozenTrial t;
  t.state = TrialState::kComplete;
  t.values = {0.5};
  t.distributions["x"] = make_float_distribution(0, 1);
  t.params["x"] = 0.3;
  t.number = 42;
  study->add_trial(t);
  EXPECT_EQ(study->trials()[0]->number, 0);
  EXPECT_DOUBLE_EQ(study->best_value(), 0.5);

  t.params["x"] = 3.0;
  EXPECT_THROW(study->add_trial(t), std::invalid_argument);
  t.params["x"] = 0.3;
  t.values = {};
  EXPECT_THROW(study->add_trial(t), std::invalid_argument);
}

TEST(StudyTest, CreateLoadAndDuplicateNames) {
  auto storage = make_storage(":memory:");
  CreateStudyOptions o;
  o.storage = storage;
  o.study_name = "s";
  auto created = Study::create(o);
  EXPECT_THROW(Study::create(o), DuplicatedStudyError);
  o.load_if_exists = true;
  EXPECT_EQ(Study::create(o)->study_id(), created->study_id());
  o.directions = {StudyDirection::kMaximize};
  EXPECT_THROW(Study::create(o), std::invalid_argument);

  created->tell(created->ask(), 1.0);
  auto loaded = Study::load("s", storage);
  EXPECT_EQ(loaded->trials().size(), 1u);
  EXPECT_THROW(Study::load("missing", storage), NotFoundError);
}

TEST(StudyTest, GeneratedNamesAreUnique) {
  auto storage = make_storage(":memory:");
  CreateStudyOptions o;
  o.storage = storage;
  auto a = Study::create(o);
  auto b = Study::create(o);
  EXPECT_NE(a->study_name(), b->study_name());
  EXPECT_EQ(a->study_name().rfind("no-name-", 0), 0u);
}

TEST(StudyTest, UserAndSystemAttributes) {
  auto study = new_study();
  study->set_user_attr("owner", "team-a");
  study->set_system_attr("key", 3);
  EXPECT_EQ(study->user_attrs().at("owner"), "team-a");
  EXPECT_EQ(study->system_attrs().at("key"), 3);
}

}  // namespace
}  // namespace hpo
