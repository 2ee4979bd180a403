#include "storage/sqlite/statements.h"

#include <cstdio>
#include <random>
#include <stdexcept>

#include "core/errors.h"
#include "storage/sqlite/python_json.h"
#include "storage/sqlite/trial_reader.h"

namespace hpo::sqlite {

std::string study_not_found(int64_t study_id) {
  return "No study with study_id " + std::to_string(study_id) + " exists.";
}

void require_study(Connection& c, int64_t study_id) {
  Statement& s = c.prepare("SELECT 1 FROM studies WHERE study_id = ?1");
  s.bind(1, study_id);
  bool found = s.step();
  s.reset();
  if (!found) throw NotFoundError(study_not_found(study_id));
}

// The trial's state, for a write: throws NotFoundError for an unknown trial and
// UpdateFinishedTrialError (Optuna's message) for a finished one.
TrialState updatable_state(Connection& c, int64_t trial_id) {
  Statement& s = c.prepare("SELECT state, number FROM trials WHERE trial_id = ?1");
  s.bind(1, trial_id);
  if (!s.step()) throw NotFoundError("No trial with trial_id " + std::to_string(trial_id) + " exists.");
  TrialState state = trial_state_from_string(s.column_text(0));
  int64_t number = s.column_int(1);
  s.reset();
  if (is_finished(state))
    throw UpdateFinishedTrialError("Trial#" + std::to_string(number) +
                                   " has already finished and can not be updated.");
  return state;
}

void upsert_value(Connection& c, int64_t trial_id, int64_t objective, double v) {
  auto stored = sqlite::to_stored(v);
  Statement& s = c.prepare(
      "INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (trial_id, objective) DO UPDATE SET value = excluded.value, "
      "value_type = excluded.value_type");
  s.bind(1, trial_id).bind(2, objective).bind(3, stored.value).bind(4, std::string_view(stored.type));
  s.run();
}

void upsert_intermediate(Connection& c, int64_t trial_id, int64_t step, double v) {
  auto stored = sqlite::to_stored(v);
  Statement& s = c.prepare(
      "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, "
      "intermediate_value_type) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (trial_id, step) DO UPDATE "
      "SET intermediate_value = excluded.intermediate_value, "
      "intermediate_value_type = excluded.intermediate_value_type");
  s.bind(1, trial_id).bind(2, step).bind(3, stored.value).bind(4, std::string_view(stored.type));
  s.run();
}

void upsert_param(Connection& c, int64_t trial_id, std::string_view name, double internal,
                  const Distribution& d) {
  Statement& s = c.prepare(
      "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (trial_id, param_name) DO UPDATE SET "
      "param_value = excluded.param_value, distribution_json = excluded.distribution_json");
  s.bind(1, trial_id).bind(2, name).bind(3, internal).bind(4, distribution_to_json_string(d));
  s.run();
}

void upsert_attr(Connection& c, const char* table, const char* owner, int64_t id,
                 std::string_view key, const nlohmann::json& value) {
  Statement& s = c.prepare(std::string("INSERT INTO ") + table + " (" + owner +
                           ", \"key\", value_json) VALUES (?1, ?2, ?3) ON CONFLICT (" + owner +
                           ", \"key\") DO UPDATE SET value_json = excluded.value_json");
  s.bind(1, id).bind(2, key).bind(3, sqlite::python_json_dumps(value));
  s.run();
}

nlohmann::json read_attrs(Connection& c, const char* table, const char* owner, int64_t id) {
  Statement& s = c.prepare(std::string("SELECT \"key\", value_json FROM ") + table + " WHERE " +
                           owner + " = ?1");
  s.bind(1, id);
  nlohmann::json attrs = nlohmann::json::object();
  while (s.step()) attrs[s.column_text(0)] = sqlite::python_json_loads(s.column_text(1));
  return attrs;
}

void stamp_heartbeat(Connection& c, int64_t trial_id) {
  // The database's clock (UTC, as SQLAlchemy's func.now() on SQLite), in Optuna's format.
  Statement& s = c.prepare(
      "INSERT INTO trial_heartbeats (trial_id, heartbeat) "
      "VALUES (?1, strftime('%Y-%m-%d %H:%M:%f000', 'now')) "
      "ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat");
  s.bind(1, trial_id);
  s.run();
}

// Inserts a trial (numbered next in its study) with everything `from` holds, or a fresh
// RUNNING trial. Runs inside the caller's write transaction.
int64_t insert_trial(Connection& c, int64_t study_id, const FrozenTrial* from, bool heartbeat) {
  Statement& n = c.prepare("SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE study_id = ?1");
  n.bind(1, study_id);
  n.step();
  int64_t number = n.column_int(0);
  n.reset();

  TrialState state = from != nullptr ? from->state : TrialState::kRunning;
  std::optional<std::string> start, complete;
  if (from == nullptr) {
    start = sqlite::now_datetime();
  } else {
    if (from->datetime_start) start = sqlite::format_datetime(*from->datetime_start);
    else if (state == TrialState::kRunning) start = sqlite::now_datetime();
    if (from->datetime_complete) complete = sqlite::format_datetime(*from->datetime_complete);
    else if (is_finished(state)) complete = sqlite::now_datetime();
  }
  Statement& s = c.prepare(
      "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, number).bind(2, study_id).bind(3, to_string(state));
  if (start) s.bind(4, std::string_view(*start)); else s.bind_null(4);
  if (complete) s.bind(5, std::string_view(*complete)); else s.bind_null(5);
  s.run();
  int64_t trial_id = c.last_insert_rowid();

  if (from != nullptr) {
    for (const auto& [name, value] : from->params) {
      auto d = from->distributions.find(name);
      if (d == from->distributions.end())
        throw std::invalid_argument("template trial has param '" + name + "' without a distribution");
      upsert_param(c, trial_id, name, value, d->second);
    }
    for (size_t i = 0; i < from->values.size(); ++i)
      upsert_value(c, trial_id, static_cast<int64_t>(i), from->values[i]);
    for (const auto& [step, value] : from->intermediate_values)
      upsert_intermediate(c, trial_id, step, value);
    for (const auto& [key, value] : from->user_attrs.items())
      upsert_attr(c, "trial_user_attributes", "trial_id", trial_id, key, value);
    for (const auto& [key, value] : from->system_attrs.items())
      upsert_attr(c, "trial_system_attributes", "trial_id", trial_id, key, value);
  }
  if (heartbeat && state == TrialState::kRunning) stamp_heartbeat(c, trial_id);
  return trial_id;
}

std::string generated_study_name() {
  // Optuna names unnamed studies "no-name-<uuid4>".
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
  uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x4000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[64];
  std::snprintf(buf, sizeof buf, "no-name-%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(a >> 32),
                static_cast<unsigned long long>((a >> 16) & 0xffff),
                static_cast<unsigned long long>(a & 0xffff),
                static_cast<unsigned long long>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

}  // namespace hpo::sqlite
