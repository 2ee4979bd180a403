// Optuna's (SQLAlchemy's) SQLite URLs: "sqlite:///relative/path.db" names a path relative to
// the working directory, "sqlite:////absolute/path.db" an absolute one.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hpo::sqlite {

// True if `url` starts with "sqlite:".
bool is_sqlite_url(std::string_view url);

// The file path in an SQLite URL. Throws std::invalid_argument (quoting the URL) for anything
// else: another scheme, "sqlite://" with a host, an empty path, or the in-memory forms
// "sqlite://" and "sqlite:///:memory:" (a study database must be a file that several
// processes can share).
std::string sqlite_url_path(std::string_view url);

// The storage options in the URL's query string, as a JSON object for OptionReader:
// "sqlite:///s.db?heartbeat_interval=60&grace_period=120&max_retry=3" gives
// {"heartbeat_interval": 60, "grace_period": 120, "max_retry": 3}. Numbers and true/false
// become JSON numbers and booleans, anything else a string. (SQLAlchemy passes query keys to
// the driver; hpo has no driver options, so the keys are the storage's, named as Optuna's
// RDBStorage arguments.) Throws std::invalid_argument for a key without '=' or repeated.
nlohmann::json sqlite_url_options(std::string_view url);

}  // namespace hpo::sqlite
