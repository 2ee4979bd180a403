#include "storage/sqlite/connection.h"

#include <sqlite3.h>

#include <chrono>
#include <random>
#include <thread>

namespace hpo::sqlite {

bool is_busy(int code) {
  int primary = code & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

void check(sqlite3* db, int rc, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
  std::string message = "SQLite: " + std::string(what) + ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw StorageError(message, rc);
}

// ---- Statement ----

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  check(db, rc, "prepare '" + std::string(sql) + "'");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, int64_t v) {
  check(db_, sqlite3_bind_int64(stmt_, index, v), "bind");
  return *this;
}

Statement& Statement::bind(int index, double v) {
  check(db_, sqlite3_bind_double(stmt_, index, v), "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view v) {
  check(db_, sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()),
                               SQLITE_TRANSIENT),
        "bind");
  return *this;
}

Statement& Statement::bind_null(int index) {
  check(db_, sqlite3_bind_null(stmt_, index), "bind");
  return *this;
}

Statement& Statement::bind(int index, const std::optional<double>& v) {
  return v ? bind(index, *v) : bind_null(index);
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // The statement must be reset before its connection can run anything else cleanly.
  std::string sql = sqlite3_sql(stmt_);
  int code = sqlite3_extended_errcode(db_);
  std::string message = std::string("SQLite: ") + sqlite3_errmsg(db_) + " (in '" + sql + "')";
  sqlite3_reset(stmt_);
  throw StorageError(message, code);
}

void Statement::run() {
  while (step()) {
  }
}

int64_t Statement::changes() const { return sqlite3_changes64(db_); }

int64_t Statement::column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
double Statement::column_double(int i) const { return sqlite3_column_double(stmt_, i); }
std::string Statement::column_text(int i) const {
  const unsigned char* text = sqlite3_column_text(stmt_, i);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
}
bool Statement::column_is_null(int i) const {
  return sqlite3_column_type(stmt_, i) == SQLITE_NULL;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

// ---- Connection ----

// SQLite's own busy handler sleeps 1, 2, 5, ... up to 100 ms, which lets a lock sit idle for
// most of its waiting time when many processes write short transactions. This one polls with
// a short, randomized exponential backoff (50 us doubling to 2 ms) so that waiters take the
// lock soon after it is released, and gives up after the connection's busy timeout.
int busy_wait(void* self, int attempt) {
  auto* connection = static_cast<Connection*>(self);
  using std::chrono::steady_clock;
  thread_local steady_clock::time_point started;
  thread_local std::minstd_rand jitter(std::random_device{}());
  if (attempt == 0) started = steady_clock::now();
  if (steady_clock::now() - started > std::chrono::milliseconds(connection->busy_timeout_ms_))
    return 0;
  int64_t cap_us = 50LL << std::min(attempt, 5);
  std::uniform_int_distribution<int64_t> pick(cap_us / 2, cap_us);
  std::this_thread::sleep_for(std::chrono::microseconds(pick(jitter)));
  return 1;
}

namespace {

// "file:" + the path with SQLite's URI escapes, + "?immutable=1".
std::string immutable_uri(const std::string& path) {
  std::string uri = "file:";
  for (char ch : path) {
    if (ch == '%') uri += "%25";
    else if (ch == '?') uri += "%3F";
    else if (ch == '#') uri += "%23";
    else uri += ch;
  }
  return uri + "?immutable=1";
}

}  // namespace

Connection::Connection(const std::string& path, const ConnectionOptions& options)
    : busy_timeout_ms_(options.busy_timeout_ms) {
  int flags = (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
              SQLITE_OPEN_NOMUTEX;
  if (options.create && !options.read_only) flags |= SQLITE_OPEN_CREATE;
  std::string name = path;
  if (options.read_only && options.immutable) {
    name = immutable_uri(path);
    flags |= SQLITE_OPEN_URI;
  }
  int rc = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open SQLite database '" + path + "': " +
                          (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StorageError(message, rc);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_handler(db_, &busy_wait, this);
}

Connection::~Connection() {
  statements_.clear();  // finalize before closing
  sqlite3_close_v2(db_);
}

void Connection::exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = "SQLite: " + std::string(error != nullptr ? error : sqlite3_errstr(rc)) +
                          " (in '" + text + "')";
    sqlite3_free(error);
    throw StorageError(message, sqlite3_extended_errcode(db_));
  }
}

Statement& Connection::prepare(std::string_view sql) {
  auto it = statements_.find(std::string(sql));
  if (it == statements_.end()) {
    it = statements_.emplace(std::string(sql), std::make_unique<Statement>(db_, sql)).first;
  } else {
    it->second->reset();
  }
  return *it->second;
}

int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

bool Connection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

// ---- Transaction ----

Transaction::Transaction(Connection& connection, Kind kind) : connection_(connection) {
  connection_.exec(kind == Kind::kWrite ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    if (connection_.in_transaction()) connection_.exec("ROLLBACK");
  } catch (...) {
    // Nothing to do: SQLite rolls back an open transaction when the connection closes.
  }
}

void Transaction::commit() {
  connection_.exec("COMMIT");
  done_ = true;
}

}  // namespace hpo::sqlite
