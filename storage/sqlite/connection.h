// A thin SQLite layer in the shape of SQLiteCpp: a Connection owns one sqlite3 handle and its
// prepared statements; Statement binds, steps and reads columns; Transaction is RAII. Every
// failing SQLite call throws StorageError carrying the SQLite result code. sqlite3.h stays in
// the .cc files.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/errors.h"

struct sqlite3;
struct sqlite3_stmt;

namespace hpo::sqlite {

// SQLite's primary result codes that callers branch on (the values of SQLITE_BUSY etc.).
inline constexpr int kBusy = 5;
inline constexpr int kLocked = 6;
inline constexpr int kReadOnly = 8;
inline constexpr int kNotADb = 26;

// True for the result codes that mean "another connection holds the lock; try again".
bool is_busy(int code);

// A prepared statement. Obtained from Connection::prepare, which keeps it for reuse: the
// statement is reset and its bindings cleared each time it is handed out again.
// Not thread-safe (a statement belongs to its connection's thread).
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  Statement& bind(int index, int64_t v);
  Statement& bind(int index, double v);
  Statement& bind(int index, std::string_view v);  // copied by SQLite
  Statement& bind_null(int index);
  Statement& bind(int index, const std::optional<double>& v);

  // Advances to the next row; false when done. Throws StorageError on failure.
  bool step();
  // Steps a statement that returns no rows (INSERT, UPDATE, DELETE).
  void run();
  // Rows changed by the last run() on this connection.
  int64_t changes() const;

  int64_t column_int(int i) const;
  double column_double(int i) const;
  std::string column_text(int i) const;
  bool column_is_null(int i) const;

  void reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

struct ConnectionOptions {
  int busy_timeout_ms = 60000;  // total time a statement waits for a lock before SQLITE_BUSY
  bool create = false;          // create the file if missing
  // Open with SQLITE_OPEN_READONLY: every write fails with SQLITE_READONLY, and the file (on a
  // read-only medium, or locked by a writer) is only ever read. Excludes `create`.
  bool read_only = false;
  // With read_only: open as SQLite's immutable=1 URI, which takes no locks and needs no -shm
  // file. Only for a file nobody can change while it is open (see open_study_database).
  bool immutable = false;
};

// One sqlite3 handle. Not thread-safe: use one per thread (SqliteStorage pools them).
class Connection {
 public:
  // Throws StorageError if the file cannot be opened.
  Connection(const std::string& path, const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that return nothing.
  void exec(std::string_view sql);
  // The prepared statement for `sql`, compiled on first use and kept: the same text returns
  // the same statement, reset. The reference stays valid for the connection's lifetime; do not
  // use the same text twice at once.
  Statement& prepare(std::string_view sql);
  int64_t last_insert_rowid() const;
  // True between BEGIN and COMMIT/ROLLBACK.
  bool in_transaction() const;

 private:
  friend int busy_wait(void* self, int attempt);

  sqlite3* db_ = nullptr;
  int busy_timeout_ms_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

// Throws StorageError (with sqlite3_errmsg and the code) unless rc is SQLITE_OK/ROW/DONE.
void check(sqlite3* db, int rc, std::string_view what);

// BEGIN IMMEDIATE (write: the write lock is taken up front, so the transaction never fails
// half-way for lack of it) or BEGIN DEFERRED (read: one consistent snapshot). Rolls back in
// its noexcept destructor unless commit() ran.
class Transaction {
 public:
  enum class Kind { kRead, kWrite };
  Transaction(Connection& connection, Kind kind);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

}  // namespace hpo::sqlite
