#include "storage/sqlite/trial_reader.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

#include "storage/sqlite/python_json.h"

namespace hpo::sqlite {

std::string format_datetime(Clock::time_point t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  int64_t fraction = micros % 1000000;
  if (fraction < 0) {
    fraction += 1000000;
    --seconds;
  }
  std::tm tm{};
  localtime_r(&seconds, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06lld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(fraction));
  return buf;
}

std::optional<Clock::time_point> parse_datetime(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::tm tm{};
  char fraction[16] = {0};
  std::string s(text);
  int n = std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d.%15[0-9]", &tm.tm_year, &tm.tm_mon,
                      &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, fraction);
  if (n < 6) return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  std::time_t seconds = std::mktime(&tm);
  int64_t micros = 0;
  if (n == 7) {
    std::string digits(fraction);
    digits.resize(6, '0');
    micros = std::stoll(digits);
  }
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(
      std::chrono::seconds(seconds) + std::chrono::microseconds(micros)));
}

std::string now_datetime() { return format_datetime(Clock::now()); }

StoredValue to_stored(double v) {
  if (std::isnan(v)) return {std::nullopt, "NAN"};
  if (std::isinf(v)) return {std::nullopt, v > 0 ? "INF_POS" : "INF_NEG"};
  return {v, "FINITE"};
}

double from_stored(const std::optional<double>& value, std::string_view type) {
  if (type == "INF_POS") return std::numeric_limits<double>::infinity();
  if (type == "INF_NEG") return -std::numeric_limits<double>::infinity();
  if (type == "NAN" || !value) return std::numeric_limits<double>::quiet_NaN();
  return *value;
}

namespace {

// Which trials a bulk read covers; the same condition for every table.
constexpr const char* kSelected =
    "(SELECT trial_id FROM trials WHERE study_id = ?1 AND trial_id > ?2 "
    "UNION SELECT value FROM json_each(?3))";

std::string ids_json(const std::vector<int64_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "]";
}

Statement& select(Connection& c, const std::string& sql, int64_t study_id, int64_t after,
                  const std::string& ids) {
  Statement& s = c.prepare(sql);
  s.bind(1, study_id).bind(2, after).bind(3, std::string_view(ids));
  return s;
}

std::optional<double> column_optional(Statement& s, int i) {
  if (s.column_is_null(i)) return std::nullopt;
  return s.column_double(i);
}

}  // namespace

std::vector<std::shared_ptr<FrozenTrial>> load_trials(Connection& c, int64_t study_id,
                                                      int64_t after_trial_id,
                                                      const std::vector<int64_t>& trial_ids,
                                                      DistributionCache& distributions) {
  std::string ids = ids_json(trial_ids);
  std::vector<std::shared_ptr<FrozenTrial>> trials;
  std::unordered_map<int64_t, FrozenTrial*> by_id;
  const std::string in = std::string(" WHERE trial_id IN ") + kSelected;

  Statement& t = select(c,
                        "SELECT trial_id, number, state, datetime_start, datetime_complete "
                        "FROM trials" + in + " ORDER BY trial_id",
                        study_id, after_trial_id, ids);
  while (t.step()) {
    auto trial = std::make_shared<FrozenTrial>();
    trial->trial_id = t.column_int(0);
    trial->number = t.column_int(1);
    trial->state = trial_state_from_string(t.column_text(2));
    trial->datetime_start = parse_datetime(t.column_text(3));
    trial->datetime_complete = parse_datetime(t.column_text(4));
    by_id[trial->trial_id] = trial.get();
    trials.push_back(std::move(trial));
  }
  if (trials.empty()) return trials;

  Statement& p = select(c,
                        "SELECT trial_id, param_name, param_value, distribution_json "
                        "FROM trial_params" + in,
                        study_id, after_trial_id, ids);
  while (p.step()) {
    auto it = by_id.find(p.column_int(0));
    if (it == by_id.end()) continue;  // a trial inserted after the trials query: not ours
    std::string name = p.column_text(1);
    std::string json = p.column_text(3);
    auto d = distributions.find(json);
    if (d == distributions.end())
      d = distributions.emplace(json, distribution_from_json(python_json_loads(json))).first;
    it->second->params.emplace(name, p.column_double(2));
    it->second->distributions.emplace(std::move(name), d->second);
  }

  Statement& v = select(c,
                        "SELECT trial_id, objective, value, value_type FROM trial_values" + in +
                            " ORDER BY trial_id, objective",
                        study_id, after_trial_id, ids);
  while (v.step()) {
    auto it = by_id.find(v.column_int(0));
    if (it == by_id.end()) continue;
    auto objective = static_cast<size_t>(v.column_int(1));
    auto& values = it->second->values;
    if (values.size() <= objective) values.resize(objective + 1);
    values[objective] = from_stored(column_optional(v, 2), v.column_text(3));
  }

  Statement& iv = select(c,
                         "SELECT trial_id, step, intermediate_value, intermediate_value_type "
                         "FROM trial_intermediate_values" + in,
                         study_id, after_trial_id, ids);
  while (iv.step()) {
    auto it = by_id.find(iv.column_int(0));
    if (it == by_id.end()) continue;
    it->second->intermediate_values[iv.column_int(1)] =
        from_stored(column_optional(iv, 2), iv.column_text(3));
  }

  for (bool user : {true, false}) {
    Statement& a = select(c,
                          std::string("SELECT trial_id, \"key\", value_json FROM ") +
                              (user ? "trial_user_attributes" : "trial_system_attributes") + in,
                          study_id, after_trial_id, ids);
    while (a.step()) {
      auto it = by_id.find(a.column_int(0));
      if (it == by_id.end()) continue;
      nlohmann::json& attrs = user ? it->second->user_attrs : it->second->system_attrs;
      attrs[a.column_text(1)] = python_json_loads(a.column_text(2));
    }
  }
  return trials;
}

}  // namespace hpo::sqlite
