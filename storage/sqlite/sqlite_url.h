// Optuna's (SQLAlchemy's) SQLite URLs: "sqlite:///relative/path.db" names a path relative to
// the working directory, "sqlite:////absolute/path.db" an absolute one.
#pragma once

#include <string>
#include <string_view>

namespace hpo::sqlite {

// True if `url` starts with "sqlite:".
bool is_sqlite_url(std::string_view url);

// The file path in an SQLite URL. Throws std::invalid_argument (quoting the URL) for anything
// else: another scheme, "sqlite://" with a host, an empty path, a query string, or the
// in-memory forms "sqlite://" and "sqlite:///:memory:" (a study database must be a file that
// several processes can share).
std::string sqlite_url_path(std::string_view url);

}  // namespace hpo::sqlite
