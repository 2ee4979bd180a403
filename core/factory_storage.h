// The factory's reading of storage URLs (core/factory.cc's make_storage opens what this
// reads). Kept apart so that a URL can be checked, and fuzzed, without creating a file or
// connecting to a server.
#pragma once

#include <string>
#include <string_view>

#include "storage/postgres/postgres_storage.h"
#include "storage/sqlite/sqlite_storage.h"

namespace hpo {

struct StorageUrl {
  enum class Kind { kInMemory, kSqlite, kPostgres };
  Kind kind = Kind::kInMemory;
  std::string sqlite_path;  // kSqlite: relative to the working directory, or absolute
  SqliteStorageOptions sqlite_options;
  PostgresStorageOptions postgres_options;
};

// Reads a URL as make_storage() takes it: ":memory:" (or empty), "sqlite:///relative.db",
// "sqlite:////absolute.db", "postgresql://user:password@host:port/dbname", each with its
// storage's options in the query string. Throws std::invalid_argument for a URL it cannot
// read or an option that is unknown or of the wrong type; the message never holds a
// PostgreSQL password. Opens nothing.
StorageUrl parse_storage_url(std::string_view url);

}  // namespace hpo
