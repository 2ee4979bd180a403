// InMemoryStorage: the Storage contract, snapshots, and thread safety.
#include "storage/in_memory_storage.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "core/errors.h"

namespace hpo {
namespace {

TEST(InMemoryStorageTest, StudiesAreCreatedFoundAndDeleted) {
  InMemoryStorage s;
  int64_t a = s.create_study({StudyDirection::kMinimize}, "a");
  int64_t b = s.create_study({StudyDirection::kMaximize, StudyDirection::kMinimize}, "b");
  EXPECT_THROW(s.create_study({StudyDirection::kMinimize}, "a"), DuplicatedStudyError);
  EXPECT_THROW(s.create_study({}, "c"), std::invalid_argument);
  EXPECT_EQ(s.find_study_id("b"), b);
  EXPECT_EQ(s.get_study_name(a), "a");
  EXPECT_EQ(s.get_study_directions(b).size(), 2u);
  s.create_trial(a);
  auto summaries = s.get_all_studies();
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_EQ(summaries[0].n_trials, 1);
  EXPECT_TRUE(summaries[0].datetime_start.has_value());
  s.delete_study(a);
  EXPECT_FALSE(s.find_study_id("a").has_value());
  EXPECT_THROW(s.get_study_name(a), NotFoundError);
  s.set_study_user_attr(b, "k", 1);
  s.set_study_system_attr(b, "s", "v");
  EXPECT_EQ(s.get_study_user_attrs(b).at("k"), 1);
  EXPECT_EQ(s.get_study_system_attrs(b).at("s"), "v");
}

TEST(InMemoryStorageTest, TrialsAreNumberedPerStudy) {
  InMemoryStorage s;
  int64_t a = s.create_study({StudyDirection::kMinimize}, "a");
  int64_t b = s.create_study({StudyDirection::kMinimize}, "b");
  s.create_trial(a);
  int64_t t = s.create_trial(b);
  s.create_trial(a);
  EXPECT_EQ(s.get_trial(t)->number, 0);
  EXPECT_EQ(s.get_n_trials(a), 2);
  EXPECT_EQ(s.get_all_trials(a)[1]->number, 1);
}

TEST(InMemoryStorageTest, SnapshotsDoNotChangeUnderLaterWrites) {
  InMemoryStorage s;
  int64_t study = s.create_study({StudyDirection::kMinimize}, "a");
  int64_t t = s.create_trial(study);
  TrialPtr before = s.get_trial(t);
  s.set_trial_param(t, "x", 0.5, make_float_distribution(0, 1));
  s.set_trial_intermediate_value(t, 3, 1.5);
  s.set_trial_user_attr(t, "u", true);
  s.set_trial_system_attr(t, "s", 2);
  EXPECT_TRUE(before->params.empty());
  TrialPtr after = s.get_trial(t);
  EXPECT_DOUBLE_EQ(after->params.at("x"), 0.5);
  EXPECT_DOUBLE_EQ(after->intermediate_values.at(3), 1.5);
  EXPECT_EQ(after->user_attrs.at("u"), true);
  EXPECT_EQ(after->system_attrs.at("s"), 2);
  EXPECT_THROW(s.set_trial_param(t, "x", 1.0, make_int_distribution(0, 1)), std::invalid_argument);
}

TEST(InMemoryStorageTest, FinishedTrialsAreImmutable) {
  InMemoryStorage s;
  int64_t study = s.create_study({StudyDirection::kMinimize}, "a");
  int64_t t = s.create_trial(study);
  EXPECT_TRUE(s.set_trial_state_values(t, TrialState::kComplete, {1.0}));
  EXPECT_TRUE(s.get_trial(t)->datetime_complete.has_value());
  EXPECT_THROW(s.set_trial_state_values(t, TrialState::kFail), UpdateFinishedTrialError);
  EXPECT_THROW(s.set_trial_user_attr(t, "k", 1), UpdateFinishedTrialError);
  EXPECT_THROW(s.set_trial_intermediate_value(t, 0, 1.0), UpdateFinishedTrialError);
  EXPECT_THROW(s.get_trial(999), NotFoundError);
}

TEST(InMemoryStorageTest, WaitingTrialsArePoppedOnceInOrder) {
  InMemoryStorage s;
  int64_t study = s.create_study({StudyDirection::kMinimize}, "a");
  FrozenTrial waiting;
  waiting.state = TrialState::kWaiting;
  waiting.system_attrs["fixed_params"] = {{"x", 1}};
  int64_t w0 = s.create_trial(study, &waiting);
  int64_t w1 = s.create_trial(study, &waiting);
  EXPECT_FALSE(s.get_trial(w0)->datetime_start.has_value());
  EXPECT_EQ(s.pop_waiting_trial(study), w0);
  EXPECT_EQ(s.get_trial(w0)->state, TrialState::kRunning);
  EXPECT_TRUE(s.get_trial(w0)->datetime_start.has_value());
  // Making RUNNING a trial that is not WAITING changes nothing.
  EXPECT_FALSE(s.set_trial_state_values(w0, TrialState::kRunning));
  EXPECT_TRUE(s.set_trial_state_values(w1, TrialState::kRunning));
  EXPECT_EQ(s.pop_waiting_trial(study), std::nullopt);
  EXPECT_EQ(s.get_all_trials(study, {TrialState::kWaiting}).size(), 0u);
}

TEST(InMemoryStorageTest, ConcurrentWritersGetUniqueDenseNumbers) {
  InMemoryStorage s;
  int64_t study = s.create_study({StudyDirection::kMinimize}, "a");
  FrozenTrial waiting;
  waiting.state = TrialState::kWaiting;
  for (int i = 0; i < 100; ++i) s.create_trial(study, &waiting);
  std::vector<std::thread> threads;
  std::mutex m;
  std::set<int64_t> popped;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 250; ++j) {
        int64_t t = s.create_trial(study);
        s.set_trial_state_values(t, TrialState::kComplete, {1.0});
        if (auto w = s.pop_waiting_trial(study)) {
          std::lock_guard lock(m);
          EXPECT_TRUE(popped.insert(*w).second);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  Trials all = s.get_all_trials(study);
  ASSERT_EQ(all.size(), 1100u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i]->number, static_cast<int64_t>(i));
  EXPECT_EQ(popped.size(), 100u);
  EXPECT_EQ(s.get_n_trials(study, {TrialState::kComplete}), 1000);
}

}  // namespace
}  // namespace hpo
