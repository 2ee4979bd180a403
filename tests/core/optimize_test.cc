// The optimize loop: exact trial counts across threads, failures, catch, timeout, stop.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "core/errors.h"
#include "core/factory.h"
#include "core/study.h"

namespace hpo {
namespace {

std::shared_ptr<Study> new_study() {
  CreateStudyOptions o;
  o.sampler = make_sampler("random", {{"seed", 11}});
  return Study::create(o);
}

double quadratic(Trial& t) {
  double x = t.suggest_float("x", -5.0, 5.0);
  return x * x;
}

TEST(OptimizeTest, ThousandTrialsOnTwoWorkersAreNumberedWithoutGapsOrDuplicates) {
  auto study = new_study();
  study->optimize(quadratic, {.n_trials = 1000, .n_jobs = 2});
  Trials trials = study->trials();
  ASSERT_EQ(trials.size(), 1000u);
  std::set<int64_t> numbers;
  for (const auto& t : trials) {
    EXPECT_EQ(t->state, TrialState::kComplete);
    numbers.insert(t->number);
  }
  EXPECT_EQ(numbers.size(), 1000u);
  EXPECT_EQ(*numbers.begin(), 0);
  EXPECT_EQ(*numbers.rbegin(), 999);
}

TEST(OptimizeTest, WorkersReallyRunConcurrently) {
  auto study = new_study();
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  study->optimize(
      [&](Trial&) {
        int now = ++running;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        --running;
        return 0.0;
      },
      {.n_trials = 16, .n_jobs = 4});
  EXPECT_EQ(peak.load(), 4);
}

TEST(OptimizeTest, AThrowingObjectiveIsRecordedFailAndRethrown) {
  auto study = new_study();
  EXPECT_THROW(study->optimize([](Trial&) -> double { throw std::runtime_error("boom"); },
                               {.n_trials = 5}),
               std::runtime_error);
  Trials trials = study->trials();
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0]->state, TrialState::kFail);
  EXPECT_EQ(trials[0]->system_attrs.at("fail_reason"), "boom");
}

TEST(OptimizeTest, CaughtExceptionsFailTheTrialAndTheRunGoesOn) {
  auto study = new_study();
  int calls = 0;
  OptimizeOptions o;
  o.n_trials = 6;
  o.catch_exceptions = {catch_type<std::out_of_range>()};
  study->optimize(
      [&](Trial& t) -> double {
        if (++calls % 2 == 0) throw std::out_of_range("odd one out");
        return quadratic(t);
      },
      o);
  EXPECT_EQ(study->trials({TrialState::kFail}).size(), 3u);
  EXPECT_EQ(study->trials({TrialState::kComplete}).size(), 3u);
}

TEST(OptimizeTest, TrialPrunedEndsTheTrialPruned) {
  auto study = new_study();
  study->optimize(
      [](Trial& t) -> double {
        t.report(1.0, 0);
        throw TrialPruned();
      },
      {.n_trials = 3});
  Trials pruned = study->trials({TrialState::kPruned});
  ASSERT_EQ(pruned.size(), 3u);
  EXPECT_DOUBLE_EQ(pruned[0]->values.at(0), 1.0);
}

TEST(OptimizeTest, MultiObjectiveValues) {
  CreateStudyOptions o;
  o.directions = {StudyDirection::kMinimize, StudyDirection::kMaximize};
  auto study = Study::create(o);
  study->optimize(
      [](Trial& t) {
        double x = t.suggest_float("x", 0.0, 1.0);
        return std::vector<double>{x, x * x};
      },
      {.n_trials = 20});
  EXPECT_EQ(study->trials({TrialState::kComplete}).size(), 20u);
  EXPECT_FALSE(study->best_trials().empty());
}

TEST(OptimizeTest, TimeoutStopsStartingTrials) {
  auto study = new_study();
  auto start = std::chrono::steady_clock::now();
  study->optimize(
      [](Trial&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return 0.0;
      },
      {.timeout_seconds = 0.2, .n_jobs = 2});
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(elapsed, 5.0);
  size_t n = study->trials().size();
  EXPECT_GE(n, 2u);
  EXPECT_LT(n, 100u);  // 0.2 s of 20 ms trials on two workers is about 20
}

TEST(OptimizeTest, StopFromACallbackEndsTheRun) {
  auto study = new_study();
  OptimizeOptions o;
  o.n_trials = 100;
  o.callbacks = {[](Study& s, const FrozenTrial& t) {
    if (t.number == 4) s.stop();
  }};
  study->optimize(quadratic, o);
  EXPECT_EQ(study->trials().size(), 5u);
  // A later run starts afresh.
  study->optimize(quadratic, {.n_trials = 3});
  EXPECT_EQ(study->trials().size(), 8u);
}

TEST(OptimizeTest, CallbacksSeeEveryFinishedTrial) {
  auto study = new_study();
  std::atomic<int> seen{0};
  OptimizeOptions o;
  o.n_trials = 30;
  o.n_jobs = 3;
  o.callbacks = {[&](Study&, const FrozenTrial& t) {
    EXPECT_TRUE(is_finished(t.state));
    ++seen;
  }};
  study->optimize(quadratic, o);
  EXPECT_EQ(seen.load(), 30);
}

TEST(OptimizeTest, BadOptionsAreRejected) {
  auto study = new_study();
  EXPECT_THROW(study->optimize(quadratic, {.n_jobs = 0}), std::invalid_argument);
  EXPECT_THROW(study->optimize(quadratic, {.n_trials = -1}), std::invalid_argument);
}

}  // namespace
}  // namespace hpo
