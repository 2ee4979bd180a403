// Reading trials out of Optuna's tables in bulk, and the encodings Optuna uses for the values
// that SQL cannot hold as they are (datetimes, infinite and NaN objective values).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/frozen_trial.h"
#include "storage/sqlite/connection.h"

namespace hpo::sqlite {

// Datetimes as SQLAlchemy stores Python's naive datetime.now(): local time,
// "YYYY-MM-DD HH:MM:SS.ffffff".
std::string format_datetime(Clock::time_point t);
// Reads that form, with or without the fraction. nullopt for empty or unreadable text.
std::optional<Clock::time_point> parse_datetime(std::string_view text);
std::string now_datetime();

// Optuna's value columns hold NULL plus a type for non-finite values: FINITE, INF_POS,
// INF_NEG, NAN.
struct StoredValue {
  std::optional<double> value;
  const char* type;
};
StoredValue to_stored(double v);
double from_stored(const std::optional<double>& value, std::string_view type);

// Distribution JSON text -> parsed distribution, shared by all trials of a study: most
// trials repeat the same few texts, and parsing JSON is the slowest part of a bulk read.
using DistributionCache = std::unordered_map<std::string, Distribution>;

// The full trials (params, values, intermediate values, attributes) that are either of study
// `study_id` with trial_id > `after_trial_id`, or among `trial_ids`; ordered by trial_id.
// Seven statements whatever the number of trials. Call inside a transaction for a consistent
// snapshot.
std::vector<std::shared_ptr<FrozenTrial>> load_trials(Connection& connection, int64_t study_id,
                                                      int64_t after_trial_id,
                                                      const std::vector<int64_t>& trial_ids,
                                                      DistributionCache& distributions);

}  // namespace hpo::sqlite
