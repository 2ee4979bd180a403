// PostgreSQL storage specifics: URLs, errors that keep the password out, bounded reconnects,
// surviving a server restart, schema checks, and Study on top of it.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/errors.h"
#include "core/factory.h"
#include "core/study.h"
#include "storage/postgres/pg_url.h"
#include "storage/postgres/postgres_storage.h"
#include "tests/storage/postgres/pg_server.h"

namespace hpo::testing {
namespace {

using postgres::parse_postgres_url;
using postgres::redact_url;

TEST(PostgresUrl, SplitsOptunaUrls) {
  auto u = parse_postgres_url("postgresql+psycopg2://al%40ice:p%3Aw@db.example:6543/my%20db"
                              "?heartbeat_interval=30&sslmode=require&max_retry=3");
  EXPECT_NE(u.conninfo.find("host='db.example'"), std::string::npos);
  EXPECT_NE(u.conninfo.find("port='6543'"), std::string::npos);
  EXPECT_NE(u.conninfo.find("user='al@ice'"), std::string::npos);
  EXPECT_NE(u.conninfo.find("password='p:w'"), std::string::npos);
  EXPECT_NE(u.conninfo.find("dbname='my db'"), std::string::npos);
  EXPECT_NE(u.conninfo.find("sslmode='require'"), std::string::npos);
  EXPECT_NE(u.conninfo.find("keepalives='1'"), std::string::npos);
  EXPECT_EQ(u.options, (nlohmann::json{{"heartbeat_interval", 30}, {"max_retry", 3}}));
  EXPECT_EQ(u.label, "postgresql://al@ice@db.example:6543/my db");
  EXPECT_EQ(u.label.find("p:w"), std::string::npos);

  auto v6 = parse_postgres_url("postgres://u@[::1]:5432/d");
  EXPECT_NE(v6.conninfo.find("host='::1'"), std::string::npos);
  EXPECT_EQ(v6.conninfo.find("password"), std::string::npos);
  // A quote in a password cannot break out of the conninfo value.
  EXPECT_NE(parse_postgres_url("postgresql://u:a'b@h/d").conninfo.find("password='a\\'b'"),
            std::string::npos);
}

TEST(PostgresUrl, ErrorsNeverShowThePassword) {
  EXPECT_EQ(redact_url("postgresql://u:hunter2@h:1/d"), "postgresql://u:***@h:1/d");
  EXPECT_EQ(redact_url("postgresql://h/d"), "postgresql://h/d");
  for (const char* bad : {"postgresql://u:hunter2@h:port/d", "postgresql:u:hunter2@h/d",
                          "postgresql://u:hunter2@h/d?x", "postgresql://u:hunter2@h/%zz"}) {
    try {
      parse_postgres_url(bad);
      ADD_FAILURE() << "accepted " << redact_url(bad);
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("***"), std::string::npos) << e.what();
    }
  }
  try {
    make_storage("postgresql://u:hunter2@h/d?heartbeat_intervall=3");
    ADD_FAILURE() << "accepted a misspelt option";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("heartbeat_interval"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
}

TEST(PostgresStorage, UnreachableServerFailsAfterTheBoundedWait) {
  PostgresStorageOptions options;
  options.reconnect_timeout = 1.0;
  auto start = std::chrono::steady_clock::now();
  try {
    // Port 1 on loopback: connection refused at once, again and again.
    PostgresStorage storage("postgresql://u:hunter2@127.0.0.1:1/d", options);
    ADD_FAILURE() << "connected to nothing";
  } catch (const StorageError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("postgresql://u@127.0.0.1:1/d unreachable for 1 s"), std::string::npos)
        << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  }
  double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(waited, 1.0);
  EXPECT_LT(waited, 5.0);
}

class PostgresServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new PgServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static PgServer* server_;
};
PgServer* PostgresServerTest::server_ = nullptr;

TEST_F(PostgresServerTest, SurvivesAServerRestartBetweenAndDuringCalls) {
  PostgresStorageOptions options;
  options.reconnect_timeout = 30;
  PostgresStorage storage(server_->create_database("restart"), options);
  int64_t study = storage.create_study({StudyDirection::kMinimize}, "s");
  int64_t first = storage.create_trial(study);
  storage.set_trial_state_values(first, TrialState::kComplete, {1.0});

  server_->stop("immediate");
  // The calls below start while the server is down and finish once it is back.
  std::thread restarter([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    server_->start();
  });
  int64_t second = storage.create_trial(study);
  restarter.join();
  EXPECT_TRUE(storage.set_trial_state_values(second, TrialState::kComplete, {2.0}));
  Trials all = storage.get_all_trials(study);
  ASSERT_EQ(all.size(), 2u);  // the create that waited for the server was applied once
  EXPECT_EQ(all[1]->number, 1);
  EXPECT_EQ(all[1]->values, std::vector<double>{2.0});
}

TEST_F(PostgresServerTest, RefusesAnUnknownSchemaVersion) {
  std::string url = server_->create_database("oldschema");
  { PostgresStorage storage(url); }
  {
    postgres::Connection c("host=127.0.0.1 port=" + std::to_string(server_->port()) +
                               " user=hpo dbname=oldschema password='" + kPgPassword + "'",
                           "test");
    c.run("UPDATE version_info SET schema_version = 11");
  }
  try {
    PostgresStorage storage(url);
    ADD_FAILURE() << "opened schema version 11";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 11"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find(kPgPassword), std::string::npos) << e.what();
  }
}

TEST_F(PostgresServerTest, StudyOptimizesWithManyThreadsAndHeartbeats) {
  auto storage = make_storage(server_->create_database("study") + "?heartbeat_interval=1");
  ASSERT_TRUE(storage->heartbeat_enabled());
  CreateStudyOptions options;
  options.storage = storage;
  options.study_name = "threads";
  auto study = Study::create(options);
  OptimizeOptions run;
  run.n_trials = 40;
  run.n_jobs = 4;
  study->optimize([](Trial& t) { return std::pow(t.suggest_float("x", -2, 2), 2); }, run);
  Trials all = study->trials();
  ASSERT_EQ(all.size(), 40u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i]->number, static_cast<int64_t>(i));
    EXPECT_EQ(all[i]->state, TrialState::kComplete);
  }
  // A second process-like handle on the same database sees the same study.
  auto again = Study::load("threads", make_storage(server_->url("study")));
  EXPECT_EQ(again->trials().size(), 40u);
  EXPECT_EQ(again->best_value(), study->best_value());
}

}  // namespace
}  // namespace hpo::testing
