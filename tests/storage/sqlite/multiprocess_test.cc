// Several processes on one file: concurrent writers, and workers killed with SIGKILL.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "storage/sqlite/connection.h"
#include "storage/sqlite/sqlite_storage.h"
#include "tests/storage/sqlite/test_util.h"

namespace hpo {
namespace {

using testing::Child;
using testing::TempDir;

std::string integrity(const std::string& path) {
  sqlite::Connection c(path, {});
  auto& s = c.prepare("PRAGMA integrity_check");
  std::string result;
  while (s.step()) result += s.column_text(0);
  return result;
}

TEST(SqliteMultiProcess, FourProcessesTimesTwoThreadsWriteExactlyOneThousandTrials) {
  TempDir dir;
  std::string path = dir.file("s.db");
  std::vector<std::unique_ptr<Child>> children;
  for (int p = 0; p < 4; ++p)
    children.push_back(std::make_unique<Child>(std::vector<std::string>{"hammer", path, "race", "250", "2"}));
  for (auto& c : children) EXPECT_EQ(c->wait(), 0) << "a worker reported an error";

  SqliteStorage s(path);
  auto study = s.find_study_id("race");
  ASSERT_TRUE(study.has_value());
  Trials all = s.get_all_trials(*study);
  ASSERT_EQ(all.size(), 1000u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i]->number, static_cast<int64_t>(i));
    EXPECT_EQ(all[i]->state, TrialState::kComplete);
    EXPECT_EQ(all[i]->params.size(), 2u);
  }
  EXPECT_EQ(integrity(path), "ok");
}

TEST(SqliteMultiProcess, KilledWorkersTrialIsFailedByABusyWorkerAndRetried) {
  TempDir dir;
  std::string path = dir.file("s.db");
  SqliteStorage s(path);
  int64_t study = s.create_study({StudyDirection::kMinimize}, "kill");
  std::map<int64_t, double> before;
  for (int i = 0; i < 3; ++i) {
    int64_t id = s.create_trial(study);
    s.set_trial_state_values(id, TrialState::kComplete, {static_cast<double>(i)});
    before[id] = i;
  }

  // Worker A starts a trial that would run for a minute, and is killed in the middle of it.
  Child a({"run", path, "kill", "1", "60000", "0.5", "1", "1"});
  std::string started = a.wait_for("started ");
  ASSERT_FALSE(started.empty());
  int64_t killed_id = std::stoll(started.substr(8));
  a.kill();
  TrialPtr killed = s.get_trial(killed_id);
  ASSERT_EQ(killed->state, TrialState::kRunning);
  double x = killed->params.at("x");

  // Worker B is busy with a 2.5 s trial while A's trial goes stale (grace 1 s): its heartbeat
  // thread fails it meanwhile; B's next trial takes the retry and runs A's params.
  Child b({"run", path, "kill", "2", "2500", "0.5", "1", "1"});
  EXPECT_FALSE(b.wait_for("started ").empty());
  EXPECT_EQ(b.wait(), 0);

  Trials all = s.get_all_trials(study);
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[3]->trial_id, killed_id);
  EXPECT_EQ(all[3]->state, TrialState::kFail);
  const FrozenTrial& busy = *all[4];  // B's first trial, during which A's was failed
  EXPECT_EQ(busy.state, TrialState::kComplete);
  EXPECT_LT(*all[3]->datetime_complete, *busy.datetime_complete);
  const FrozenTrial& retry = *all[5];
  EXPECT_EQ(retry.state, TrialState::kComplete);
  EXPECT_EQ(retry.params.at("x"), x);
  EXPECT_EQ(retry.values, std::vector<double>{x * x});
  EXPECT_EQ(retry.system_attrs.at("failed_trial"), 3);
  EXPECT_EQ(retry.system_attrs.at("retry_history"), nlohmann::json::array({3}));
  for (const auto& [id, value] : before) {
    EXPECT_EQ(s.get_trial(id)->state, TrialState::kComplete);
    EXPECT_EQ(s.get_trial(id)->values, std::vector<double>{value});
  }
}

TEST(SqliteMultiProcess, RepeatedSigkillDuringHeavyWritesLosesNothing) {
  TempDir dir;
  std::string path = dir.file("s.db");
  std::map<int64_t, double> complete;  // every COMPLETE trial seen so far
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> pause_ms(30, 200);
  for (int round = 0; round < 20; ++round) {
    {
      Child writer({"hammer", path, "heavy", "-1", "2"});
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
      writer.kill();
    }
    ASSERT_EQ(integrity(path), "ok") << "round " << round;
    SqliteStorage s(path);  // the file always opens
    auto study = s.find_study_id("heavy");
    if (!study) continue;  // killed before the study was created
    std::map<int64_t, double> now;
    Trials all = s.get_all_trials(*study);
    for (size_t i = 0; i < all.size(); ++i) {
      ASSERT_EQ(all[i]->number, static_cast<int64_t>(i));
      if (all[i]->state == TrialState::kComplete) now[all[i]->trial_id] = all[i]->values.at(0);
    }
    for (const auto& [id, value] : complete) {
      auto it = now.find(id);
      ASSERT_NE(it, now.end()) << "COMPLETE trial " << id << " lost in round " << round;
      EXPECT_EQ(it->second, value);
    }
    complete = std::move(now);
  }
  EXPECT_GT(complete.size(), 20u);
}

}  // namespace
}  // namespace hpo
