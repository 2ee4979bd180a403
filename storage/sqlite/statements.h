// The SQL statements SqliteStorage's transactions are built from. Each runs on the caller's
// connection, inside the caller's transaction; none commits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/frozen_trial.h"
#include "storage/sqlite/connection.h"

namespace hpo::sqlite {

std::string study_not_found(int64_t study_id);
// Throws NotFoundError unless the study exists.
void require_study(Connection& c, int64_t study_id);
// The trial's state, for a write: throws NotFoundError for an unknown trial and
// UpdateFinishedTrialError (Optuna's message) for a finished one.
TrialState updatable_state(Connection& c, int64_t trial_id);

// Insert or replace one row, with Optuna's encodings (value types, distribution JSON, JSON
// attribute text as Python writes it).
void upsert_value(Connection& c, int64_t trial_id, int64_t objective, double v);
void upsert_intermediate(Connection& c, int64_t trial_id, int64_t step, double v);
void upsert_param(Connection& c, int64_t trial_id, std::string_view name, double internal,
                  const Distribution& d);
// `table` is one of the four attribute tables, `owner` its id column (study_id or trial_id).
void upsert_attr(Connection& c, const char* table, const char* owner, int64_t id,
                 std::string_view key, const nlohmann::json& value);
nlohmann::json read_attrs(Connection& c, const char* table, const char* owner, int64_t id);

// Upserts the trial's heartbeat with the database's clock (UTC, as SQLAlchemy's func.now()
// on SQLite), in Optuna's datetime format.
void stamp_heartbeat(Connection& c, int64_t trial_id);

// Inserts a trial numbered next in its study, with everything `from` holds, or a fresh
// RUNNING trial if `from` is null; stamps its heartbeat if it is RUNNING and `heartbeat`.
// Returns the trial_id. Throws std::invalid_argument for a param without a distribution.
int64_t insert_trial(Connection& c, int64_t study_id, const FrozenTrial* from, bool heartbeat);

// Optuna's name for an unnamed study: "no-name-<uuid4>".
std::string generated_study_name();

}  // namespace hpo::sqlite
