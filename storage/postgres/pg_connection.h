// A thin layer over libpq: one connection, its prepared statements, results, and the
// classification of errors that decides what the storage retries.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/errors.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace hpo::postgres {

// A failed libpq call. sqlstate() is the server's five-character SQLSTATE ("" when the
// client failed, e.g. could not connect); connection_lost() is true when the connection is
// unusable afterwards (the caller must reconnect). code() is 1 when the connection was lost,
// 2 for a serialization failure or deadlock (the transaction may be re-run), 0 otherwise.
class PgError : public StorageError {
 public:
  PgError(const std::string& message, std::string sqlstate, bool connection_lost);
  const std::string& sqlstate() const { return sqlstate_; }
  bool connection_lost() const { return connection_lost_; }
  // Serialization failure or deadlock: re-running the whole transaction may succeed.
  bool retryable() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }

 private:
  std::string sqlstate_;
  bool connection_lost_;
};

// Parameters are sent as text; nullopt is SQL NULL.
using Param = std::optional<std::string>;

// Doubles as text that reads back to the same bits ("NaN", "Infinity" included).
std::string double_text(double v);

// One query's rows, all columns as text (libpq's text format).
class Result {
 public:
  explicit Result(PGresult* r);
  ~Result();
  Result(Result&& other) noexcept;
  Result& operator=(Result&&) = delete;
  Result(const Result&) = delete;

  int rows() const;
  // Rows changed by an INSERT/UPDATE/DELETE.
  int64_t affected() const;
  bool is_null(int row, int column) const;
  std::string_view text(int row, int column) const;
  int64_t integer(int row, int column) const;
  double real(int row, int column) const;
  std::optional<double> optional_real(int row, int column) const;

 private:
  PGresult* r_;
};

// Not thread-safe: one thread uses a connection at a time (the storage pools them).
class Connection {
 public:
  // Connects with libpq `conninfo` (keyword=value form). `label` names the server in errors
  // and must not hold the password. Throws PgError: with connection_lost() when trying again
  // may succeed (network failure, server starting or full); without it, and with SQLSTATE
  // 28000, when the server refused for good (authentication, unknown database or role).
  Connection(const std::string& conninfo, const std::string& label);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql` as a statement prepared once per connection ($1, $2, ... placeholders).
  Result exec(const std::string& sql, const std::vector<Param>& params = {});
  // Runs SQL without parameters and without preparing it (BEGIN, COMMIT, DDL, several
  // statements at once).
  void run(const std::string& sql);

  // Sends several ';'-separated statements without parameters in one round trip and
  // returns the results of those that return rows, in order. On an error, a transaction the
  // text opened is rolled back before PgError is thrown.
  std::vector<Result> query_batch(const std::string& sql);

  // True once a call found the connection unusable.
  bool broken() const;

 private:
  [[noreturn]] void fail(PGresult* r, const std::string& what);

  PGconn* conn_;
  std::string label_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

}  // namespace hpo::postgres
