#include "storage/postgres/pg_rows.h"

#include <cmath>
#include <stdexcept>

#include "core/errors.h"
#include "storage/sqlite/python_json.h"
#include "storage/sqlite/trial_reader.h"

namespace hpo::postgres {

std::string id(int64_t v) { return std::to_string(v); }

std::string study_not_found(int64_t study_id) {
  return "No study with study_id " + std::to_string(study_id) + " exists.";
}

void require_study(Connection& c, int64_t study_id, bool lock) {
  Result r = c.exec(lock ? "SELECT 1 FROM studies WHERE study_id = $1 FOR UPDATE"
                         : "SELECT 1 FROM studies WHERE study_id = $1",
                    {id(study_id)});
  if (r.rows() == 0) throw NotFoundError(study_not_found(study_id));
}

// Locks the trial row and returns its state: NotFoundError for an unknown trial,
// UpdateFinishedTrialError (Optuna's message) for a finished one.
TrialState updatable_state(Connection& c, int64_t trial_id) {
  Result r = c.exec("SELECT state, number FROM trials WHERE trial_id = $1 FOR UPDATE",
                    {id(trial_id)});
  if (r.rows() == 0)
    throw NotFoundError("No trial with trial_id " + std::to_string(trial_id) + " exists.");
  TrialState state = trial_state_from_string(r.text(0, 0));
  if (is_finished(state))
    throw UpdateFinishedTrialError("Trial#" + std::string(r.text(0, 1)) +
                                   " has already finished and can not be updated.");
  return state;
}

void upsert_value(Connection& c, int64_t trial_id, int64_t objective, double v) {
  // Optuna's trialvaluetype has no NAN; PostgreSQL's double precision holds NaN itself.
  Param value = postgres::double_text(v);
  const char* type = "FINITE";
  if (std::isinf(v)) {
    value = std::nullopt;
    type = v > 0 ? "INF_POS" : "INF_NEG";
  }
  c.exec("INSERT INTO trial_values (trial_id, objective, value, value_type) "
         "VALUES ($1, $2, $3, $4) ON CONFLICT (trial_id, objective) DO UPDATE SET "
         "value = excluded.value, value_type = excluded.value_type",
         {id(trial_id), id(objective), value, std::string(type)});
}

void upsert_intermediate(Connection& c, int64_t trial_id, int64_t step, double v) {
  auto stored = sqlite::to_stored(v);
  Param value;
  if (stored.value) value = postgres::double_text(*stored.value);
  c.exec("INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, "
         "intermediate_value_type) VALUES ($1, $2, $3, $4) ON CONFLICT (trial_id, step) DO "
         "UPDATE SET intermediate_value = excluded.intermediate_value, "
         "intermediate_value_type = excluded.intermediate_value_type",
         {id(trial_id), id(step), value, std::string(stored.type)});
}

void upsert_param(Connection& c, int64_t trial_id, std::string_view name, double internal,
                  const Distribution& d) {
  c.exec("INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) "
         "VALUES ($1, $2, $3, $4) ON CONFLICT (trial_id, param_name) DO UPDATE SET "
         "param_value = excluded.param_value, distribution_json = excluded.distribution_json",
         {id(trial_id), std::string(name), postgres::double_text(internal),
          distribution_to_json_string(d)});
}

// `table` is one of the four attribute tables; `owner` its id column.
void upsert_attr(Connection& c, const char* table, const char* owner, int64_t owner_id,
                 std::string_view key, const nlohmann::json& value) {
  c.exec(std::string("INSERT INTO ") + table + " (" + owner +
             ", key, value_json) VALUES ($1, $2, $3) ON CONFLICT (" + owner +
             ", key) DO UPDATE SET value_json = excluded.value_json",
         {id(owner_id), std::string(key), sqlite::python_json_dumps(value)});
}

nlohmann::json read_attrs(Connection& c, const char* table, const char* owner, int64_t owner_id) {
  Result r = c.exec(std::string("SELECT key, value_json FROM ") + table + " WHERE " + owner +
                        " = $1",
                    {id(owner_id)});
  nlohmann::json attrs = nlohmann::json::object();
  for (int i = 0; i < r.rows(); ++i)
    attrs[std::string(r.text(i, 0))] = sqlite::python_json_loads(r.text(i, 1));
  return attrs;
}

void stamp_heartbeat(Connection& c, int64_t trial_id) {
  c.exec("INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES ($1, LOCALTIMESTAMP) "
         "ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat",
         {id(trial_id)});
}

// Inserts a trial numbered next in its study (the caller holds the study row lock) with
// everything `from` holds, or a fresh RUNNING trial.
int64_t insert_trial(Connection& c, int64_t study_id, const FrozenTrial* from, bool heartbeat) {
  TrialState state = from != nullptr ? from->state : TrialState::kRunning;
  // 'now' is PostgreSQL's input for the transaction's start by the server's clock.
  Param start, complete;
  if (from == nullptr) {
    start = "now";
  } else {
    if (from->datetime_start) start = sqlite::format_datetime(*from->datetime_start);
    else if (state == TrialState::kRunning) start = "now";
    if (from->datetime_complete) complete = sqlite::format_datetime(*from->datetime_complete);
    else if (is_finished(state)) complete = "now";
  }
  Result r = c.exec(
      "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete) "
      "VALUES ((SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE study_id = $1), $1, $2, "
      "$3, $4) RETURNING trial_id",
      {id(study_id), std::string(to_string(state)), start, complete});
  int64_t trial_id = r.integer(0, 0);
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

std::string state_array(StateMask states) {
  std::string out = "{";
  for (TrialState s : {TrialState::kRunning, TrialState::kComplete, TrialState::kPruned,
                       TrialState::kFail, TrialState::kWaiting}) {
    if (!states.has(s)) continue;
    if (out.size() > 1) out += ',';
    out += to_string(s);
  }
  return out + "}";
}

}  // namespace hpo::postgres
