#include "storage/postgres/pg_connection.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include <libpq-fe.h>

namespace hpo::postgres {

namespace {

std::string trimmed(const char* text) {
  std::string s = text != nullptr ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Server-side errors after which the connection is gone or about to be: class 08
// (connection exception) and the shutdown family 57P01..57P03.
bool ends_connection(const std::string& sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

int code_of(const std::string& sqlstate, bool lost) {
  if (lost) return 1;
  if (sqlstate == "40001" || sqlstate == "40P01") return 2;
  return 0;
}

}  // namespace

PgError::PgError(const std::string& message, std::string sqlstate, bool connection_lost)
    : StorageError(message, code_of(sqlstate, connection_lost)),
      sqlstate_(std::move(sqlstate)),
      connection_lost_(connection_lost) {}

std::string double_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// ---- Result ----

Result::Result(PGresult* r) : r_(r) {}
Result::~Result() {
  if (r_ != nullptr) PQclear(r_);
}
Result::Result(Result&& other) noexcept : r_(other.r_) { other.r_ = nullptr; }

int Result::rows() const { return PQntuples(r_); }

int64_t Result::affected() const {
  const char* n = PQcmdTuples(r_);
  return n != nullptr && *n != '\0' ? std::strtoll(n, nullptr, 10) : 0;
}

bool Result::is_null(int row, int column) const { return PQgetisnull(r_, row, column) != 0; }

std::string_view Result::text(int row, int column) const {
  return {PQgetvalue(r_, row, column), static_cast<size_t>(PQgetlength(r_, row, column))};
}

int64_t Result::integer(int row, int column) const {
  return std::strtoll(PQgetvalue(r_, row, column), nullptr, 10);
}

double Result::real(int row, int column) const {
  // strtod reads PostgreSQL's "NaN", "Infinity" and "-Infinity" as well.
  return std::strtod(PQgetvalue(r_, row, column), nullptr);
}

std::optional<double> Result::optional_real(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return real(row, column);
}

// ---- Connection ----

Connection::Connection(const std::string& conninfo, const std::string& label)
    : conn_(PQconnectdb(conninfo.c_str())), label_(label) {
  if (conn_ == nullptr) throw PgError("cannot connect to " + label_ + ": out of memory", "", true);
  if (PQstatus(conn_) != CONNECTION_OK) {
    // libpq's message names host, port and user, never the password.
    std::string reason = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    // A server that answered with a FATAL refusal (wrong password, no such database or role,
    // no pg_hba.conf entry) will refuse again: fail now instead of reconnecting. A server
    // that is starting, stopping or full, and a network failure, may pass.
    bool refused = reason.find("FATAL:") != std::string::npos &&
                   reason.find("starting up") == std::string::npos &&
                   reason.find("shutting down") == std::string::npos &&
                   reason.find("recovery") == std::string::npos &&
                   reason.find("too many") == std::string::npos &&
                   reason.find("remaining connection slots") == std::string::npos;
    throw PgError("cannot connect to " + label_ + ": " + reason, refused ? "28000" : "", !refused);
  }
  // Settings the text encodings below rely on, whatever the server's defaults: ISO dates,
  // doubles that read back exactly, and no notices on stderr.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  run("SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3; SET client_encoding = 'UTF8'");
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

bool Connection::broken() const { return conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK; }

void Connection::fail(PGresult* r, const std::string& what) {
  std::string sqlstate;
  std::string message;
  if (r != nullptr) {
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (state != nullptr) sqlstate = state;
    message = trimmed(PQresultErrorMessage(r));
    PQclear(r);
  }
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  bool lost = broken() || ends_connection(sqlstate);
  throw PgError("PostgreSQL error on " + label_ + " (" + what + "): " + message, sqlstate, lost);
}

Result Connection::exec(const std::string& sql, const std::vector<Param>& params) {
  if (broken()) throw PgError("connection to " + label_ + " lost", "", true);
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size());
    PGresult* p = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
    if (PQresultStatus(p) != PGRES_COMMAND_OK) fail(p, "prepare");
    PQclear(p);
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values(params.size());
  for (size_t i = 0; i < params.size(); ++i)
    values[i] = params[i] ? params[i]->c_str() : nullptr;
  PGresult* r = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()),
                               values.data(), nullptr, nullptr, 0);
  ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) fail(r, "query");
  return Result(r);
}

void Connection::run(const std::string& sql) {
  if (broken()) throw PgError("connection to " + label_ + " lost", "", true);
  PGresult* r = PQexec(conn_, sql.c_str());
  ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) fail(r, "statement");
  PQclear(r);
}

std::vector<Result> Connection::query_batch(const std::string& sql) {
  if (broken()) throw PgError("connection to " + label_ + " lost", "", true);
  if (PQsendQuery(conn_, sql.c_str()) == 0) fail(nullptr, "send");
  std::vector<Result> results;
  PGresult* error = nullptr;
  while (PGresult* r = PQgetResult(conn_)) {
    ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_TUPLES_OK) {
      results.emplace_back(r);
    } else if (status == PGRES_COMMAND_OK || error != nullptr) {
      PQclear(r);
    } else {
      error = r;
    }
  }
  if (error != nullptr) {
    if (!broken() && PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      PGresult* rollback = PQexec(conn_, "ROLLBACK");
      PQclear(rollback);
    }
    fail(error, "query");
  }
  return results;
}

}  // namespace hpo::postgres
