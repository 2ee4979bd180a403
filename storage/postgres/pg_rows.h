// SQL on the rows of Optuna's schema that PostgresStorage's methods share: lookups that raise
// Optuna's errors, upserts of values, params and attributes, and inserting a trial. Each runs on
// a connection inside the caller's transaction; retries and the write log are the caller's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/distribution.h"
#include "core/frozen_trial.h"
#include "storage/postgres/pg_connection.h"

namespace hpo::postgres {

// An id as a query parameter.
std::string id(int64_t v);

std::string study_not_found(int64_t study_id);

void require_study(Connection& c, int64_t study_id, bool lock = false);

// Locks the trial row and returns its state: NotFoundError for an unknown trial,
// UpdateFinishedTrialError (Optuna's message) for a finished one.
TrialState updatable_state(Connection& c, int64_t trial_id);

void upsert_value(Connection& c, int64_t trial_id, int64_t objective, double v);

void upsert_intermediate(Connection& c, int64_t trial_id, int64_t step, double v);

void upsert_param(Connection& c, int64_t trial_id, std::string_view name, double internal,
                  const Distribution& d);

// `table` is one of the four attribute tables; `owner` its id column.
void upsert_attr(Connection& c, const char* table, const char* owner, int64_t owner_id,
                 std::string_view key, const nlohmann::json& value);

nlohmann::json read_attrs(Connection& c, const char* table, const char* owner, int64_t owner_id);

void stamp_heartbeat(Connection& c, int64_t trial_id);

// Inserts a trial numbered next in its study (the caller holds the study row lock) with
// everything `from` holds, or a fresh RUNNING trial.
int64_t insert_trial(Connection& c, int64_t study_id, const FrozenTrial* from, bool heartbeat);

std::string state_array(StateMask states);

}  // namespace hpo::postgres
