#include "storage/sqlite/sqlite_url.h"

#include <stdexcept>

namespace hpo::sqlite {

bool is_sqlite_url(std::string_view url) { return url.substr(0, 7) == "sqlite:"; }

std::string sqlite_url_path(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("invalid SQLite URL '" + std::string(url) + "': " + why +
                                 " (expected sqlite:///relative.db or sqlite:////absolute.db)");
  };
  constexpr std::string_view kPrefix = "sqlite:///";
  if (url.substr(0, kPrefix.size()) != kPrefix) {
    if (is_sqlite_url(url) && url.substr(0, 9) == "sqlite://" && url.size() > 9)
      throw bad("a host is not allowed");
    throw bad("it does not start with sqlite:///");
  }
  std::string_view path = url.substr(kPrefix.size());
  if (path.find('?') != std::string_view::npos) throw bad("query options are not supported");
  if (path.empty()) throw bad("the path is empty");
  if (path == ":memory:") throw bad("an in-memory database cannot be shared; use a file");
  // "sqlite:////abs.db" leaves "/abs.db": absolute. "sqlite:///rel.db" leaves "rel.db".
  return std::string(path);
}

}  // namespace hpo::sqlite
