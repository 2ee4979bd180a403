// Reading trials out of Optuna's tables in bulk, on PostgreSQL. The encodings (value types,
// Python-style JSON, datetimes) are the SQLite backend's: the schema is the same.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/frozen_trial.h"
#include "storage/postgres/pg_connection.h"
#include "storage/sqlite/trial_reader.h"

namespace hpo::postgres {

using sqlite::DistributionCache;

// The full trials that are either of study `study_id` with trial_id > `after_trial_id`, or
// among `trial_ids`; ordered by trial_id. Six queries whatever the number of trials, sent in
// one round trip. With `own_snapshot` they run in a REPEATABLE READ transaction of their own
// (one consistent snapshot); without it, in the caller's open transaction.
std::vector<std::shared_ptr<FrozenTrial>> load_trials(Connection& c, int64_t study_id,
                                                      int64_t after_trial_id,
                                                      const std::vector<int64_t>& trial_ids,
                                                      DistributionCache& distributions,
                                                      bool own_snapshot);

// A timestamp column as text, in the form sqlite::parse_datetime reads.
inline constexpr const char* kTimestampFormat = "YYYY-MM-DD HH24:MI:SS.US";

}  // namespace hpo::postgres
