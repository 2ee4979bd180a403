#include "core/factory_storage.h"

#include <stdexcept>

#include "core/option_reader.h"
#include "storage/postgres/pg_url.h"
#include "storage/sqlite/sqlite_url.h"

namespace hpo {

StorageUrl parse_storage_url(std::string_view url) {
  StorageUrl out;
  if (url.empty() || url == ":memory:") return out;
  if (sqlite::is_sqlite_url(url)) {
    out.kind = StorageUrl::Kind::kSqlite;
    OptionReader reader("storage 'sqlite'", sqlite::sqlite_url_options(url));
    out.sqlite_options = read_sqlite_storage_options(reader);
    reader.finish();
    out.sqlite_path = sqlite::sqlite_url_path(url);
    return out;
  }
  if (postgres::is_postgres_url(url)) {
    out.kind = StorageUrl::Kind::kPostgres;
    postgres::PostgresUrl parsed = postgres::parse_postgres_url(url);
    OptionReader reader("storage 'postgresql'", parsed.options);
    out.postgres_options = read_postgres_storage_options(reader);
    reader.finish();
    return out;
  }
  // Only the scheme is echoed: a URL may carry a password.
  std::string scheme(url.substr(0, url.find(':')));
  throw std::invalid_argument("unsupported storage URL scheme '" + scheme +
                              "': use ':memory:' for an in-memory study, sqlite:///path.db or "
                              "postgresql://user:password@host:port/dbname");
}

}  // namespace hpo
