#include "storage/postgres/postgres_storage.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/option_reader.h"
#include "storage/postgres/pg_connection.h"
#include "storage/postgres/pg_rows.h"
#include "storage/postgres/pg_schema.h"
#include "storage/postgres/pg_transaction.h"
#include "storage/postgres/pg_trial_reader.h"
#include "storage/postgres/pg_url.h"
#include "storage/sqlite/python_json.h"

namespace hpo {

using postgres::Connection;
using postgres::ConnectionPool;
using postgres::Transaction;
using postgres::decode;
using postgres::encode;
using postgres::random_key;
using postgres::sleep_backoff;
using postgres::Param;
using postgres::PgError;
using postgres::Result;
using postgres::id;
using postgres::state_array;
using postgres::study_not_found;

// What a process knows of one study's trials: finished ones never change, so they are kept;
// unfinished ones are re-read on every get_all_trials.
struct PostgresStorage::StudyCache {
  std::mutex mutex;
  int64_t max_trial_id = 0;
  std::map<int64_t, TrialPtr> finished;  // by number
  std::set<int64_t> unfinished_ids;
  std::unordered_map<int64_t, TrialPtr> finished_by_id;
  postgres::DistributionCache distributions;
};

namespace {

using SteadyClock = std::chrono::steady_clock;

std::string generated_study_name() {
  // Optuna names unnamed studies "no-name-<uuid4>".
  uint64_t a = postgres::random_u64(), b = postgres::random_u64();
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

}  // namespace

template <class F>
auto PostgresStorage::write(bool logged, F&& body) const {
  using R = decltype(body(std::declval<Connection&>()));
  const std::string key = logged ? random_key() : std::string();
  const auto deadline = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                                 std::chrono::duration<double>(options_.reconnect_timeout));
  bool commit_sent = false;  // a COMMIT went out whose outcome we never learned
  int conflicts = 0;
  for (int attempt = 0;; ++attempt) {
    bool sent = false;
    try {
      auto lease = pool_->acquire();
      Connection& c = *lease;
      if (logged && commit_sent) {
        Result done = c.exec("SELECT result FROM hpo_write_log WHERE write_key = $1", {key});
        if (done.rows() == 1) {
          if constexpr (std::is_void_v<R>) return;
          else return decode<R>(done.text(0, 0));
        }
      }
      Transaction txn(c, "BEGIN");
      if constexpr (std::is_void_v<R>) {
        body(c);
        if (logged) c.exec("INSERT INTO hpo_write_log (write_key, result) VALUES ($1, '')", {key});
        txn.commit(&sent);
        return;
      } else {
        R result = body(c);
        if (logged)
          c.exec("INSERT INTO hpo_write_log (write_key, result) VALUES ($1, $2)",
                 {key, encode(result)});
        txn.commit(&sent);
        return result;
      }
    } catch (const PgError& e) {
      if (e.connection_lost()) {
        commit_sent = commit_sent || sent;
        pool_->clear();
        if (SteadyClock::now() >= deadline)
          throw StorageError("PostgreSQL server " + label_ + " unreachable for " +
                                 postgres::double_text(options_.reconnect_timeout) +
                                 " s (reconnect_timeout); last error: " + e.what(),
                             1);
        sleep_backoff(attempt, 50000, 2000000);
        continue;
      }
      if (!e.retryable() || ++conflicts > options_.max_conflict_retries) throw;
      sleep_backoff(conflicts, 1000, 200000);
    }
  }
}

template <class F>
auto PostgresStorage::read(F&& body) const {
  const auto deadline = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                                 std::chrono::duration<double>(options_.reconnect_timeout));
  for (int attempt = 0;; ++attempt) {
    try {
      auto lease = pool_->acquire();
      return body(*lease);
    } catch (const PgError& e) {
      if (!e.connection_lost()) throw;
      pool_->clear();
      if (SteadyClock::now() >= deadline)
        throw StorageError("PostgreSQL server " + label_ + " unreachable for " +
                               postgres::double_text(options_.reconnect_timeout) +
                               " s (reconnect_timeout); last error: " + e.what(),
                           1);
      sleep_backoff(attempt, 50000, 2000000);
    }
  }
}

PostgresStorage::PostgresStorage(const std::string& url, PostgresStorageOptions options)
    : options_(options) {
  if (options_.heartbeat_interval < 0 || !std::isfinite(options_.heartbeat_interval))
    throw std::invalid_argument("heartbeat_interval must be >= 0, got " +
                                std::to_string(options_.heartbeat_interval));
  if (options_.grace_period && !(*options_.grace_period > 0))
    throw std::invalid_argument("grace_period must be > 0, got " +
                                std::to_string(*options_.grace_period));
  if (options_.max_retry && *options_.max_retry < 0)
    throw std::invalid_argument("max_retry must be >= 0, got " + std::to_string(*options_.max_retry));
  if (!(options_.reconnect_timeout >= 0) || !std::isfinite(options_.reconnect_timeout))
    throw std::invalid_argument("reconnect_timeout must be >= 0, got " +
                                std::to_string(options_.reconnect_timeout));
  postgres::PostgresUrl parsed = postgres::parse_postgres_url(url);
  label_ = parsed.label;
  pool_ = std::make_unique<ConnectionPool>(parsed.conninfo, label_);
  read([&](Connection& c) {
    postgres::ensure_schema(c, label_);
    // Keys matter only while their writer may still be retrying.
    c.exec("DELETE FROM hpo_write_log WHERE created < LOCALTIMESTAMP - interval '1 day'");
  });
}

PostgresStorage::~PostgresStorage() = default;

PostgresStorageOptions read_postgres_storage_options(OptionReader& reader) {
  PostgresStorageOptions o;
  o.heartbeat_interval = reader.get("heartbeat_interval", o.heartbeat_interval);
  o.grace_period = reader.get_optional<double>("grace_period");
  o.max_retry = reader.get_optional<int>("max_retry");
  o.retry_failed_trials = reader.get("retry_failed_trials", o.max_retry.has_value());
  o.reconnect_timeout = reader.get("reconnect_timeout", o.reconnect_timeout);
  return o;
}

// ---- Studies ----

int64_t PostgresStorage::create_study(const std::vector<StudyDirection>& directions,
                                      std::string_view name) {
  if (directions.empty()) throw std::invalid_argument("a study needs at least one direction");
  std::string study_name = name.empty() ? generated_study_name() : std::string(name);
  auto duplicated = [&] {
    return DuplicatedStudyError("Another study with name '" + study_name +
                                "' already exists. Please specify a different name, or reuse "
                                "the existing one by setting `load_if_exists`.");
  };
  try {
    return write(true, [&](Connection& c) {
      if (c.exec("SELECT 1 FROM studies WHERE study_name = $1", {study_name}).rows() > 0)
        throw duplicated();
      int64_t study_id =
          c.exec("INSERT INTO studies (study_name) VALUES ($1) RETURNING study_id", {study_name})
              .integer(0, 0);
      for (size_t i = 0; i < directions.size(); ++i)
        c.exec("INSERT INTO study_directions (direction, study_id, objective) VALUES ($1, $2, $3)",
               {std::string(to_string(directions[i])), id(study_id), id(static_cast<int64_t>(i))});
      return study_id;
    });
  } catch (const PgError& e) {
    if (e.sqlstate() == "23505") throw duplicated();  // another host inserted it meanwhile
    throw;
  }
}

void PostgresStorage::delete_study(int64_t study_id) {
  write(true, [&](Connection& c) {
    require_study(c, study_id, true);
    for (const char* table : {"trial_params", "trial_values", "trial_intermediate_values",
                              "trial_user_attributes", "trial_system_attributes",
                              "trial_heartbeats"})
      c.exec(std::string("DELETE FROM ") + table +
                 " WHERE trial_id IN (SELECT trial_id FROM trials WHERE study_id = $1)",
             {id(study_id)});
    for (const char* table : {"trials", "study_directions", "study_user_attributes",
                              "study_system_attributes", "studies"})
      c.exec(std::string("DELETE FROM ") + table + " WHERE study_id = $1", {id(study_id)});
  });
  std::lock_guard lock(cache_mutex_);
  caches_.erase(study_id);
}

std::optional<int64_t> PostgresStorage::find_study_id(std::string_view name) const {
  return read([&](Connection& c) -> std::optional<int64_t> {
    Result r = c.exec("SELECT study_id FROM studies WHERE study_name = $1", {std::string(name)});
    if (r.rows() == 0) return std::nullopt;
    return r.integer(0, 0);
  });
}

std::string PostgresStorage::get_study_name(int64_t study_id) const {
  return read([&](Connection& c) {
    Result r = c.exec("SELECT study_name FROM studies WHERE study_id = $1", {id(study_id)});
    if (r.rows() == 0) throw NotFoundError(study_not_found(study_id));
    return std::string(r.text(0, 0));
  });
}

std::vector<StudyDirection> PostgresStorage::get_study_directions(int64_t study_id) const {
  return read([&](Connection& c) {
    require_study(c, study_id);
    Result r = c.exec(
        "SELECT direction FROM study_directions WHERE study_id = $1 ORDER BY objective",
        {id(study_id)});
    std::vector<StudyDirection> directions;
    for (int i = 0; i < r.rows(); ++i) directions.push_back(study_direction_from_string(r.text(i, 0)));
    return directions;
  });
}

std::vector<StudySummary> PostgresStorage::get_all_studies() const {
  return read([&](Connection& c) {
    Transaction txn(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    std::vector<StudySummary> studies;
    Result s = c.exec("SELECT study_id, study_name FROM studies ORDER BY study_id");
    for (int i = 0; i < s.rows(); ++i) {
      StudySummary summary;
      summary.study_id = s.integer(i, 0);
      summary.study_name = std::string(s.text(i, 1));
      studies.push_back(std::move(summary));
    }
    for (StudySummary& summary : studies) {
      Result d = c.exec(
          "SELECT direction FROM study_directions WHERE study_id = $1 ORDER BY objective",
          {id(summary.study_id)});
      for (int i = 0; i < d.rows(); ++i)
        summary.directions.push_back(study_direction_from_string(d.text(i, 0)));
      summary.user_attrs = read_attrs(c, "study_user_attributes", "study_id", summary.study_id);
      summary.system_attrs = read_attrs(c, "study_system_attributes", "study_id", summary.study_id);
      Result n = c.exec(std::string("SELECT count(*), (SELECT to_char(datetime_start, '") +
                            postgres::kTimestampFormat +
                            "') FROM trials WHERE study_id = $1 ORDER BY number LIMIT 1) "
                            "FROM trials WHERE study_id = $1",
                        {id(summary.study_id)});
      summary.n_trials = n.integer(0, 0);
      if (!n.is_null(0, 1)) summary.datetime_start = sqlite::parse_datetime(n.text(0, 1));
    }
    bool sent = false;
    txn.commit(&sent);
    return studies;
  });
}

void PostgresStorage::set_study_user_attr(int64_t study_id, std::string_view key,
                                          const nlohmann::json& value) {
  write(false, [&](Connection& c) {
    require_study(c, study_id);
    upsert_attr(c, "study_user_attributes", "study_id", study_id, key, value);
  });
}

void PostgresStorage::set_study_system_attr(int64_t study_id, std::string_view key,
                                            const nlohmann::json& value) {
  write(false, [&](Connection& c) {
    require_study(c, study_id);
    upsert_attr(c, "study_system_attributes", "study_id", study_id, key, value);
  });
}

nlohmann::json PostgresStorage::get_study_user_attrs(int64_t study_id) const {
  return read([&](Connection& c) {
    require_study(c, study_id);
    return read_attrs(c, "study_user_attributes", "study_id", study_id);
  });
}

nlohmann::json PostgresStorage::get_study_system_attrs(int64_t study_id) const {
  return read([&](Connection& c) {
    require_study(c, study_id);
    return read_attrs(c, "study_system_attributes", "study_id", study_id);
  });
}

// ---- Trial writes ----

int64_t PostgresStorage::create_trial(int64_t study_id, const FrozenTrial* from) {
  return write(true, [&](Connection& c) {
    require_study(c, study_id, true);  // the study row lock serializes numbering
    return insert_trial(c, study_id, from, heartbeat_enabled());
  });
}

std::optional<int64_t> PostgresStorage::pop_waiting_trial(int64_t study_id) {
  // Every ask calls this, and most studies have nothing enqueued: look before writing.
  bool any = read([&](Connection& c) {
    return c.exec("SELECT 1 FROM trials WHERE study_id = $1 AND state = 'WAITING' LIMIT 1",
                  {id(study_id)})
               .rows() > 0;
  });
  if (!any) return std::nullopt;
  return write(true, [&](Connection& c) -> std::optional<int64_t> {
    Result r = c.exec(
        "UPDATE trials SET state = 'RUNNING', datetime_start = LOCALTIMESTAMP WHERE trial_id = "
        "(SELECT trial_id FROM trials WHERE study_id = $1 AND state = 'WAITING' "
        "ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING trial_id",
        {id(study_id)});
    if (r.rows() == 0) return std::nullopt;
    int64_t trial_id = r.integer(0, 0);
    if (heartbeat_enabled()) stamp_heartbeat(c, trial_id);
    return trial_id;
  });
}

void PostgresStorage::set_trial_param(int64_t trial_id, std::string_view name, double internal,
                                      const Distribution& distribution) {
  write(false, [&](Connection& c) {
    // One round trip locks the trial, reads its state and any earlier distribution.
    Result r = c.exec(
        "SELECT t.state, t.number, p.distribution_json FROM trials t LEFT JOIN trial_params p "
        "ON p.trial_id = t.trial_id AND p.param_name = $2 WHERE t.trial_id = $1 FOR UPDATE OF t",
        {id(trial_id), std::string(name)});
    if (r.rows() == 0)
      throw NotFoundError("No trial with trial_id " + std::to_string(trial_id) + " exists.");
    if (is_finished(trial_state_from_string(r.text(0, 0))))
      throw UpdateFinishedTrialError("Trial#" + std::string(r.text(0, 1)) +
                                     " has already finished and can not be updated.");
    if (!r.is_null(0, 2)) {
      Distribution before = distribution_from_json(sqlite::python_json_loads(r.text(0, 2)));
      check_compatible(before, distribution, std::string(name));
    }
    upsert_param(c, trial_id, name, internal, distribution);
  });
}

bool PostgresStorage::set_trial_state_values(int64_t trial_id, TrialState state,
                                             const std::vector<double>& values) {
  return write(true, [&](Connection& c) {
    TrialState before = updatable_state(c, trial_id);
    if (state == TrialState::kRunning) {
      if (before != TrialState::kWaiting) return false;
      c.exec("UPDATE trials SET state = 'RUNNING', datetime_start = LOCALTIMESTAMP "
             "WHERE trial_id = $1",
             {id(trial_id)});
      if (heartbeat_enabled()) stamp_heartbeat(c, trial_id);
      return true;
    }
    for (size_t i = 0; i < values.size(); ++i)
      upsert_value(c, trial_id, static_cast<int64_t>(i), values[i]);
    c.exec("UPDATE trials SET state = $2, datetime_complete = "
           "CASE WHEN $3 THEN LOCALTIMESTAMP END WHERE trial_id = $1",
           {id(trial_id), std::string(to_string(state)),
            std::string(is_finished(state) ? "true" : "false")});
    return true;
  });
}

void PostgresStorage::set_trial_intermediate_value(int64_t trial_id, int64_t step, double value) {
  write(false, [&](Connection& c) {
    updatable_state(c, trial_id);
    upsert_intermediate(c, trial_id, step, value);
  });
}

void PostgresStorage::set_trial_user_attr(int64_t trial_id, std::string_view key,
                                          const nlohmann::json& value) {
  write(false, [&](Connection& c) {
    updatable_state(c, trial_id);
    upsert_attr(c, "trial_user_attributes", "trial_id", trial_id, key, value);
  });
}

void PostgresStorage::set_trial_system_attr(int64_t trial_id, std::string_view key,
                                            const nlohmann::json& value) {
  write(false, [&](Connection& c) {
    updatable_state(c, trial_id);
    upsert_attr(c, "trial_system_attributes", "trial_id", trial_id, key, value);
  });
}

// ---- Trial reads ----

TrialPtr PostgresStorage::get_trial(int64_t trial_id) const {
  {
    std::lock_guard lock(cache_mutex_);
    for (const auto& [study_id, cache] : caches_) {
      std::lock_guard study_lock(cache->mutex);
      auto it = cache->finished_by_id.find(trial_id);
      if (it != cache->finished_by_id.end()) return it->second;
    }
  }
  postgres::DistributionCache distributions;
  auto trials = read([&](Connection& c) {
    return postgres::load_trials(c, -1, std::numeric_limits<int32_t>::max(), {trial_id},
                                 distributions, true);
  });
  if (trials.empty())
    throw NotFoundError("No trial with trial_id " + std::to_string(trial_id) + " exists.");
  return trials.front();
}

Trials PostgresStorage::get_all_trials(int64_t study_id, StateMask states) const {
  return get_trials_from(study_id, 0, states);
}

Trials PostgresStorage::get_trials_from(int64_t study_id, int64_t first_number,
                                        StateMask states) const {
  std::shared_ptr<StudyCache> cache;
  {
    std::lock_guard lock(cache_mutex_);
    auto& slot = caches_[study_id];
    if (!slot) slot = std::make_shared<StudyCache>();
    cache = slot;
  }
  std::lock_guard lock(cache->mutex);
  std::vector<int64_t> recheck(cache->unfinished_ids.begin(), cache->unfinished_ids.end());
  auto fresh = read([&](Connection& c) {
    require_study(c, study_id);
    return postgres::load_trials(c, study_id, cache->max_trial_id, recheck,
                                 cache->distributions, true);
  });
  Trials unfinished;
  for (auto& trial : fresh) {
    cache->max_trial_id = std::max(cache->max_trial_id, trial->trial_id);
    if (is_finished(trial->state)) {
      cache->unfinished_ids.erase(trial->trial_id);
      TrialPtr frozen = std::move(trial);
      cache->finished[frozen->number] = frozen;
      cache->finished_by_id[frozen->trial_id] = frozen;
    } else {
      cache->unfinished_ids.insert(trial->trial_id);
      if (states.has(trial->state) && trial->number >= first_number) {
        unfinished.push_back(std::move(trial));
      }
    }
  }
  Trials result;
  result.reserve(cache->finished.size() + unfinished.size());
  for (auto it = cache->finished.lower_bound(first_number); it != cache->finished.end(); ++it) {
    if (states.has(it->second->state)) result.push_back(it->second);
  }
  if (!unfinished.empty()) {
    size_t middle = result.size();
    result.insert(result.end(), unfinished.begin(), unfinished.end());
    std::inplace_merge(result.begin(), result.begin() + static_cast<std::ptrdiff_t>(middle),
                       result.end(),
                       [](const TrialPtr& a, const TrialPtr& b) { return a->number < b->number; });
  }
  return result;
}

int64_t PostgresStorage::get_n_trials(int64_t study_id, StateMask states) const {
  return read([&](Connection& c) {
    require_study(c, study_id);
    return c.exec("SELECT count(*) FROM trials WHERE study_id = $1 AND state::text = ANY($2::text[])",
                  {id(study_id), state_array(states)})
        .integer(0, 0);
  });
}

// ---- Heartbeats ----

void PostgresStorage::record_heartbeat(int64_t trial_id) {
  write(false, [&](Connection& c) { stamp_heartbeat(c, trial_id); });
}

std::vector<int64_t> PostgresStorage::fail_stale_trials(int64_t study_id) {
  if (!heartbeat_enabled()) return {};
  std::string grace =
      postgres::double_text(options_.grace_period.value_or(2 * options_.heartbeat_interval));
  const std::string stale_sql =
      "SELECT t.trial_id FROM trials t JOIN trial_heartbeats h ON h.trial_id = t.trial_id "
      "WHERE t.study_id = $1 AND t.state = 'RUNNING' "
      "AND h.heartbeat < LOCALTIMESTAMP - make_interval(secs => $2) ORDER BY t.trial_id";
  // Most calls find nothing: look first without locking anything.
  bool any = read([&](Connection& c) { return c.exec(stale_sql, {id(study_id), grace}).rows() > 0; });
  if (!any) return {};
  return write(true, [&](Connection& c) {
    require_study(c, study_id, true);  // retries are numbered
    // Again under the locks; a trial whose worker is finishing it right now is skipped.
    Result r = c.exec(stale_sql + " FOR UPDATE OF t SKIP LOCKED", {id(study_id), grace});
    std::vector<int64_t> ids;
    for (int i = 0; i < r.rows(); ++i) ids.push_back(r.integer(i, 0));
    if (ids.empty()) return ids;
    postgres::DistributionCache distributions;
    auto trials = postgres::load_trials(c, -1, std::numeric_limits<int32_t>::max(), ids,
                                        distributions, false);
    for (const auto& trial : trials) {
      c.exec("UPDATE trials SET state = 'FAIL', datetime_complete = LOCALTIMESTAMP "
             "WHERE trial_id = $1",
             {id(trial->trial_id)});
      if (!options_.retry_failed_trials) continue;
      // Optuna's RetryFailedTrialCallback: the original number survives repeated retries
      // (the failed trial's own attrs win), and the history grows by this trial's number.
      nlohmann::json attrs = {{"failed_trial", trial->number},
                              {"retry_history", nlohmann::json::array()}};
      for (const auto& [key, value] : trial->system_attrs.items()) attrs[key] = value;
      attrs["retry_history"].push_back(trial->number);
      if (options_.max_retry &&
          static_cast<size_t>(*options_.max_retry) < attrs["retry_history"].size())
        continue;
      nlohmann::json fixed = nlohmann::json::object();
      for (const auto& [name, value] : trial->external_params()) fixed[name] = to_json(value);
      attrs["fixed_params"] = fixed;
      FrozenTrial retry;
      retry.state = TrialState::kWaiting;
      retry.params = trial->params;
      retry.distributions = trial->distributions;
      retry.user_attrs = trial->user_attrs;
      retry.system_attrs = attrs;
      insert_trial(c, study_id, &retry, false);
    }
    return ids;
  });
}

}  // namespace hpo
