#include "cli/yaml_checker.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include "core/option_reader.h"

namespace hpo::cli {

void Checker::problem(const YAML::Node& at, const std::string& field, const std::string& message) {
  int line = at.IsDefined() ? at.Mark().line + 1 : 0;
  add(line, field, message);
}
void Checker::add(int line, const std::string& field, const std::string& message) {
  std::string where = file_ + (line > 0 ? ":" + std::to_string(line) : "") + ": ";
  problems_.push_back(where + field + ": " + message);
}

// Rejects keys of `map` not in `known`, with a did-you-mean.
void Checker::check_keys(const YAML::Node& map, const std::string& field,
                const std::vector<std::string>& known) {
  for (const auto& kv : map) {
    std::string key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string message = "unknown key '" + key + "'";
    if (auto guess = did_you_mean(key, known)) {
      message += "; did you mean '" + *guess + "'?";
    } else {
      message += "; known keys: ";
      for (size_t i = 0; i < known.size(); ++i) message += (i ? ", " : "") + known[i];
    }
    problem(kv.first, join(field, key), message);
  }
}

void Checker::check_duplicate_keys(const YAML::Node& n, const std::string& field) {
  std::set<size_t> visited;
  check_duplicate_keys(n, field, visited, 0);
}

void Checker::check_duplicate_keys(const YAML::Node& n, const std::string& field,
                                   std::set<size_t>& visited, int depth) {
  if (!n.IsSequence() && !n.IsMap()) return;
  // A node's position in the text identifies it: every alias of it has the same mark.
  // Nesting deeper than any study file needs is left to the checks that bound it.
  if (depth > kMaxDuplicateKeyDepth || !visited.insert(n.Mark().pos).second) return;
  if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i)
      check_duplicate_keys(n[i], field + "[" + std::to_string(i) + "]", visited, depth + 1);
    return;
  }
  std::map<std::string, int> first_line;
  for (const auto& kv : n) {
    if (!kv.first.IsScalar()) continue;
    std::string key = kv.first.Scalar();
    int line = kv.first.Mark().line + 1;
    auto [it, fresh] = first_line.emplace(key, line);
    if (!fresh) {
      problem(kv.first, join(field, key),
              "given more than once (first on line " + std::to_string(it->second) +
                  "); keep one");
      continue;
    }
    check_duplicate_keys(kv.second, join(field, key), visited, depth + 1);
  }
}

std::optional<std::string> Checker::string(const YAML::Node& n, const std::string& field) {
  if (!n.IsScalar() || n.Scalar().empty()) {
    problem(n, field, "must be a non-empty string");
    return std::nullopt;
  }
  return n.Scalar();
}
std::optional<double> Checker::number(const YAML::Node& n, const std::string& field) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    double v = 0.0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size() && std::isfinite(v)) return v;
  }
  problem(n, field, "must be a finite number, got '" + text(n) + "'");
  return std::nullopt;
}
std::optional<int64_t> Checker::integer(const YAML::Node& n, const std::string& field) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) return v;
  }
  problem(n, field, "must be an integer, got '" + text(n) + "'");
  return std::nullopt;
}
std::optional<bool> Checker::boolean(const YAML::Node& n, const std::string& field) {
  if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) {
    return n.Scalar() == "true";
  }
  problem(n, field, "must be true or false, got '" + text(n) + "'");
  return std::nullopt;
}
bool Checker::is_map(const YAML::Node& n, const std::string& field, const std::string& example) {
  if (n.IsMap()) return true;
  problem(n, field, "must be a mapping, e.g. " + example);
  return false;
}

std::string Checker::join(const std::string& a, const std::string& b) {
  return a.empty() ? b : a + "." + b;
}
std::string Checker::text(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return "nothing";
}

ParamValue choice_of(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return s;
  if (s == "~" || s == "null" || s == "Null" || s == "NULL") return std::monostate{};
  if (s == "true" || s == "True") return true;
  if (s == "false" || s == "False") return false;
  int64_t i = 0;
  if (auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      ec == std::errc() && end == s.data() + s.size()) {
    return i;
  }
  double d = 0.0;
  if (auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      ec == std::errc() && end == s.data() + s.size()) {
    return d;
  }
  return s;
}

namespace {

// Aliases let a few hundred bytes of YAML name a tree of 10^8 values (each level a list of
// ten aliases of the one before), or an endless one (an alias inside its own anchor): copying
// counts the values and the depth and stops past these.
constexpr size_t kMaxJsonValues = 100000;
constexpr int kMaxJsonDepth = 100;

nlohmann::json to_json_within(const YAML::Node& n, size_t& budget, int depth = 0) {
  if (budget == 0 || depth > kMaxJsonDepth) {
    throw std::invalid_argument("holds more than " + std::to_string(kMaxJsonValues) +
                                " values or " + std::to_string(kMaxJsonDepth) +
                                " levels once its aliases are expanded; write it out plainly");
  }
  --budget;
  if (n.IsMap()) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& kv : n) {
      j[kv.first.Scalar()] = to_json_within(kv.second, budget, depth + 1);
    }
    return j;
  }
  if (n.IsSequence()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& item : n) j.push_back(to_json_within(item, budget, depth + 1));
    return j;
  }
  if (n.IsScalar()) return to_json(choice_of(n));
  return nullptr;
}

}  // namespace

nlohmann::json yaml_to_json(const YAML::Node& n) {
  size_t budget = kMaxJsonValues;
  return to_json_within(n, budget);
}

}  // namespace hpo::cli
