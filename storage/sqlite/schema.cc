#include "storage/sqlite/schema.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace hpo::sqlite {
namespace {

// The DDL that SQLAlchemy emits for Optuna 3.1's models on SQLite, verbatim.
constexpr const char* kTables[] = {
    R"(CREATE TABLE IF NOT EXISTS studies (
	study_id INTEGER NOT NULL, 
	study_name VARCHAR(512) NOT NULL, 
	PRIMARY KEY (study_id)
))",
    "CREATE UNIQUE INDEX IF NOT EXISTS ix_studies_study_name ON studies (study_name)",
    R"(CREATE TABLE IF NOT EXISTS version_info (
	version_info_id INTEGER NOT NULL, 
	schema_version INTEGER, 
	library_version VARCHAR(256), 
	PRIMARY KEY (version_info_id), 
	CHECK (version_info_id=1)
))",
    R"(CREATE TABLE IF NOT EXISTS study_directions (
	study_direction_id INTEGER NOT NULL, 
	direction VARCHAR(8) NOT NULL, 
	study_id INTEGER NOT NULL, 
	objective INTEGER NOT NULL, 
	PRIMARY KEY (study_direction_id), 
	UNIQUE (study_id, objective), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
))",
    R"(CREATE TABLE IF NOT EXISTS study_user_attributes (
	study_user_attribute_id INTEGER NOT NULL, 
	study_id INTEGER, 
	"key" VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (study_user_attribute_id), 
	UNIQUE (study_id, "key"), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
))",
    R"(CREATE TABLE IF NOT EXISTS study_system_attributes (
	study_system_attribute_id INTEGER NOT NULL, 
	study_id INTEGER, 
	"key" VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (study_system_attribute_id), 
	UNIQUE (study_id, "key"), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
))",
    R"(CREATE TABLE IF NOT EXISTS trials (
	trial_id INTEGER NOT NULL, 
	number INTEGER, 
	study_id INTEGER, 
	state VARCHAR(8) NOT NULL, 
	datetime_start DATETIME, 
	datetime_complete DATETIME, 
	PRIMARY KEY (trial_id), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
))",
    R"(CREATE TABLE IF NOT EXISTS trial_user_attributes (
	trial_user_attribute_id INTEGER NOT NULL, 
	trial_id INTEGER, 
	"key" VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (trial_user_attribute_id), 
	UNIQUE (trial_id, "key"), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE IF NOT EXISTS trial_system_attributes (
	trial_system_attribute_id INTEGER NOT NULL, 
	trial_id INTEGER, 
	"key" VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (trial_system_attribute_id), 
	UNIQUE (trial_id, "key"), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE IF NOT EXISTS trial_params (
	param_id INTEGER NOT NULL, 
	trial_id INTEGER, 
	param_name VARCHAR(512), 
	param_value FLOAT, 
	distribution_json TEXT, 
	PRIMARY KEY (param_id), 
	UNIQUE (trial_id, param_name), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE IF NOT EXISTS trial_values (
	trial_value_id INTEGER NOT NULL, 
	trial_id INTEGER NOT NULL, 
	objective INTEGER NOT NULL, 
	value FLOAT, 
	value_type VARCHAR(7) NOT NULL, 
	PRIMARY KEY (trial_value_id), 
	UNIQUE (trial_id, objective), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE IF NOT EXISTS trial_intermediate_values (
	trial_intermediate_value_id INTEGER NOT NULL, 
	trial_id INTEGER NOT NULL, 
	step INTEGER NOT NULL, 
	intermediate_value FLOAT, 
	intermediate_value_type VARCHAR(7) NOT NULL, 
	PRIMARY KEY (trial_intermediate_value_id), 
	UNIQUE (trial_id, step), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE IF NOT EXISTS trial_heartbeats (
	trial_heartbeat_id INTEGER NOT NULL, 
	trial_id INTEGER NOT NULL, 
	heartbeat DATETIME NOT NULL, 
	PRIMARY KEY (trial_heartbeat_id), 
	UNIQUE (trial_id), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE IF NOT EXISTS alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
))",
    // hpo's own: the next trial number and the reads by state are index lookups, not scans.
    // Optuna ignores indexes it does not know.
    "CREATE INDEX IF NOT EXISTS hpo_trials_study_number ON trials (study_id, number)",
    "CREATE INDEX IF NOT EXISTS hpo_trials_study_state ON trials (study_id, state)",
};

// Alembic revisions whose tables and columns are the ones above: Optuna 3.0/3.1's head, and
// 3.2's (which adds an index only).
const std::set<std::string> kKnownRevisions = {"v3.0.0.d", "v3.2.0.a"};

[[noreturn]] void fail(const std::string& path, const std::string& why, int code = 0) {
  throw StorageError("cannot use '" + path + "' as a study database: " + why, code);
}

std::string parent_directory(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

void check_directory(const std::string& path) {
  std::string dir = parent_directory(path);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0)
    fail(path, "directory '" + dir + "' does not exist (" + std::strerror(errno) + ")");
  if (!S_ISDIR(st.st_mode)) fail(path, "'" + dir + "' is not a directory");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    fail(path, "directory '" + dir + "' is not writable (" + std::strerror(errno) + ")");
}

std::set<std::string> table_names(Connection& c, const std::string& path) {
  std::set<std::string> names;
  try {
    Statement& s = c.prepare("SELECT name FROM sqlite_master WHERE type = 'table'");
    while (s.step()) names.insert(s.column_text(0));
  } catch (const StorageError& e) {
    if ((e.code() & 0xff) == kNotADb) fail(path, "the file is not an SQLite database", e.code());
    throw;
  }
  return names;
}

void check_versions(Connection& c, const std::string& path, const std::set<std::string>& tables) {
  if (!tables.contains("version_info") || !tables.contains("trials") ||
      !tables.contains("studies"))
    fail(path, "it is an SQLite database but not an Optuna/hpo study database "
               "(no version_info, studies or trials table)");
  Statement& v = c.prepare("SELECT schema_version FROM version_info");
  if (v.step()) {
    int64_t version = v.column_int(0);
    if (version != kSchemaVersion)
      fail(path, "unknown schema version " + std::to_string(version) + " (hpo reads version " +
                     std::to_string(kSchemaVersion) + ", Optuna 3.x's)");
  }
  v.reset();
  if (tables.contains("alembic_version")) {
    Statement& a = c.prepare("SELECT version_num FROM alembic_version");
    while (a.step()) {
      std::string revision = a.column_text(0);
      if (!kKnownRevisions.contains(revision))
        fail(path, "unknown schema revision '" + revision + "' (hpo reads v3.0.0.d and v3.2.0.a)");
    }
    a.reset();
  }
}

void create_schema(Connection& c) {
  Transaction txn(c, Transaction::Kind::kWrite);
  for (const char* ddl : kTables) c.exec(ddl);
  // library_version: Optuna shows it in its upgrade messages only; the schema is 3.1.0's.
  c.exec("INSERT OR IGNORE INTO version_info (version_info_id, schema_version, library_version) "
         "VALUES (1, 12, '3.1.0')");
  txn.commit();
}

}  // namespace

namespace {

// Switching a file to WAL needs a moment when no other connection holds a lock, and SQLite
// does not wait for one through the busy handler. Two processes opening a new file at once
// meet exactly that, so retry with a growing pause before giving up.
void enable_wal(Connection& connection) {
  constexpr int kSqliteBusy = 5;
  for (int attempt = 0;; ++attempt) {
    try {
      connection.exec("PRAGMA journal_mode = WAL");
      return;
    } catch (const StorageError& e) {
      if ((e.code() & 0xff) != kSqliteBusy || attempt >= 100) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(2 + 2 * attempt));
    }
  }
}

}  // namespace

void configure_connection(Connection& connection) {
  // NORMAL in WAL mode: a killed process never loses a committed transaction (the WAL is in
  // the OS's cache); only a power cut can drop the last few, and never corrupts the file.
  connection.exec("PRAGMA synchronous = NORMAL");
  connection.exec("PRAGMA temp_store = MEMORY");
}

std::string error_hint(int code, int busy_timeout_ms) {
  constexpr int kIoErr = 10, kCorrupt = 11, kFull = 13;
  switch (code & 0xff) {
    case kBusy:
    case kLocked:
      return "another process has held the database locked for longer than busy_timeout_ms=" +
             std::to_string(busy_timeout_ms) +
             "; retry when it is done, or raise busy_timeout_ms in the storage URL";
    case kIoErr:
    case kFull:
      return "the file or its -wal/-shm companions cannot be written; is the disk full?";
    case kReadOnly:
      return "the file or its folder is read-only; open a writable copy";
    case kCorrupt:
      return "the file is damaged; restore it from a backup";
    default:
      return "";
  }
}

namespace {

// hpo's own indexes (the last two statements of kTables) that `c` lacks.
std::vector<const char*> missing_indexes(Connection& c) {
  std::set<std::string> present;
  Statement& s = c.prepare("SELECT name FROM sqlite_master WHERE type = 'index'");
  while (s.step()) present.insert(s.column_text(0));
  std::vector<const char*> missing;
  for (const char* ddl : {kTables[std::size(kTables) - 2], kTables[std::size(kTables) - 1]}) {
    std::string_view text(ddl);
    std::string_view name = text.substr(text.find("hpo_"));
    name = name.substr(0, name.find(' '));
    if (!present.contains(std::string(name))) missing.push_back(ddl);
  }
  return missing;
}

// The journal mode the connection sees; call after a first read, which loads the header.
std::string journal_mode(Connection& c) {
  Statement& s = c.prepare("PRAGMA journal_mode");
  std::string mode = s.step() ? s.column_text(0) : std::string();
  s.reset();
  return mode;
}

std::unique_ptr<Connection> open_existing_or_new(const std::string& path,
                                                 const ConnectionOptions& options, bool exists) {
  ConnectionOptions open_options = options;
  open_options.create = options.create && !exists;
  std::unique_ptr<Connection> connection;
  std::set<std::string> tables;
  try {
    connection = std::make_unique<Connection>(path, open_options);
    tables = table_names(*connection, path);  // SQLite creates a new file on first access
  } catch (const StorageError& e) {
    if (exists) throw;
    // access() says yes to root even where nothing can be created (/proc, read-only mounts).
    fail(path, "cannot create the file: directory '" + parent_directory(path) +
                   "' is not writable (" + e.what() + ")", e.code());
  }
  if (tables.empty()) {
    if (options.read_only)
      fail(path, "it is empty (no study stored yet), and a read-only open (mode=ro) creates "
                 "nothing; check the path, or store a study in it first");
    create_schema(*connection);
  } else {
    check_versions(*connection, path, tables);
    if (!tables.contains("trial_heartbeats") || !tables.contains("trial_values"))
      fail(path, "it lacks tables of Optuna's 3.x schema (written by Optuna 2.x?)");
  }
  if (options.read_only) {
    configure_connection(*connection);
    return connection;
  }
  // A database whose schema is complete gets no write from here on: readers must succeed
  // while another process holds the write lock. Only a file that is not yet in WAL mode
  // (new, or made by Optuna) is switched, and only one that lacks hpo's indexes (made by
  // Optuna) gets them, in one transaction. Both only speed hpo up, so when another process
  // holds a lock throughout, the file is used as it is and the next opener upgrades it: a
  // rollback journal is handled correctly by every connection, and the reads work unindexed.
  try {
    if (journal_mode(*connection) != "wal") enable_wal(*connection);
    if (!tables.empty()) {
      std::vector<const char*> missing = missing_indexes(*connection);
      if (!missing.empty()) {
        Transaction txn(*connection, Transaction::Kind::kWrite);
        for (const char* ddl : missing) connection->exec(ddl);  // IF NOT EXISTS: races are fine
        txn.commit();
      }
    }
  } catch (const StorageError& e) {
    if (!is_busy(e.code())) throw;
  }
  configure_connection(*connection);
  return connection;
}

}  // namespace

std::unique_ptr<Connection> open_study_database(const std::string& path,
                                                ConnectionOptions& options) {
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists && !options.create) {
    fail(path, options.read_only ? "the file does not exist; check the path"
                                 : "the file does not exist; check the path, or drop mode=rw "
                                   "to create it");
  }
  // A read-only opener writes nothing, so neither the folder nor the file need be writable.
  if (!options.read_only) check_directory(path);
  if (exists) {
    if (!S_ISREG(st.st_mode)) fail(path, "it is not a regular file");
    int wanted = options.read_only ? R_OK : R_OK | W_OK;
    if (::access(path.c_str(), wanted) != 0) {
      std::string why = std::strerror(errno);
      if (options.read_only) fail(path, "the file cannot be read (" + why + ")");
      fail(path, "the file cannot be read and written (" + why +
                     "); to only read it, add ?mode=ro to the storage URL");
    }
    std::string dir = parent_directory(path);
    struct stat wal {};
    options.immutable = options.read_only && ::access(dir.c_str(), W_OK) != 0 &&
                        ::stat((path + "-wal").c_str(), &wal) != 0;
  }
  try {
    return open_existing_or_new(path, options, exists);
  } catch (const StorageError& e) {
    // SQLite's own text ("database disk image is malformed") names neither the file nor a fix.
    if (std::string_view(e.what()).starts_with("cannot use '")) throw;
    std::string hint = error_hint(e.code(), options.busy_timeout_ms);
    fail(path, std::string(e.what()) + (hint.empty() ? "" : "; " + hint), e.code());
  }
}

}  // namespace hpo::sqlite
