#include "storage/sqlite/trial_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

#include "storage/sqlite/python_json.h"

namespace hpo::sqlite {

namespace {

// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Seconds east of UTC of the local time zone at `t`. The zone is read once per process
// (localtime_r reads it only on first use; the static makes that first use single-threaded).
std::time_t utc_offset(std::time_t t) {
  static const bool zone_read = [] {
    tzset();
    return true;
  }();
  (void)zone_read;
  std::tm tm{};
  localtime_r(&t, &tm);
  return tm.tm_gmtoff;
}

}  // namespace

std::string format_datetime(Clock::time_point t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  int64_t fraction = micros % 1000000;
  if (fraction < 0) {
    fraction += 1000000;
    --seconds;
  }
  utc_offset(seconds);  // reads the time zone once, before localtime_r below
  std::tm tm{};
  localtime_r(&seconds, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06lld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(fraction));
  return buf;
}

std::optional<Clock::time_point> parse_datetime(std::string_view text) {
  // "YYYY-MM-DD HH:MM:SS" then an optional ".f" to ".ffffff".
  auto digits = [&](size_t pos, size_t len) -> int {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (i >= text.size() || text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  int year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  int hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return std::nullopt;
  int64_t micros = 0;
  if (text.size() > 20 && text[19] == '.') {
    size_t n = std::min<size_t>(text.size() - 20, 6);
    int f = digits(20, n);
    if (f < 0) return std::nullopt;
    micros = f;
    for (size_t i = n; i < 6; ++i) micros *= 10;
  }
  // Local time to time_t without mktime: mktime re-reads the time zone on every call (which
  // dominated loading a large study, and races inside glibc when threads call it at once).
  // The date is converted as if UTC, then shifted by the local offset that localtime_r reports
  // there. Trials come in time order, so the last hour converted is kept: within an hour the
  // local offset does not change.
  thread_local std::string cached_hour;
  thread_local std::time_t cached_start = 0;
  std::string_view hour_text = text.substr(0, 13);
  if (hour_text != cached_hour) {
    std::time_t as_utc = days_from_civil(year, month, day) * 86400 + hour * 3600;
    std::time_t local = as_utc - utc_offset(as_utc);
    cached_start = as_utc - utc_offset(local);
    cached_hour = hour_text;
  }
  std::time_t seconds = cached_start + minute * 60 + second;
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

// Reading one trial by id is the common case (every ask and tell does it): plain equality
// lets SQLite use the primary key directly instead of building the selection first.
constexpr const char* kOne = " WHERE trial_id = ?1";

struct Selection {
  bool one;
  int64_t study_id;
  int64_t after;
  std::string ids;
};

Statement& select(Connection& c, const std::string& sql, const Selection& sel) {
  Statement& s = c.prepare(sql);
  if (sel.one) {
    s.bind(1, sel.after);
  } else {
    s.bind(1, sel.study_id).bind(2, sel.after).bind(3, std::string_view(sel.ids));
  }
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
  bool one = study_id < 0 && trial_ids.size() == 1;
  Selection sel{one, study_id, one ? trial_ids[0] : after_trial_id, one ? "" : ids_json(trial_ids)};
  std::vector<std::shared_ptr<FrozenTrial>> trials;
  std::unordered_map<int64_t, FrozenTrial*> by_id;
  const std::string in = one ? std::string(kOne) : std::string(" WHERE trial_id IN ") + kSelected;

  Statement& t = select(c,
                        "SELECT trial_id, number, state, datetime_start, datetime_complete "
                        "FROM trials" + in + " ORDER BY trial_id",
                        sel);
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
                        sel);
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
                        sel);
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
                         sel);
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
                          sel);
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
