// Optuna 3.x's RDB schema (alembic revision v3.0.0.d, version_info.schema_version 12), table
// for table and column for column, plus two indexes of hpo's own, and the checks run before a
// file is used as a study database.
#pragma once

#include <memory>
#include <string>

#include "storage/sqlite/connection.h"

namespace hpo::sqlite {

// version_info.schema_version that Optuna 3.x writes and reads.
inline constexpr int kSchemaVersion = 12;

// Opens the study database at `path` (creating it when missing if `options.create`) and returns
// a connection to it. Nothing is written to the file until every check has passed; each failure
// throws StorageError naming the file and the reason, leaving the file as it was:
// - the file does not exist and `options.create` is off, or its directory is missing or cannot
//   be written;
// - the file exists but cannot be read and written (read, with `options.read_only`), or its
//   directory cannot be written (SQLite keeps its -wal and -shm files beside it);
// - the file is not an SQLite database, or is empty and `options.read_only` is on;
// - the database has tables but is not a study database, or has a schema version or alembic
//   revision that hpo does not know.
// A new or empty database gets Optuna's tables, the version_info row, and an empty
// alembic_version table in one transaction: whichever Optuna release opens the file first
// stamps its own head revision, so both Optuna 3.1 and later releases accept it. A database
// whose schema is complete and in WAL mode is only read, so opening it succeeds while another
// process holds the write lock; a file Optuna made is switched to WAL and given hpo's indexes
// (skipped with `options.read_only`, which never writes).
// A read-only open of a file in a folder that cannot be written (a read-only medium) and with
// no -wal file beside it sets `options.immutable`: SQLite could not create the -shm file it
// needs, and no process can be changing the file. Later connections take the same options.
std::unique_ptr<Connection> open_study_database(const std::string& path,
                                                ConnectionOptions& options);

// What to do about an SQLite error on a study database, by its result code (busy, I/O, disk
// full, read-only, corrupt), or "" when SQLite's own text is all there is to say.
std::string error_hint(int code, int busy_timeout_ms);

// Per-connection settings every pooled connection gets (synchronous mode, cache size).
void configure_connection(Connection& connection);

}  // namespace hpo::sqlite
