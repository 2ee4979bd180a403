#include "core/frozen_trial.h"

#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

namespace hpo {
namespace {

TEST(FrozenTrialTest, StateAndDirectionNames) {
  EXPECT_EQ(to_string(TrialState::kRunning), "RUNNING");
  EXPECT_EQ(to_string(TrialState::kComplete), "COMPLETE");
  EXPECT_EQ(to_string(TrialState::kPruned), "PRUNED");
  EXPECT_EQ(to_string(TrialState::kFail), "FAIL");
  EXPECT_EQ(to_string(TrialState::kWaiting), "WAITING");
  EXPECT_EQ(to_string(StudyDirection::kMinimize), "MINIMIZE");
  EXPECT_EQ(to_string(StudyDirection::kMaximize), "MAXIMIZE");
  EXPECT_EQ(trial_state_from_string("pruned"), TrialState::kPruned);
  EXPECT_EQ(study_direction_from_string("Maximize"), StudyDirection::kMaximize);
  EXPECT_THROW(trial_state_from_string("DONE"), std::invalid_argument);
  EXPECT_THROW(study_direction_from_string("up"), std::invalid_argument);
}

TEST(FrozenTrialTest, StateMask) {
  StateMask m{TrialState::kComplete, TrialState::kPruned};
  EXPECT_TRUE(m.has(TrialState::kComplete));
  EXPECT_FALSE(m.has(TrialState::kRunning));
  EXPECT_TRUE(StateMask::all().is_all());
  EXPECT_TRUE(is_finished(TrialState::kFail));
  EXPECT_FALSE(is_finished(TrialState::kWaiting));
}

TEST(FrozenTrialTest, ValueParamsAndLastStep) {
  FrozenTrial t;
  EXPECT_THROW(t.value(), std::logic_error);
  t.values = {1.5};
  EXPECT_EQ(t.value(), 1.5);
  t.values = {1.0, 2.0};
  EXPECT_THROW(t.value(), std::logic_error);

  t.params = {{"x", 0.5}, {"n", 3.0}, {"opt", 1.0}};
  t.distributions = {{"x", make_float_distribution(0, 1)},
                     {"n", make_int_distribution(1, 5)},
                     {"opt", make_categorical_distribution({std::string("a"), std::string("b")})}};
  ExternalParams p = t.external_params();
  EXPECT_EQ(std::get<double>(p.at("x")), 0.5);
  EXPECT_EQ(std::get<int64_t>(p.at("n")), 3);
  EXPECT_EQ(std::get<std::string>(p.at("opt")), "b");

  EXPECT_FALSE(t.last_step().has_value());
  t.intermediate_values = {{3, 0.1}, {7, 0.2}, {5, 0.3}};
  EXPECT_EQ(t.last_step(), 7);
}

TEST(FrozenTrialTest, Dominates) {
  std::vector<StudyDirection> mm = {StudyDirection::kMinimize, StudyDirection::kMinimize};
  EXPECT_TRUE(dominates({1, 1}, {2, 2}, mm));
  EXPECT_TRUE(dominates({1, 2}, {2, 2}, mm));
  EXPECT_FALSE(dominates({2, 2}, {2, 2}, mm));
  EXPECT_FALSE(dominates({1, 3}, {2, 2}, mm));
  std::vector<StudyDirection> mx = {StudyDirection::kMinimize, StudyDirection::kMaximize};
  EXPECT_TRUE(dominates({1, 3}, {2, 2}, mx));
  EXPECT_FALSE(dominates({1, 1}, {2, 2}, mx));
  EXPECT_TRUE(dominates({1, 1}, {1, NAN}, mm));
  EXPECT_THROW(dominates({1}, {1, 2}, mm), std::invalid_argument);
}

}  // namespace
}  // namespace hpo
