#include "storage/postgres/pg_url.h"

#include <cctype>
#include <set>
#include <stdexcept>

#include <libpq-fe.h>

namespace hpo::postgres {

namespace {

const std::set<std::string, std::less<>> kStorageKeys = {
    "heartbeat_interval", "grace_period", "max_retry", "retry_failed_trials",
    "reconnect_timeout"};

// The connection keywords this libpq knows (host, sslmode, connect_timeout, ...).
bool is_libpq_keyword(const std::string& key) {
  static const std::set<std::string> keywords = [] {
    std::set<std::string> out;
    PQconninfoOption* options = PQconndefaults();
    for (PQconninfoOption* o = options; o != nullptr && o->keyword != nullptr; ++o)
      out.insert(o->keyword);
    PQconninfoFree(options);
    return out;
  }();
  return keywords.count(key) != 0;
}

std::string percent_decode(std::string_view s, std::string_view url) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
        throw std::invalid_argument("bad percent escape in PostgreSQL URL '" + redact_url(url) + "'");
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// libpq conninfo value: single-quoted, with \ and ' escaped.
std::string quoted(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

nlohmann::json typed(const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  try {
    size_t used = 0;
    if (v.find_first_of(".eE") == std::string::npos) {
      long long i = std::stoll(v, &used);
      if (used == v.size()) return i;
    } else {
      double d = std::stod(v, &used);
      if (used == v.size()) return d;
    }
  } catch (const std::exception&) {
  }
  return v;
}

// Where the "://" after the scheme starts, or npos. Only right after the scheme: a "://"
// further on (in a path or a query value) does not make a URL of "postgresql:/x".
size_t scheme_end(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || url.substr(colon, 3) != "://")
    return std::string_view::npos;
  return colon;
}

}  // namespace

bool is_postgres_url(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view scheme = url.substr(0, colon);
  std::string_view base = scheme.substr(0, scheme.find('+'));
  return base == "postgresql" || base == "postgres";
}

std::string redact_url(std::string_view url) {
  size_t start = scheme_end(url);
  if (start == std::string_view::npos) {
    // Not a URL form we can take apart: show only the scheme.
    size_t colon = url.find(':');
    return colon == std::string_view::npos ? "***" : std::string(url.substr(0, colon)) + ":***";
  }
  start += 3;
  size_t at = url.find('@', start);
  size_t slash = url.find('/', start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at))
    return std::string(url);
  size_t colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

PostgresUrl parse_postgres_url(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("bad PostgreSQL URL '" + redact_url(url) + "': " + why +
                                 " (expected postgresql://user:password@host:port/dbname)");
  };
  if (!is_postgres_url(url)) throw bad("not a postgresql:// URL");
  size_t start = scheme_end(url);
  if (start == std::string_view::npos) throw bad("missing '://'");
  std::string_view rest = url.substr(start + 3);
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest, path;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }
  std::string user, password, host, port;
  bool has_password = false;
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    if (size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
      password = percent_decode(userinfo.substr(colon + 1), url);
      has_password = true;
      userinfo = userinfo.substr(0, colon);
    }
    user = percent_decode(userinfo, url);
  }
  if (!authority.empty() && authority.front() == '[') {  // [ipv6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) throw bad("unclosed '['");
    host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') throw bad("junk after ']'");
      port = std::string(authority.substr(close + 2));
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = std::string(authority.substr(0, colon));
    port = std::string(authority.substr(colon + 1));
  } else {
    host = std::string(authority);
  }
  if (!port.empty() && port.find_first_not_of("0123456789") != std::string::npos)
    throw bad("port '" + port + "' is not a number");
  std::string dbname = percent_decode(path, url);

  PostgresUrl out;
  std::string& c = out.conninfo;
  auto add = [&c](const std::string& key, const std::string& value) {
    if (!c.empty()) c += ' ';
    c += key + '=' + quoted(value);
  };
  if (!host.empty()) add("host", host);
  if (!port.empty()) add("port", port);
  if (!user.empty()) add("user", user);
  if (has_password) add("password", password);
  if (!dbname.empty()) add("dbname", dbname);
  // A dead peer (host gone, cable pulled) must surface as an error within seconds, not after
  // the kernel's two hours: the storage reconnects only once it sees the failure.
  std::set<std::string> libpq_keys;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) throw bad("query key without '='");
    std::string key = percent_decode(pair.substr(0, eq), url);
    std::string value = percent_decode(pair.substr(eq + 1), url);
    // Keys libpq does not know either go to the storage's options, where the option
    // reader reports them with a did-you-mean.
    if (kStorageKeys.count(key) != 0 || !is_libpq_keyword(key)) {
      if (out.options.contains(key)) throw bad("query key '" + key + "' repeated");
      out.options[key] = typed(value);
    } else {
      if (!libpq_keys.insert(key).second) throw bad("query key '" + key + "' repeated");
      add(key, value);
    }
  }
  const std::pair<const char*, const char*> defaults[] = {
      {"connect_timeout", "10"}, {"keepalives", "1"},        {"keepalives_idle", "5"},
      {"keepalives_interval", "2"}, {"keepalives_count", "3"}, {"tcp_user_timeout", "15000"},
      {"application_name", "hpo"}};
  for (const auto& [key, value] : defaults)
    if (libpq_keys.count(key) == 0) add(key, value);

  // libpq reads the connection string as a C string: a NUL would cut it short.
  if (c.find('\0') != std::string::npos) throw bad("a NUL byte (%00) cannot be passed to libpq");
  out.label = "postgresql://" + (user.empty() ? "" : user + "@") + host +
              (port.empty() ? "" : ":" + port) + "/" + dbname;
  return out;
}

}  // namespace hpo::postgres
