// The Storage contract (core/storage.h) as a typed test suite: every backend must pass it.
// A backend instantiates it with a factory type that has `static std::shared_ptr<Storage>
// make()` returning a fresh, empty storage:
//
//   INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, StorageConformance, InMemoryFactory);
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "core/errors.h"
#include "core/storage.h"

namespace hpo::testing {

template <class Factory>
class StorageConformance : public ::testing::Test {
 protected:
  std::shared_ptr<Storage> storage_ = Factory::make();
  Storage& s() { return *storage_; }
};

TYPED_TEST_SUITE_P(StorageConformance);

TYPED_TEST_P(StorageConformance, StudiesAndAttributes) {
  Storage& s = this->s();
  int64_t a = s.create_study({StudyDirection::kMaximize}, "a");
  int64_t b = s.create_study({StudyDirection::kMinimize, StudyDirection::kMaximize}, "b");
  EXPECT_NE(a, b);
  EXPECT_THROW(s.create_study({StudyDirection::kMinimize}, "a"), DuplicatedStudyError);
  EXPECT_THROW(s.create_study({}, "c"), std::invalid_argument);
  EXPECT_EQ(s.find_study_id("b"), b);
  EXPECT_EQ(s.find_study_id("zzz"), std::nullopt);
  EXPECT_EQ(s.get_study_name(a), "a");
  EXPECT_EQ(s.get_study_directions(b).size(), 2u);
  EXPECT_EQ(s.get_study_directions(b)[1], StudyDirection::kMaximize);
  s.set_study_user_attr(a, "k", {1, "two"});
  s.set_study_user_attr(a, "k", "replaced");
  s.set_study_system_attr(a, "s", 3.5);
  EXPECT_EQ(s.get_study_user_attrs(a), (nlohmann::json{{"k", "replaced"}}));
  EXPECT_EQ(s.get_study_system_attrs(a), (nlohmann::json{{"s", 3.5}}));
  EXPECT_EQ(s.get_all_studies().size(), 2u);
  s.delete_study(a);
  EXPECT_EQ(s.find_study_id("a"), std::nullopt);
  EXPECT_THROW(s.get_study_name(a), NotFoundError);
  EXPECT_THROW(s.get_all_trials(a), NotFoundError);
  EXPECT_THROW(s.create_trial(a), NotFoundError);
}

TYPED_TEST_P(StorageConformance, TrialLifecycle) {
  Storage& s = this->s();
  int64_t study = s.create_study({StudyDirection::kMinimize}, "t");
  int64_t id = s.create_trial(study);
  TrialPtr t = s.get_trial(id);
  EXPECT_EQ(t->number, 0);
  EXPECT_EQ(t->state, TrialState::kRunning);
  EXPECT_TRUE(t->datetime_start.has_value());
  s.set_trial_param(id, "x", 0.5, make_float_distribution(0, 1));
  s.set_trial_intermediate_value(id, 1, 2.0);
  s.set_trial_intermediate_value(id, 1, 3.0);
  s.set_trial_user_attr(id, "u", "v");
  s.set_trial_system_attr(id, "s", {{"a", 1}});
  EXPECT_THROW(s.set_trial_param(id, "x", 1, make_categorical_distribution({int64_t{1}})),
               std::invalid_argument);
  EXPECT_TRUE(s.set_trial_state_values(id, TrialState::kComplete, {1.25}));
  TrialPtr done = s.get_trial(id);
  EXPECT_EQ(done->state, TrialState::kComplete);
  EXPECT_EQ(done->values, std::vector<double>{1.25});
  EXPECT_EQ(done->params.at("x"), 0.5);
  EXPECT_EQ(done->intermediate_values.at(1), 3.0);
  EXPECT_EQ(done->user_attrs["u"], "v");
  EXPECT_EQ(done->system_attrs["s"]["a"], 1);
  EXPECT_TRUE(done->datetime_complete.has_value());
  // The snapshot taken while running never changed.
  EXPECT_EQ(t->state, TrialState::kRunning);
  EXPECT_TRUE(t->params.empty());
  EXPECT_THROW(s.set_trial_state_values(id, TrialState::kFail), UpdateFinishedTrialError);
  EXPECT_THROW(s.set_trial_param(id, "y", 0.5, make_float_distribution(0, 1)),
               UpdateFinishedTrialError);
  EXPECT_THROW(s.set_trial_user_attr(id, "u", 1), UpdateFinishedTrialError);
  EXPECT_THROW(s.get_trial(id + 1000), NotFoundError);
}

TYPED_TEST_P(StorageConformance, NonFiniteValuesSurvive) {
  Storage& s = this->s();
  const double inf = std::numeric_limits<double>::infinity();
  int64_t study = s.create_study({StudyDirection::kMinimize, StudyDirection::kMaximize}, "t");
  int64_t id = s.create_trial(study);
  s.set_trial_intermediate_value(id, 0, std::nan(""));
  s.set_trial_intermediate_value(id, 1, -inf);
  s.set_trial_state_values(id, TrialState::kComplete, {inf, -inf});
  TrialPtr t = s.get_trial(id);
  EXPECT_TRUE(std::isnan(t->intermediate_values.at(0)));
  EXPECT_EQ(t->intermediate_values.at(1), -inf);
  EXPECT_EQ(t->values, (std::vector<double>{inf, -inf}));
}

TYPED_TEST_P(StorageConformance, TemplatesWaitingTrialsAndCounts) {
  Storage& s = this->s();
  int64_t study = s.create_study({StudyDirection::kMinimize}, "t");
  FrozenTrial done;
  done.state = TrialState::kComplete;
  done.values = {2.0};
  done.params["n"] = 3;
  done.distributions["n"] = make_int_distribution(0, 5);
  done.user_attrs["k"] = 1;
  s.create_trial(study, &done);
  FrozenTrial waiting;
  waiting.state = TrialState::kWaiting;
  waiting.system_attrs["fixed_params"] = {{"n", 4}};
  int64_t w1 = s.create_trial(study, &waiting);
  int64_t w2 = s.create_trial(study, &waiting);
  EXPECT_EQ(s.get_n_trials(study), 3);
  EXPECT_EQ(s.get_n_trials(study, {TrialState::kWaiting}), 2);
  Trials all = s.get_all_trials(study);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]->values, std::vector<double>{2.0});
  EXPECT_EQ(all[0]->params.at("n"), 3);
  EXPECT_EQ(all[0]->user_attrs["k"], 1);
  EXPECT_EQ(all[2]->system_attrs["fixed_params"]["n"], 4);
  EXPECT_EQ(s.pop_waiting_trial(study), w1);
  EXPECT_TRUE(s.set_trial_state_values(w2, TrialState::kRunning));
  EXPECT_FALSE(s.set_trial_state_values(w2, TrialState::kRunning));
  EXPECT_EQ(s.pop_waiting_trial(study), std::nullopt);
  EXPECT_EQ(s.get_n_trials(study, {TrialState::kRunning}), 2);
  Trials running = s.get_all_trials(study, {TrialState::kRunning});
  ASSERT_EQ(running.size(), 2u);
  EXPECT_EQ(running[0]->number, 1);
  EXPECT_EQ(running[1]->number, 2);
}

TYPED_TEST_P(StorageConformance, ConcurrentWritersGetDenseNumbers) {
  Storage& s = this->s();
  int64_t study = s.create_study({StudyDirection::kMinimize}, "t");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        int64_t id = s.create_trial(study);
        s.set_trial_state_values(id, TrialState::kComplete, {static_cast<double>(i)});
      }
    });
  for (auto& th : threads) th.join();
  Trials all = s.get_all_trials(study);
  ASSERT_EQ(all.size(), 100u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i]->number, static_cast<int64_t>(i));
  std::set<int64_t> ids;
  for (const auto& t : all) ids.insert(t->trial_id);
  EXPECT_EQ(ids.size(), 100u);
}

// Samplers read finished trials once and then ask only for the trials from the first unfinished
// one on: a trial that finishes later must show up with its new state.
TYPED_TEST_P(StorageConformance, TrialsFromANumberOn) {
  Storage& s = this->s();
  int64_t study = s.create_study({StudyDirection::kMinimize}, "from");
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(s.create_trial(study));
  s.set_trial_state_values(ids[0], TrialState::kComplete, {1.0});
  s.set_trial_state_values(ids[3], TrialState::kFail);
  ASSERT_EQ(s.get_all_trials(study).size(), 6u);  // warms the backends' caches
  s.set_trial_state_values(ids[4], TrialState::kComplete, {2.0});
  auto numbers = [](const Trials& trials) {
    std::vector<int64_t> out;
    for (const TrialPtr& t : trials) out.push_back(t->number);
    return out;
  };
  EXPECT_EQ(numbers(s.get_trials_from(study, 2)), (std::vector<int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(numbers(s.get_trials_from(study, 0, {TrialState::kComplete})),
            (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(numbers(s.get_trials_from(study, 4, {TrialState::kRunning})),
            (std::vector<int64_t>{5}));
  EXPECT_EQ(s.get_trials_from(study, 4, {TrialState::kComplete}).at(0)->values,
            (std::vector<double>{2.0}));
  EXPECT_TRUE(s.get_trials_from(study, 6).empty());
  EXPECT_TRUE(s.get_trials_from(study, 100).empty());
}

REGISTER_TYPED_TEST_SUITE_P(StorageConformance, StudiesAndAttributes, TrialLifecycle,
                            NonFiniteValuesSurvive, TemplatesWaitingTrialsAndCounts,
                            ConcurrentWritersGetDenseNumbers, TrialsFromANumberOn);

}  // namespace hpo::testing
