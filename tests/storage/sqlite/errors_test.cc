// Every way opening a study database can fail: a clear message, and the file left exactly as
// it was.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/errors.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/python_json.h"
#include "storage/sqlite/sqlite_storage.h"
#include "storage/sqlite/sqlite_url.h"
#include "storage/sqlite/trial_reader.h"
#include "tests/storage/sqlite/test_util.h"

namespace hpo {
namespace {

using testing::read_bytes;
using testing::TempDir;

// Expects opening `path` to throw StorageError whose message contains `needle`, and the file
// to keep its bytes.
void expect_open_fails(const std::string& path, const std::string& needle) {
  bool existed = std::filesystem::exists(path);
  std::string before = existed ? read_bytes(path) : "";
  try {
    SqliteStorage s(path);
    ADD_FAILURE() << "opening " << path << " did not fail";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
  EXPECT_EQ(std::filesystem::exists(path), existed);
  if (existed) {
    EXPECT_EQ(read_bytes(path), before);
  }
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

// A study database whose rows are checkpointed into the file (no -wal left behind).
void make_database(const std::string& path) {
  {
    SqliteStorage s(path);
    int64_t id = s.create_study({StudyDirection::kMinimize}, "existing");
    s.set_trial_state_values(s.create_trial(id), TrialState::kComplete, {1.0});
  }
  ASSERT_FALSE(std::filesystem::exists(path + "-wal"));
}

void exec(const std::string& path, const std::string& sql) {
  sqlite::Connection c(path, {});
  c.exec(sql);
}

TEST(SqliteErrors, MissingDirectory) {
  TempDir dir;
  expect_open_fails(dir.file("nope/s.db"), "does not exist");
}

TEST(SqliteErrors, DirectoryThatCannotBeWritten) {
  // /proc refuses new files even to root, for whom permission bits do not apply.
  expect_open_fails("/proc/hpo-study.db", "not writable");
  if (::geteuid() != 0) {
    TempDir dir;
    std::filesystem::create_directory(dir.file("ro"));
    std::filesystem::permissions(dir.file("ro"), std::filesystem::perms::owner_read |
                                                     std::filesystem::perms::owner_exec);
    expect_open_fails(dir.file("ro/s.db"), "not writable");
    std::filesystem::permissions(dir.file("ro"), std::filesystem::perms::owner_all);
  }
}

TEST(SqliteErrors, FileThatIsNotADatabase) {
  TempDir dir;
  std::string path = dir.file("notes.db");
  std::ofstream(path) << "These are my notes, not a database. They go on for a while so that "
                         "SQLite reads a whole header's worth of text: lorem ipsum dolor sit amet, "
                         "consectetur adipiscing elit, sed do eiusmod tempor incididunt.\n";
  expect_open_fails(path, "not an SQLite database");
}

TEST(SqliteErrors, DatabaseThatIsNotAStudyDatabase) {
  TempDir dir;
  std::string path = dir.file("other.db");
  {
    sqlite::ConnectionOptions o;
    o.create = true;
    sqlite::Connection c(path, o);
    c.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
  }
  expect_open_fails(path, "not an Optuna/hpo study database");
}

TEST(SqliteErrors, UnknownSchemaVersion) {
  TempDir dir;
  std::string path = dir.file("s.db");
  make_database(path);
  exec(path, "UPDATE version_info SET schema_version = 13");
  expect_open_fails(path, "unknown schema version 13");
}

TEST(SqliteErrors, UnknownAlembicRevision) {
  TempDir dir;
  std::string path = dir.file("s.db");
  make_database(path);
  exec(path, "INSERT INTO alembic_version VALUES ('v9.9.9.z')");
  expect_open_fails(path, "unknown schema revision 'v9.9.9.z'");
}

TEST(SqliteErrors, KnownAlembicRevisionsOpen) {
  TempDir dir;
  std::string path = dir.file("s.db");
  make_database(path);
  exec(path, "INSERT INTO alembic_version VALUES ('v3.0.0.d')");
  SqliteStorage s(path);
  EXPECT_TRUE(s.find_study_id("existing").has_value());
}

TEST(SqliteErrors, UnknownAndDuplicateStudiesLeaveTheFileUnchanged) {
  TempDir dir;
  std::string path = dir.file("s.db");
  make_database(path);
  std::string before = read_bytes(path);
  {
    SqliteStorage s(path);
    EXPECT_EQ(s.find_study_id("missing"), std::nullopt);
    EXPECT_THROW(s.get_study_directions(999), NotFoundError);
    try {
      s.create_study({StudyDirection::kMinimize}, "existing");
      ADD_FAILURE() << "duplicate study created";
    } catch (const DuplicatedStudyError& e) {
      EXPECT_NE(std::string(e.what()).find("'existing' already exists"), std::string::npos);
    }
  }
  EXPECT_EQ(read_bytes(path), before);
}

TEST(SqliteUrl, OptunasForms) {
  EXPECT_EQ(sqlite::sqlite_url_path("sqlite:///study.db"), "study.db");
  EXPECT_EQ(sqlite::sqlite_url_path("sqlite:///dir/study.db"), "dir/study.db");
  EXPECT_EQ(sqlite::sqlite_url_path("sqlite:////tmp/study.db"), "/tmp/study.db");
  EXPECT_TRUE(sqlite::is_sqlite_url("sqlite:///x"));
  EXPECT_FALSE(sqlite::is_sqlite_url("postgresql://h/db"));
  for (const char* bad : {"sqlite://", "sqlite:///", "sqlite:///:memory:", "sqlite://host/x.db",
                          "sqlite:x.db", "mysql:///x.db"}) {
    try {
      sqlite::sqlite_url_path(bad);
      ADD_FAILURE() << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(PythonJson, WritesWhatPythonsJsonDumpsWrites) {
  using sqlite::python_json_dumps;
  EXPECT_EQ(python_json_dumps({{"b", 1}, {"a", {1.0, 0.1, 1e-05, 1e16, 123456789012345.0}}}),
            "{\"a\": [1.0, 0.1, 1e-05, 1e+16, 123456789012345.0], \"b\": 1}");
  EXPECT_EQ(python_json_dumps({std::nan(""), INFINITY, -INFINITY, -0.0, 0.0001, 2.5e-300}),
            "[NaN, Infinity, -Infinity, -0.0, 0.0001, 2.5e-300]");
  EXPECT_EQ(python_json_dumps("caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"\n"),
            "\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\"\\n\"");
  EXPECT_EQ(python_json_dumps(nullptr), "null");
  EXPECT_EQ(python_json_dumps(true), "true");
}

TEST(PythonJson, ReadsPythonsNonStandardNumbers) {
  nlohmann::json j = sqlite::python_json_loads("[NaN, Infinity, -Infinity, \"NaN\", 1]");
  EXPECT_TRUE(std::isnan(j[0].get<double>()));
  EXPECT_EQ(j[1].get<double>(), INFINITY);
  EXPECT_EQ(j[2].get<double>(), -INFINITY);
  EXPECT_EQ(j[3], "NaN");
  EXPECT_EQ(j[4], 1);
  EXPECT_THROW(sqlite::python_json_loads("{bad"), std::invalid_argument);
}

}  // namespace
}  // namespace hpo

namespace hpo {
namespace {

TEST(SqliteDatetime, ReadsAndWritesOptunasFormat) {
  auto t = sqlite::parse_datetime("2026-03-04 05:06:07.123456");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(sqlite::format_datetime(*t), "2026-03-04 05:06:07.123456");
  EXPECT_EQ(sqlite::format_datetime(*sqlite::parse_datetime("2026-03-04 05:06:07")),
            "2026-03-04 05:06:07.000000");
  EXPECT_EQ(sqlite::format_datetime(*sqlite::parse_datetime("2026-03-04 05:06:07.5")),
            "2026-03-04 05:06:07.500000");
  // Another hour, then back: the cached hour must not leak into other hours.
  EXPECT_EQ(sqlite::format_datetime(*sqlite::parse_datetime("2026-03-04 23:59:59.000001")),
            "2026-03-04 23:59:59.000001");
  EXPECT_EQ(*sqlite::parse_datetime("2026-03-04 05:07:07") - *sqlite::parse_datetime("2026-03-04 05:06:07"),
            std::chrono::seconds(60));
  EXPECT_FALSE(sqlite::parse_datetime("").has_value());
  EXPECT_FALSE(sqlite::parse_datetime("yesterday").has_value());
  EXPECT_FALSE(sqlite::parse_datetime("2026-03-04T05:06").has_value());
  Clock::time_point now = Clock::now();
  auto back = sqlite::parse_datetime(sqlite::format_datetime(now));
  EXPECT_LT(std::chrono::abs(*back - now), std::chrono::microseconds(1));
}

}  // namespace
}  // namespace hpo
