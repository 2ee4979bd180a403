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
  path = path.substr(0, path.find('?'));
  if (path.empty()) throw bad("the path is empty");
  if (path == ":memory:") throw bad("an in-memory database cannot be shared; use a file");
  // "sqlite:////abs.db" leaves "/abs.db": absolute. "sqlite:///rel.db" leaves "rel.db".
  return std::string(path);
}

nlohmann::json sqlite_url_options(std::string_view url) {
  nlohmann::json options = nlohmann::json::object();
  size_t q = url.find('?');
  if (q == std::string_view::npos) return options;
  std::string_view query = url.substr(q + 1);
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query = pair.size() < query.size() ? query.substr(pair.size() + 1) : std::string_view();
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0)
      throw std::invalid_argument("invalid SQLite URL '" + std::string(url) + "': option '" +
                                  std::string(pair) + "' is not key=value");
    std::string key(pair.substr(0, eq));
    std::string text(pair.substr(eq + 1));
    if (options.contains(key))
      throw std::invalid_argument("invalid SQLite URL '" + std::string(url) + "': option '" +
                                  key + "' given twice");
    nlohmann::json value = text;
    if (text == "true" || text == "false") {
      value = text == "true";
    } else {
      auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_number()) value = parsed;
    }
    options[key] = value;
  }
  return options;
}

}  // namespace hpo::sqlite
