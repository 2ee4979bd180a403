#include "storage/sqlite/sqlite_storage.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <thread>

#include "core/errors.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/schema.h"
#include "tests/storage/sqlite/test_util.h"

namespace hpo {
namespace {

using testing::TempDir;

const double kInf = std::numeric_limits<double>::infinity();

std::string query_one(const std::string& path, const std::string& sql) {
  sqlite::Connection c(path, {});
  auto& s = c.prepare(sql);
  if (!s.step()) return "<none>";
  std::string v = s.column_is_null(0) ? "NULL" : s.column_text(0);
  s.reset();
  return v;
}

TEST(SqliteStorage, CreatesOptunasTablesAndVersionRows) {
  TempDir dir;
  SqliteStorage storage(dir.file("s.db"));
  std::string path = dir.file("s.db");
  EXPECT_EQ(query_one(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                            "('studies','study_directions','study_user_attributes',"
                            "'study_system_attributes','trials','trial_params','trial_values',"
                            "'trial_intermediate_values','trial_user_attributes',"
                            "'trial_system_attributes','trial_heartbeats','version_info',"
                            "'alembic_version')"),
            "13");
  EXPECT_EQ(query_one(path, "SELECT schema_version || ' ' || library_version FROM version_info"),
            "12 3.1.0");
  EXPECT_EQ(query_one(path, "SELECT count(*) FROM alembic_version"), "0");
  EXPECT_EQ(query_one(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_one(path, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'hpo_trials_%'"), "2");
}

TEST(SqliteStorage, StudiesDirectionsAndAttributesPersist) {
  TempDir dir;
  int64_t id;
  {
    SqliteStorage s(dir.file("s.db"));
    id = s.create_study({StudyDirection::kMinimize, StudyDirection::kMaximize}, "two");
    s.set_study_user_attr(id, "a", {{"x", 1}});
    s.set_study_system_attr(id, "b", 2.5);
    EXPECT_THROW(s.create_study({StudyDirection::kMinimize}, "two"), DuplicatedStudyError);
    EXPECT_THROW(s.create_study({}, "none"), std::invalid_argument);
  }
  SqliteStorage s(dir.file("s.db"));
  EXPECT_EQ(s.find_study_id("two"), id);
  EXPECT_EQ(s.find_study_id("three"), std::nullopt);
  EXPECT_EQ(s.get_study_name(id), "two");
  EXPECT_EQ(s.get_study_directions(id),
            (std::vector<StudyDirection>{StudyDirection::kMinimize, StudyDirection::kMaximize}));
  EXPECT_EQ(s.get_study_user_attrs(id), (nlohmann::json{{"a", {{"x", 1}}}}));
  EXPECT_EQ(s.get_study_system_attrs(id), (nlohmann::json{{"b", 2.5}}));
  int64_t t = s.create_trial(id);
  auto all = s.get_all_studies();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].study_name, "two");
  EXPECT_EQ(all[0].n_trials, 1);
  EXPECT_EQ(all[0].datetime_start, s.get_trial(t)->datetime_start);
  EXPECT_THROW(s.get_study_name(id + 1), NotFoundError);
  EXPECT_THROW(s.create_trial(id + 1), NotFoundError);
  EXPECT_THROW(s.get_all_trials(id + 1), NotFoundError);
  s.delete_study(id);
  EXPECT_EQ(s.find_study_id("two"), std::nullopt);
  EXPECT_EQ(query_one(dir.file("s.db"), "SELECT count(*) FROM trials"), "0");
  EXPECT_THROW(s.delete_study(id), NotFoundError);
}

TEST(SqliteStorage, UnnamedStudyGetsOptunasGeneratedName) {
  TempDir dir;
  SqliteStorage s(dir.file("s.db"));
  int64_t id = s.create_study({StudyDirection::kMinimize}, "");
  EXPECT_EQ(s.get_study_name(id).rfind("no-name-", 0), 0u);
  EXPECT_EQ(s.get_study_name(id).size(), 8u + 36u);
}

TEST(SqliteStorage, TrialRoundTripsEveryField) {
  TempDir dir;
  SqliteStorage s(dir.file("s.db"));
  int64_t study = s.create_study({StudyDirection::kMinimize, StudyDirection::kMaximize}, "t");
  int64_t id = s.create_trial(study);
  auto f = make_float_distribution(1e-5, 1.0, std::nullopt, true);
  auto c = make_categorical_distribution({std::string("a"), int64_t{2}, std::monostate{}});
  s.set_trial_param(id, "lr", 0.01, f);
  s.set_trial_param(id, "c", 2.0, c);
  s.set_trial_intermediate_value(id, 3, kInf);
  s.set_trial_intermediate_value(id, 4, std::nan(""));
  s.set_trial_intermediate_value(id, 4, -kInf);  // overwrites
  s.set_trial_user_attr(id, "u", {1, "\xc3\xa9", nullptr});
  s.set_trial_system_attr(id, "sys", 0.1);
  TrialPtr running = s.get_trial(id);
  EXPECT_EQ(running->state, TrialState::kRunning);
  EXPECT_TRUE(running->datetime_start.has_value());
  EXPECT_FALSE(running->datetime_complete.has_value());
  EXPECT_TRUE(s.set_trial_state_values(id, TrialState::kComplete, {-kInf, std::nan("")}));

  TrialPtr t = s.get_trial(id);
  EXPECT_EQ(t->number, 0);
  EXPECT_EQ(t->state, TrialState::kComplete);
  EXPECT_EQ(t->params.at("lr"), 0.01);
  EXPECT_EQ(t->distributions.at("lr"), Distribution(f));
  EXPECT_EQ(t->distributions.at("c"), Distribution(c));
  EXPECT_EQ(t->external_params().at("c"), ParamValue(std::monostate{}));
  ASSERT_EQ(t->values.size(), 2u);
  EXPECT_EQ(t->values[0], -kInf);
  EXPECT_TRUE(std::isnan(t->values[1]));
  EXPECT_EQ(t->intermediate_values.at(3), kInf);
  EXPECT_EQ(t->intermediate_values.at(4), -kInf);
  EXPECT_EQ(t->user_attrs, (nlohmann::json{{"u", {1, "\xc3\xa9", nullptr}}}));
  EXPECT_EQ(t->system_attrs, (nlohmann::json{{"sys", 0.1}}));
  EXPECT_TRUE(t->datetime_complete.has_value());
  EXPECT_GE(*t->datetime_complete, *t->datetime_start);
  // Optuna's encodings, byte for byte.
  std::string path = dir.file("s.db");
  EXPECT_EQ(query_one(path, "SELECT group_concat(coalesce(value, 'NULL') || ':' || value_type) "
                            "FROM trial_values"),
            "NULL:INF_NEG,NULL:NAN");
  EXPECT_EQ(query_one(path, "SELECT value_json FROM trial_user_attributes"),
            "[1, \"\\u00e9\", null]");
  EXPECT_EQ(query_one(path, "SELECT distribution_json FROM trial_params WHERE param_name = 'lr'"),
            "{\"name\": \"FloatDistribution\", \"attributes\": {\"step\": null, \"low\": 1e-05, "
            "\"high\": 1.0, \"log\": true}}");
  EXPECT_EQ(query_one(path, "SELECT length(datetime_start) FROM trials"), "26");
}

TEST(SqliteStorage, FinishedTrialsRejectWritesAndParamsMustStayCompatible) {
  TempDir dir;
  SqliteStorage s(dir.file("s.db"));
  int64_t study = s.create_study({StudyDirection::kMinimize}, "t");
  int64_t id = s.create_trial(study);
  s.set_trial_param(id, "x", 0.5, make_float_distribution(0, 1));
  EXPECT_THROW(s.set_trial_param(id, "x", 1, make_int_distribution(0, 3)), std::invalid_argument);
  EXPECT_FALSE(s.set_trial_state_values(id, TrialState::kRunning));
  s.set_trial_state_values(id, TrialState::kFail);
  EXPECT_THROW(s.set_trial_param(id, "y", 0.5, make_float_distribution(0, 1)),
               UpdateFinishedTrialError);
  EXPECT_THROW(s.set_trial_state_values(id, TrialState::kComplete, {1.0}), UpdateFinishedTrialError);
  EXPECT_THROW(s.set_trial_intermediate_value(id, 0, 1.0), UpdateFinishedTrialError);
  EXPECT_THROW(s.set_trial_user_attr(id, "k", 1), UpdateFinishedTrialError);
  EXPECT_THROW(s.get_trial(id + 100), NotFoundError);
  EXPECT_EQ(s.get_trial(id)->params.size(), 1u);
  EXPECT_EQ(s.get_trial(id)->state, TrialState::kFail);
}

TEST(SqliteStorage, TemplateTrialsAndWaitingQueue) {
  TempDir dir;
  SqliteStorage s(dir.file("s.db"));
  int64_t study = s.create_study({StudyDirection::kMinimize}, "t");
  FrozenTrial done;
  done.state = TrialState::kComplete;
  done.values = {1.5};
  done.params["x"] = 0.25;
  done.distributions["x"] = make_float_distribution(0, 1);
  done.intermediate_values[2] = 3.0;
  done.user_attrs["k"] = "v";
  s.create_trial(study, &done);
  FrozenTrial waiting;
  waiting.state = TrialState::kWaiting;
  waiting.system_attrs["fixed_params"] = {{"x", 0.5}};
  int64_t w1 = s.create_trial(study, &waiting);
  int64_t w2 = s.create_trial(study, &waiting);

  Trials all = s.get_all_trials(study);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]->values, std::vector<double>{1.5});
  EXPECT_EQ(all[0]->intermediate_values.at(2), 3.0);
  EXPECT_EQ(all[0]->user_attrs["k"], "v");
  EXPECT_TRUE(all[0]->datetime_complete.has_value());
  EXPECT_EQ(all[1]->state, TrialState::kWaiting);
  EXPECT_FALSE(all[1]->datetime_start.has_value());
  EXPECT_EQ(s.get_n_trials(study, {TrialState::kWaiting}), 2);

  EXPECT_EQ(s.pop_waiting_trial(study), w1);  // oldest first
  EXPECT_TRUE(s.set_trial_state_values(w2, TrialState::kRunning));
  EXPECT_FALSE(s.set_trial_state_values(w2, TrialState::kRunning));  // taken already
  EXPECT_EQ(s.pop_waiting_trial(study), std::nullopt);
  EXPECT_EQ(s.get_trial(w1)->state, TrialState::kRunning);
  EXPECT_TRUE(s.get_trial(w1)->datetime_start.has_value());
  EXPECT_EQ(s.get_n_trials(study, {TrialState::kRunning}), 2);
  EXPECT_EQ(s.get_n_trials(study), 3);
}

TEST(SqliteStorage, WaitingTrialsArePoppedOnceAcrossThreadsAndStorages) {
  TempDir dir;
  SqliteStorage a(dir.file("s.db"));
  SqliteStorage b(dir.file("s.db"));
  int64_t study = a.create_study({StudyDirection::kMinimize}, "t");
  FrozenTrial waiting;
  waiting.state = TrialState::kWaiting;
  for (int i = 0; i < 200; ++i) a.create_trial(study, &waiting);
  std::mutex m;
  std::vector<int64_t> taken;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      SqliteStorage& s = t % 2 ? a : b;
      while (auto id = s.pop_waiting_trial(study)) {
        std::lock_guard lock(m);
        taken.push_back(*id);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(taken.size(), 200u);
  EXPECT_EQ(std::set<int64_t>(taken.begin(), taken.end()).size(), 200u);
}

TEST(SqliteStorage, NumbersAreDenseUnderConcurrentWriters) {
  TempDir dir;
  SqliteStorage a(dir.file("s.db"));
  SqliteStorage b(dir.file("s.db"));
  int64_t study = a.create_study({StudyDirection::kMinimize}, "t");
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&, t] {
      SqliteStorage& s = t % 2 ? a : b;
      for (int i = 0; i < 50; ++i) {
        int64_t id = s.create_trial(study);
        s.set_trial_state_values(id, TrialState::kComplete, {static_cast<double>(i)});
      }
    });
  for (auto& th : threads) th.join();
  Trials all = b.get_all_trials(study);
  ASSERT_EQ(all.size(), 300u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i]->number, static_cast<int64_t>(i));
}

TEST(SqliteStorage, ReadsAreIncrementalAndSeeOtherWriters) {
  TempDir dir;
  SqliteStorage writer(dir.file("s.db"));
  SqliteStorage reader(dir.file("s.db"));
  int64_t study = writer.create_study({StudyDirection::kMinimize}, "t");
  int64_t done = writer.create_trial(study);
  writer.set_trial_state_values(done, TrialState::kComplete, {1.0});
  int64_t running = writer.create_trial(study);

  Trials first = reader.get_all_trials(study);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[1]->state, TrialState::kRunning);

  writer.set_trial_param(running, "x", 0.5, make_float_distribution(0, 1));
  writer.set_trial_state_values(running, TrialState::kPruned);
  int64_t third = writer.create_trial(study);
  Trials second = reader.get_all_trials(study);
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second[0].get(), first[0].get());  // the finished trial came from the cache
  EXPECT_EQ(second[1]->state, TrialState::kPruned);
  EXPECT_EQ(second[1]->params.at("x"), 0.5);
  EXPECT_EQ(second[2]->trial_id, third);
  // The snapshot handed out earlier did not change.
  EXPECT_EQ(first[1]->state, TrialState::kRunning);

  Trials pruned = reader.get_all_trials(study, {TrialState::kPruned, TrialState::kRunning});
  ASSERT_EQ(pruned.size(), 2u);
  EXPECT_EQ(pruned[0]->number, 1);
  EXPECT_EQ(pruned[1]->number, 2);
  EXPECT_EQ(reader.get_trial(done).get(), first[0].get());
}

// Makes the trial's heartbeat look `seconds` old, instead of sleeping in the test.
void age_heartbeat(const std::string& path, int64_t trial_id, int seconds) {
  sqlite::Connection c(path, {});
  c.exec("UPDATE trial_heartbeats SET heartbeat = strftime('%Y-%m-%d %H:%M:%f000', 'now', '-" +
         std::to_string(seconds) + " seconds') WHERE trial_id = " + std::to_string(trial_id));
}

TEST(SqliteStorage, StaleTrialsFailAndAreRetriedWithTheirParams) {
  TempDir dir;
  SqliteStorageOptions options;
  options.heartbeat_interval = 1;
  options.grace_period = 2;
  options.retry_failed_trials = true;
  options.max_retry = 1;
  SqliteStorage s(dir.file("s.db"), options);
  EXPECT_TRUE(s.heartbeat_enabled());
  EXPECT_EQ(s.heartbeat_interval_seconds(), 1.0);
  int64_t study = s.create_study({StudyDirection::kMinimize}, "t");
  int64_t id = s.create_trial(study);
  s.set_trial_param(id, "x", 2.0, make_int_distribution(0, 5));
  s.set_trial_user_attr(id, "u", 1);
  int64_t fresh = s.create_trial(study);
  s.record_heartbeat(fresh);
  EXPECT_EQ(s.fail_stale_trials(study), std::vector<int64_t>{});  // stamped at creation

  age_heartbeat(dir.file("s.db"), id, 10);
  EXPECT_EQ(s.fail_stale_trials(study), std::vector<int64_t>{id});
  EXPECT_EQ(s.get_trial(id)->state, TrialState::kFail);
  EXPECT_EQ(s.get_trial(fresh)->state, TrialState::kRunning);
  Trials waiting = s.get_all_trials(study, {TrialState::kWaiting});
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0]->number, 2);
  EXPECT_EQ(waiting[0]->params.at("x"), 2.0);
  EXPECT_EQ(waiting[0]->user_attrs["u"], 1);
  EXPECT_EQ(waiting[0]->system_attrs["failed_trial"], 0);
  EXPECT_EQ(waiting[0]->system_attrs["retry_history"], nlohmann::json::array({0}));
  EXPECT_EQ(waiting[0]->system_attrs["fixed_params"], (nlohmann::json{{"x", 2}}));

  // The retry fails too: max_retry = 1 allows no second retry.
  int64_t retry = *s.pop_waiting_trial(study);
  age_heartbeat(dir.file("s.db"), retry, 10);
  EXPECT_EQ(s.fail_stale_trials(study), std::vector<int64_t>{retry});
  EXPECT_EQ(s.get_n_trials(study, {TrialState::kWaiting}), 0);
  EXPECT_EQ(s.get_trial(retry)->system_attrs["retry_history"], nlohmann::json::array({0}));
}

TEST(SqliteStorage, HeartbeatsAreOffByDefault) {
  TempDir dir;
  SqliteStorage s(dir.file("s.db"));
  EXPECT_FALSE(s.heartbeat_enabled());
  int64_t study = s.create_study({StudyDirection::kMinimize}, "t");
  s.create_trial(study);
  EXPECT_EQ(query_one(dir.file("s.db"), "SELECT count(*) FROM trial_heartbeats"), "0");
  EXPECT_TRUE(s.fail_stale_trials(study).empty());
}

TEST(SqliteStorage, RejectsBadOptions) {
  TempDir dir;
  SqliteStorageOptions options;
  options.heartbeat_interval = -1;
  EXPECT_THROW(SqliteStorage(dir.file("s.db"), options), std::invalid_argument);
  options.heartbeat_interval = 1;
  options.grace_period = 0;
  EXPECT_THROW(SqliteStorage(dir.file("s.db"), options), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir.file("s.db")));
}

}  // namespace
}  // namespace hpo
