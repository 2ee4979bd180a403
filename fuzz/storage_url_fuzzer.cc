// Fuzzes the reading of storage URLs (core/factory_storage.h), which come from users, study
// files and --storage. Parse only: nothing is created or connected to.
// Contract: any text either reads as a storage, or is refused with std::invalid_argument.
// A PostgreSQL URL that reads gives a connection string libpq itself can parse. Any other
// exception, crash or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <libpq-fe.h>

#include "core/factory_storage.h"
#include "storage/postgres/pg_url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view url(reinterpret_cast<const char*>(data), size);
  hpo::StorageUrl parsed;
  try {
    parsed = hpo::parse_storage_url(url);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  if (parsed.kind == hpo::StorageUrl::Kind::kSqlite && parsed.sqlite_path.empty())
    __builtin_trap();
  if (parsed.kind == hpo::StorageUrl::Kind::kPostgres) {
    std::string conninfo = hpo::postgres::parse_postgres_url(url).conninfo;
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (options == nullptr) __builtin_trap();  // hpo wrote a string libpq cannot read
    PQconninfoFree(options);
  }
  return 0;
}
