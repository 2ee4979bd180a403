// Optuna 3.x's RDB schema as SQLAlchemy creates it on PostgreSQL (native enum types, SERIAL
// keys, double precision values, timestamps without time zone), plus hpo's own indexes and
// its write log, and the checks run before a database is used as a study database.
#pragma once

#include <string>

#include "storage/postgres/pg_connection.h"

namespace hpo::postgres {

// version_info.schema_version that Optuna 3.x writes and reads.
inline constexpr int kSchemaVersion = 12;

// Creates whatever of the schema is missing, under an advisory lock so that many hosts
// starting at once create it once. Throws StorageError naming the server (not the password)
// if the database holds Optuna tables of an unknown schema version, or `studies` without
// `version_info`. Like the SQLite backend, it leaves alembic_version empty: the first Optuna
// release to open the database stamps its own head revision.
void ensure_schema(Connection& c, const std::string& label);

}  // namespace hpo::postgres
