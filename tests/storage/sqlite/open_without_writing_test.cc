// Opening a study database writes only what is missing: a complete, current database is only
// read (so readers succeed while another process holds the write lock), mode=ro never writes,
// and a new or Optuna-made file still gets its schema, WAL mode and hpo's indexes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "core/errors.h"
#include "core/factory.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/sqlite_storage.h"
#include "tests/storage/sqlite/test_util.h"

namespace hpo {
namespace {

using testing::read_bytes;
using testing::TempDir;

// A study database with one study of one COMPLETE trial, closed (rows in the file, no -wal).
void make_database(const std::string& path) {
  SqliteStorage s(path);
  int64_t id = s.create_study({StudyDirection::kMinimize}, "existing");
  s.set_trial_state_values(s.create_trial(id), TrialState::kComplete, {1.0});
}

// Another connection in a write transaction: it holds SQLite's RESERVED lock until destroyed,
// as a worker in the middle of a long write does.
class WriteLockHolder {
 public:
  explicit WriteLockHolder(const std::string& path) : c_(path, {.busy_timeout_ms = 0}) {
    c_.exec("BEGIN IMMEDIATE");
  }
  ~WriteLockHolder() { c_.exec("ROLLBACK"); }

 private:
  sqlite::Connection c_;
};

std::string one_text(const std::string& path, const std::string& sql) {
  sqlite::Connection c(path, {});
  sqlite::Statement& s = c.prepare(sql);
  std::string text = s.step() ? s.column_text(0) : "";
  s.reset();
  return text;
}

std::set<std::string> index_names(const std::string& path) {
  sqlite::Connection c(path, {});
  sqlite::Statement& s = c.prepare("SELECT name FROM sqlite_master WHERE type = 'index'");
  std::set<std::string> names;
  while (s.step()) names.insert(s.column_text(0));
  return names;
}

void expect_reads_the_study(const Storage& storage) {
  std::optional<int64_t> id = storage.find_study_id("existing");
  ASSERT_TRUE(id.has_value());
  Trials trials = storage.get_all_trials(*id);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0]->state, TrialState::kComplete);
  EXPECT_EQ(trials[0]->values, std::vector<double>({1.0}));
}

TEST(SqliteOpenWithoutWriting, CompleteDatabaseOpensWhileAnotherProcessHoldsTheWriteLock) {
  TempDir dir;
  std::string path = dir.file("s.db");
  make_database(path);
  WriteLockHolder writer(path);
  // A short timeout: any write on open would fail with SQLITE_BUSY after it.
  SqliteStorage storage(path, {.busy_timeout_ms = 100, .max_busy_retries = 0});
  expect_reads_the_study(storage);
  EXPECT_EQ(storage.get_all_studies().size(), 1u);
}

TEST(SqliteOpenWithoutWriting, ReadOnlyModeReadsAndRefusesEveryWrite) {
  TempDir dir;
  std::string path = dir.file("s.db");
  make_database(path);
  std::string before = read_bytes(path);
  {
    WriteLockHolder writer(path);
    std::shared_ptr<Storage> storage = make_storage("sqlite:///" + path + "?mode=ro");
    expect_reads_the_study(*storage);
  }
  std::shared_ptr<Storage> storage = make_storage("sqlite:///" + path + "?mode=ro");
  try {
    storage->create_study({StudyDirection::kMinimize}, "new");
    ADD_FAILURE() << "a read-only storage created a study";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("mode=ro"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  EXPECT_FALSE(storage->find_study_id("new").has_value());
  storage.reset();
  EXPECT_EQ(read_bytes(path), before);
}

TEST(SqliteOpenWithoutWriting, ReadOnlyModeTurnsHeartbeatsOff) {
  TempDir dir;
  std::string path = dir.file("s.db");
  make_database(path);
  // The study file's default URL carries heartbeat_interval; a reader must not stamp or fail.
  std::shared_ptr<Storage> storage =
      make_storage("sqlite:///" + path + "?heartbeat_interval=60&mode=ro");
  EXPECT_FALSE(storage->heartbeat_enabled());
  expect_reads_the_study(*storage);
}

TEST(SqliteOpenWithoutWriting, ReadOnlyAndReadWriteModesCreateNothing) {
  TempDir dir;
  for (const char* mode : {"ro", "rw"}) {
    std::string path = dir.file(std::string("missing-") + mode + ".db");
    try {
      make_storage("sqlite:///" + path + "?mode=" + mode);
      ADD_FAILURE() << "mode=" << mode << " opened a missing file";
    } catch (const StorageError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(path)) << mode;
  }
  std::string empty = dir.file("empty.db");
  std::ofstream(empty).close();
  try {
    make_storage("sqlite:///" + empty + "?mode=ro");
    ADD_FAILURE() << "mode=ro opened an empty file";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("is empty"), std::string::npos) << e.what();
  }
  EXPECT_EQ(std::filesystem::file_size(empty), 0u);
}

TEST(SqliteOpenWithoutWriting, UnknownModeIsRefused) {
  TempDir dir;
  try {
    make_storage("sqlite:///" + dir.file("s.db") + "?mode=readonly");
    ADD_FAILURE() << "mode=readonly was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'readonly'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("ro"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("s.db")));
}

TEST(SqliteOpenWithoutWriting, NewFileGetsTheWholeSchemaInWalMode) {
  TempDir dir;
  std::string path = dir.file("new.db");
  { SqliteStorage storage(path); }
  EXPECT_EQ(one_text(path, "SELECT schema_version FROM version_info"), "12");
  EXPECT_EQ(one_text(path, "PRAGMA journal_mode"), "wal");
  std::set<std::string> indexes = index_names(path);
  EXPECT_TRUE(indexes.contains("hpo_trials_study_number"));
  EXPECT_TRUE(indexes.contains("hpo_trials_study_state"));
  EXPECT_TRUE(indexes.contains("ix_studies_study_name"));
}

// What Optuna leaves: its tables and rows, a rollback journal, none of hpo's indexes.
void make_optuna_like_database(const std::string& path) {
  make_database(path);
  sqlite::Connection c(path, {});
  c.exec("DROP INDEX hpo_trials_study_number; DROP INDEX hpo_trials_study_state;"
         "PRAGMA journal_mode = DELETE");
}

TEST(SqliteOpenWithoutWriting, OptunaMadeFileGetsWalModeAndHposIndexes) {
  TempDir dir;
  std::string path = dir.file("optuna.db");
  make_optuna_like_database(path);
  ASSERT_EQ(one_text(path, "PRAGMA journal_mode"), "delete");
  {
    // A read-only open changes nothing, not even the journal mode.
    std::shared_ptr<Storage> reader = make_storage("sqlite:///" + path + "?mode=ro");
    expect_reads_the_study(*reader);
  }
  EXPECT_EQ(one_text(path, "PRAGMA journal_mode"), "delete");
  EXPECT_FALSE(index_names(path).contains("hpo_trials_study_state"));
  {
    SqliteStorage storage(path);
    expect_reads_the_study(storage);
  }
  EXPECT_EQ(one_text(path, "PRAGMA journal_mode"), "wal");
  std::set<std::string> indexes = index_names(path);
  EXPECT_TRUE(indexes.contains("hpo_trials_study_number"));
  EXPECT_TRUE(indexes.contains("hpo_trials_study_state"));
}

TEST(SqliteOpenWithoutWriting, OptunaMadeFileOpensAsItIsWhileAnotherProcessHoldsTheLock) {
  TempDir dir;
  std::string path = dir.file("optuna.db");
  make_optuna_like_database(path);
  {
    WriteLockHolder writer(path);
    SqliteStorage storage(path, {.busy_timeout_ms = 100, .max_busy_retries = 0});
    expect_reads_the_study(storage);
  }
  EXPECT_EQ(one_text(path, "PRAGMA journal_mode"), "delete");
  EXPECT_FALSE(index_names(path).contains("hpo_trials_study_state"));
  { SqliteStorage storage(path); }  // the lock is gone: the next opener upgrades the file
  EXPECT_EQ(one_text(path, "PRAGMA journal_mode"), "wal");
  EXPECT_TRUE(index_names(path).contains("hpo_trials_study_state"));
}

}  // namespace
}  // namespace hpo
