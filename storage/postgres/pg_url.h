// Optuna's (SQLAlchemy's) PostgreSQL URLs:
//   postgresql://user:password@host:port/dbname?key=value&...
//   postgresql+psycopg2://...   (the driver name is accepted and ignored)
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hpo::postgres {

struct PostgresUrl {
  // libpq keyword=value connection string (holds the password; never print it).
  std::string conninfo;
  // "postgresql://user@host:port/dbname": the URL without the password, for messages.
  std::string label;
  // The storage's own options from the query string (heartbeat_interval, grace_period,
  // max_retry, retry_failed_trials, reconnect_timeout), typed as in sqlite_url_options.
  nlohmann::json options = nlohmann::json::object();
};

// True if `url` starts with "postgresql:" or "postgresql+<driver>:" (or "postgres:").
bool is_postgres_url(std::string_view url);

// Splits the URL. User, password and database name are percent-decoded. Query keys that
// libpq knows (sslmode, connect_timeout, application_name, ...) are passed to it; all others
// are the storage's options. Throws std::invalid_argument for a malformed URL; the message
// quotes the URL with its password replaced by "***".
PostgresUrl parse_postgres_url(std::string_view url);

// The URL with any password replaced by "***" (everything after the scheme, if the URL
// cannot be taken apart).
std::string redact_url(std::string_view url);

}  // namespace hpo::postgres
