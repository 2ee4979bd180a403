// Study, Trial and optimize() on SQLite storage built by the factory, as the front ends do.
#include <gtest/gtest.h>

#include "core/factory.h"
#include "core/study.h"
#include "storage/sqlite/sqlite_storage.h"
#include "tests/storage/sqlite/test_util.h"

namespace hpo {
namespace {

using testing::TempDir;

TEST(StudyOnSqlite, FactoryReadsTheUrlAndItsOptions) {
  TempDir dir;
  auto storage = make_storage("sqlite:///" + dir.file("s.db") +
                              "?heartbeat_interval=1&grace_period=2.5&max_retry=3");
  auto* sqlite = dynamic_cast<SqliteStorage*>(storage.get());
  ASSERT_NE(sqlite, nullptr);
  EXPECT_EQ(sqlite->path(), dir.file("s.db"));
  EXPECT_EQ(sqlite->options().heartbeat_interval, 1.0);
  EXPECT_EQ(sqlite->options().grace_period, 2.5);
  EXPECT_EQ(sqlite->options().max_retry, 3);
  EXPECT_TRUE(sqlite->options().retry_failed_trials);
  EXPECT_EQ(storage->heartbeat_interval_seconds(), 1.0);
  EXPECT_TRUE(storage->heartbeat_enabled());

  auto plain = make_storage("sqlite:///" + dir.file("s.db"));
  EXPECT_FALSE(plain->heartbeat_enabled());
  try {
    make_storage("sqlite:///" + dir.file("t.db") + "?heartbeat_intervall=1");
    ADD_FAILURE() << "unknown option accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("heartbeat_interval"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make_storage("sqlite:///" + dir.file("t.db") + "?grace_period=soon"),
               std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir.file("t.db")));
}

TEST(StudyOnSqlite, ThreadsOptimizeAndAResumedStudyContinues) {
  TempDir dir;
  std::string url = "sqlite:///" + dir.file("s.db");
  auto objective = [](Trial& t) {
    double x = t.suggest_float("x", -10, 10);
    int64_t n = t.suggest_int("n", 1, 4);
    return x * x + static_cast<double>(n);
  };
  double best = 0;
  {
    auto study = Study::create({.storage = make_storage(url),
                                .sampler = make_sampler("random", {{"seed", 3}}),
                                .pruner = make_pruner("nop"),
                                .study_name = "resume",
                                .directions = {StudyDirection::kMinimize},
                                .load_if_exists = false});
    study->enqueue_trial({{"x", 0.5}, {"n", int64_t{1}}});
    OptimizeOptions options;
    options.n_trials = 40;
    options.n_jobs = 4;
    study->optimize(objective, options);
    best = study->best_value();
  }
  auto study = Study::load("resume", make_storage(url), make_sampler("random", {{"seed", 4}}));
  Trials before = study->trials();
  ASSERT_EQ(before.size(), 40u);
  EXPECT_EQ(before[0]->external_params().at("x"), ParamValue(0.5));
  EXPECT_EQ(study->best_value(), best);
  OptimizeOptions options;
  options.n_trials = 10;
  study->optimize(objective, options);
  Trials after = study->trials();
  ASSERT_EQ(after.size(), 50u);
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i]->number, static_cast<int64_t>(i));
    EXPECT_EQ(after[i]->state, TrialState::kComplete);
  }
}

}  // namespace
}  // namespace hpo
