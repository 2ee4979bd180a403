#include "storage/sqlite/sqlite_storage.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <stdexcept>
#include <thread>

#include "core/errors.h"
#include "core/option_reader.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/connection_pool.h"
#include "storage/sqlite/python_json.h"
#include "storage/sqlite/schema.h"
#include "storage/sqlite/statements.h"
#include "storage/sqlite/trial_reader.h"

namespace hpo {

using sqlite::Connection;
using sqlite::Statement;
using sqlite::Transaction;
using namespace sqlite;  // the statement helpers (statements.h)

// What a process knows of one study's trials: finished ones never change, so they are kept;
// unfinished ones are re-read on every get_all_trials.
struct SqliteStorage::StudyCache {
  std::mutex mutex;
  int64_t max_trial_id = 0;                 // every trial_id up to here has been read once
  std::map<int64_t, TrialPtr> finished;     // by number
  std::set<int64_t> unfinished_ids;         // RUNNING or WAITING when last read
  std::unordered_map<int64_t, TrialPtr> finished_by_id;
  sqlite::DistributionCache distributions;
};

namespace {

void backoff(int attempt) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  int64_t cap_us = 1000LL << std::min(attempt, 7);
  std::uniform_int_distribution<int64_t> pick(cap_us / 2, cap_us);
  std::this_thread::sleep_for(std::chrono::microseconds(pick(jitter)));
}

}  // namespace

void SqliteStorage::throw_locked(const StorageError& e) const {
  // SQLite's "database is locked" names neither the file nor what to change.
  throw StorageError("the study database '" + path_ + "' stayed locked by another process " +
                         "for longer than busy_timeout_ms=" +
                         std::to_string(options_.busy_timeout_ms) + " (" + e.what() +
                         "); retry when it is done, or raise busy_timeout_ms in the storage URL",
                     e.code());
}

void SqliteStorage::throw_named(const StorageError& e) const {
  // "disk I/O error (in 'COMMIT')" alone names neither the file nor the likely cause.
  std::string hint = sqlite::error_hint(e.code(), options_.busy_timeout_ms);
  if (hint.empty()) throw;
  throw StorageError("study database '" + path_ + "': " + e.what() + "; " + hint, e.code());
}

template <class F>
auto SqliteStorage::write(F&& body) const {
  if (options_.mode == SqliteOpenMode::kReadOnly) {
    // SQLite would say only "attempt to write a readonly database".
    throw StorageError("the study database '" + path_ +
                           "' is open read-only (mode=ro in the storage URL); open it without "
                           "mode=ro to change it",
                       sqlite::kReadOnly);
  }
  for (int attempt = 0;; ++attempt) {
    try {
      auto lease = pool_->acquire();
      Transaction txn(*lease, Transaction::Kind::kWrite);
      if constexpr (std::is_void_v<decltype(body(*lease))>) {
        body(*lease);
        txn.commit();
        return;
      } else {
        auto result = body(*lease);
        txn.commit();
        return result;
      }
    } catch (const StorageError& e) {
      if (!sqlite::is_busy(e.code())) throw_named(e);
      if (attempt >= options_.max_busy_retries) throw_locked(e);
    }
    backoff(attempt);
  }
}

template <class F>
auto SqliteStorage::read(F&& body) const {
  for (int attempt = 0;; ++attempt) {
    try {
      auto lease = pool_->acquire();
      Transaction txn(*lease, Transaction::Kind::kRead);
      if constexpr (std::is_void_v<decltype(body(*lease))>) {
        body(*lease);
        txn.commit();
        return;
      } else {
        auto result = body(*lease);
        txn.commit();
        return result;
      }
    } catch (const StorageError& e) {
      if (!sqlite::is_busy(e.code())) throw_named(e);
      if (attempt >= options_.max_busy_retries) throw_locked(e);
    }
    backoff(attempt);
  }
}

SqliteStorage::SqliteStorage(const std::string& path, SqliteStorageOptions options)
    : path_(path), options_(options) {
  if (options_.heartbeat_interval < 0 || !std::isfinite(options_.heartbeat_interval))
    throw std::invalid_argument("heartbeat_interval must be >= 0, got " +
                                std::to_string(options_.heartbeat_interval));
  if (options_.grace_period && !(*options_.grace_period > 0))
    throw std::invalid_argument("grace_period must be > 0, got " +
                                std::to_string(*options_.grace_period));
  if (options_.max_retry && *options_.max_retry < 0)
    throw std::invalid_argument("max_retry must be >= 0, got " + std::to_string(*options_.max_retry));
  if (options_.busy_timeout_ms < 0)
    throw std::invalid_argument("busy_timeout_ms must be >= 0, got " +
                                std::to_string(options_.busy_timeout_ms));
  sqlite::ConnectionOptions connection_options;
  connection_options.busy_timeout_ms = options_.busy_timeout_ms;
  connection_options.create = options_.mode == SqliteOpenMode::kReadWriteCreate;
  connection_options.read_only = options_.mode == SqliteOpenMode::kReadOnly;
  auto first = sqlite::open_study_database(path, connection_options);
  connection_options.create = false;
  pool_ = std::make_unique<sqlite::ConnectionPool>(path, connection_options, std::move(first));
}

SqliteStorage::~SqliteStorage() = default;

SqliteStorageOptions read_sqlite_storage_options(OptionReader& reader) {
  SqliteStorageOptions o;
  o.heartbeat_interval = reader.get("heartbeat_interval", o.heartbeat_interval);
  o.grace_period = reader.get_optional<double>("grace_period");
  o.max_retry = reader.get_optional<int>("max_retry");
  o.retry_failed_trials = reader.get("retry_failed_trials", o.max_retry.has_value());
  o.busy_timeout_ms = reader.get("busy_timeout_ms", o.busy_timeout_ms);
  std::string mode = reader.get<std::string>("mode", "rwc");
  if (mode == "ro") {
    o.mode = SqliteOpenMode::kReadOnly;
  } else if (mode == "rw") {
    o.mode = SqliteOpenMode::kReadWrite;
  } else if (mode != "rwc") {
    throw std::invalid_argument("storage 'sqlite': mode must be ro (read only), rw (an existing "
                                "file) or rwc (the default: create it if missing), got '" +
                                mode + "'");
  }
  return o;
}

// ---- Studies ----

int64_t SqliteStorage::create_study(const std::vector<StudyDirection>& directions,
                                    std::string_view name) {
  if (directions.empty()) throw std::invalid_argument("a study needs at least one direction");
  std::string study_name = name.empty() ? generated_study_name() : std::string(name);
  return write([&](Connection& c) {
    Statement& f = c.prepare("SELECT 1 FROM studies WHERE study_name = ?1");
    f.bind(1, std::string_view(study_name));
    bool exists = f.step();
    f.reset();
    if (exists)
      throw DuplicatedStudyError("Another study with name '" + study_name +
                                 "' already exists. Please specify a different name, or reuse "
                                 "the existing one by setting `load_if_exists`.");
    Statement& s = c.prepare("INSERT INTO studies (study_name) VALUES (?1)");
    s.bind(1, std::string_view(study_name));
    s.run();
    int64_t study_id = c.last_insert_rowid();
    for (size_t i = 0; i < directions.size(); ++i) {
      Statement& d = c.prepare(
          "INSERT INTO study_directions (direction, study_id, objective) VALUES (?1, ?2, ?3)");
      d.bind(1, to_string(directions[i])).bind(2, study_id).bind(3, static_cast<int64_t>(i));
      d.run();
    }
    return study_id;
  });
}

void SqliteStorage::delete_study(int64_t study_id) {
  write([&](Connection& c) {
    require_study(c, study_id);
    for (const char* table : {"trial_params", "trial_values", "trial_intermediate_values",
                              "trial_user_attributes", "trial_system_attributes",
                              "trial_heartbeats"}) {
      Statement& s = c.prepare(std::string("DELETE FROM ") + table +
                               " WHERE trial_id IN (SELECT trial_id FROM trials WHERE study_id = ?1)");
      s.bind(1, study_id);
      s.run();
    }
    for (const char* table : {"trials", "study_directions", "study_user_attributes",
                              "study_system_attributes", "studies"}) {
      Statement& s = c.prepare(std::string("DELETE FROM ") + table + " WHERE study_id = ?1");
      s.bind(1, study_id);
      s.run();
    }
  });
  std::lock_guard lock(cache_mutex_);
  caches_.erase(study_id);
}

std::optional<int64_t> SqliteStorage::find_study_id(std::string_view name) const {
  return read([&](Connection& c) -> std::optional<int64_t> {
    Statement& s = c.prepare("SELECT study_id FROM studies WHERE study_name = ?1");
    s.bind(1, name);
    if (!s.step()) return std::nullopt;
    int64_t id = s.column_int(0);
    s.reset();
    return id;
  });
}

std::string SqliteStorage::get_study_name(int64_t study_id) const {
  return read([&](Connection& c) {
    Statement& s = c.prepare("SELECT study_name FROM studies WHERE study_id = ?1");
    s.bind(1, study_id);
    if (!s.step()) throw NotFoundError(study_not_found(study_id));
    std::string name = s.column_text(0);
    s.reset();
    return name;
  });
}

std::vector<StudyDirection> SqliteStorage::get_study_directions(int64_t study_id) const {
  return read([&](Connection& c) {
    require_study(c, study_id);
    Statement& s = c.prepare(
        "SELECT direction FROM study_directions WHERE study_id = ?1 ORDER BY objective");
    s.bind(1, study_id);
    std::vector<StudyDirection> directions;
    while (s.step()) directions.push_back(study_direction_from_string(s.column_text(0)));
    return directions;
  });
}

std::vector<StudySummary> SqliteStorage::get_all_studies() const {
  return read([&](Connection& c) {
    std::vector<StudySummary> studies;
    Statement& s = c.prepare("SELECT study_id, study_name FROM studies ORDER BY study_id");
    while (s.step()) {
      StudySummary summary;
      summary.study_id = s.column_int(0);
      summary.study_name = s.column_text(1);
      studies.push_back(std::move(summary));
    }
    for (StudySummary& summary : studies) {
      Statement& d = c.prepare(
          "SELECT direction FROM study_directions WHERE study_id = ?1 ORDER BY objective");
      d.bind(1, summary.study_id);
      while (d.step()) summary.directions.push_back(study_direction_from_string(d.column_text(0)));
      summary.user_attrs = read_attrs(c, "study_user_attributes", "study_id", summary.study_id);
      summary.system_attrs =
          read_attrs(c, "study_system_attributes", "study_id", summary.study_id);
      Statement& n = c.prepare(
          "SELECT count(*), (SELECT datetime_start FROM trials WHERE study_id = ?1 "
          "ORDER BY number LIMIT 1) FROM trials WHERE study_id = ?1");
      n.bind(1, summary.study_id);
      n.step();
      summary.n_trials = n.column_int(0);
      summary.datetime_start = sqlite::parse_datetime(n.column_text(1));
      n.reset();
    }
    return studies;
  });
}

void SqliteStorage::set_study_user_attr(int64_t study_id, std::string_view key,
                                        const nlohmann::json& value) {
  write([&](Connection& c) {
    require_study(c, study_id);
    upsert_attr(c, "study_user_attributes", "study_id", study_id, key, value);
  });
}

void SqliteStorage::set_study_system_attr(int64_t study_id, std::string_view key,
                                          const nlohmann::json& value) {
  write([&](Connection& c) {
    require_study(c, study_id);
    upsert_attr(c, "study_system_attributes", "study_id", study_id, key, value);
  });
}

nlohmann::json SqliteStorage::get_study_user_attrs(int64_t study_id) const {
  return read([&](Connection& c) {
    require_study(c, study_id);
    return read_attrs(c, "study_user_attributes", "study_id", study_id);
  });
}

nlohmann::json SqliteStorage::get_study_system_attrs(int64_t study_id) const {
  return read([&](Connection& c) {
    require_study(c, study_id);
    return read_attrs(c, "study_system_attributes", "study_id", study_id);
  });
}

// ---- Trial writes ----

int64_t SqliteStorage::create_trial(int64_t study_id, const FrozenTrial* from) {
  return write([&](Connection& c) {
    require_study(c, study_id);
    return insert_trial(c, study_id, from, heartbeat_enabled());
  });
}

std::optional<int64_t> SqliteStorage::pop_waiting_trial(int64_t study_id) {
  // Every ask calls this, and most studies have nothing enqueued: look without the write lock.
  bool any = read([&](Connection& c) {
    Statement& s = c.prepare(
        "SELECT EXISTS (SELECT 1 FROM trials WHERE study_id = ?1 AND state = 'WAITING')");
    s.bind(1, study_id);
    s.step();
    bool found = s.column_int(0) != 0;
    s.reset();
    return found;
  });
  if (!any) return std::nullopt;
  std::string now = sqlite::now_datetime();
  return write([&](Connection& c) -> std::optional<int64_t> {
    // One statement finds and takes the trial: no other writer can take it in between.
    Statement& s = c.prepare(
        "UPDATE trials SET state = 'RUNNING', datetime_start = ?2 WHERE trial_id = "
        "(SELECT trial_id FROM trials WHERE study_id = ?1 AND state = 'WAITING' "
        "ORDER BY number LIMIT 1) RETURNING trial_id");
    s.bind(1, study_id).bind(2, std::string_view(now));
    if (!s.step()) return std::nullopt;
    int64_t trial_id = s.column_int(0);
    s.run();  // finish the statement
    if (heartbeat_enabled()) stamp_heartbeat(c, trial_id);
    return trial_id;
  });
}

void SqliteStorage::set_trial_param(int64_t trial_id, std::string_view name, double internal,
                                    const Distribution& distribution) {
  write([&](Connection& c) {
    updatable_state(c, trial_id);
    Statement& s = c.prepare(
        "SELECT distribution_json FROM trial_params WHERE trial_id = ?1 AND param_name = ?2");
    s.bind(1, trial_id).bind(2, name);
    if (s.step()) {
      Distribution before =
          distribution_from_json(sqlite::python_json_loads(s.column_text(0)));
      s.reset();
      check_compatible(before, distribution, std::string(name));
    }
    upsert_param(c, trial_id, name, internal, distribution);
  });
}

bool SqliteStorage::set_trial_state_values(int64_t trial_id, TrialState state,
                                           const std::vector<double>& values) {
  std::string now = sqlite::now_datetime();
  return write([&](Connection& c) {
    TrialState before = updatable_state(c, trial_id);
    if (state == TrialState::kRunning) {
      if (before != TrialState::kWaiting) return false;
      Statement& s = c.prepare(
          "UPDATE trials SET state = 'RUNNING', datetime_start = ?2 "
          "WHERE trial_id = ?1 AND state = 'WAITING'");
      s.bind(1, trial_id).bind(2, std::string_view(now));
      s.run();
      if (heartbeat_enabled()) stamp_heartbeat(c, trial_id);
      return true;
    }
    for (size_t i = 0; i < values.size(); ++i)
      upsert_value(c, trial_id, static_cast<int64_t>(i), values[i]);
    Statement& s = c.prepare(
        "UPDATE trials SET state = ?2, datetime_complete = ?3 WHERE trial_id = ?1");
    s.bind(1, trial_id).bind(2, to_string(state));
    if (is_finished(state)) s.bind(3, std::string_view(now)); else s.bind_null(3);
    s.run();
    return true;
  });
}

void SqliteStorage::set_trial_intermediate_value(int64_t trial_id, int64_t step, double value) {
  write([&](Connection& c) {
    updatable_state(c, trial_id);
    upsert_intermediate(c, trial_id, step, value);
  });
}

void SqliteStorage::set_trial_user_attr(int64_t trial_id, std::string_view key,
                                        const nlohmann::json& value) {
  write([&](Connection& c) {
    updatable_state(c, trial_id);
    upsert_attr(c, "trial_user_attributes", "trial_id", trial_id, key, value);
  });
}

void SqliteStorage::set_trial_system_attr(int64_t trial_id, std::string_view key,
                                          const nlohmann::json& value) {
  write([&](Connection& c) {
    updatable_state(c, trial_id);
    upsert_attr(c, "trial_system_attributes", "trial_id", trial_id, key, value);
  });
}

// ---- Trial reads ----

TrialPtr SqliteStorage::get_trial(int64_t trial_id) const {
  {
    std::lock_guard lock(cache_mutex_);
    for (const auto& [study_id, cache] : caches_) {
      std::lock_guard study_lock(cache->mutex);
      auto it = cache->finished_by_id.find(trial_id);
      if (it != cache->finished_by_id.end()) return it->second;
    }
  }
  sqlite::DistributionCache distributions;
  auto trials = read([&](Connection& c) {
    return sqlite::load_trials(c, -1, std::numeric_limits<int64_t>::max(), {trial_id},
                               distributions);
  });
  if (trials.empty())
    throw NotFoundError("No trial with trial_id " + std::to_string(trial_id) + " exists.");
  return trials.front();
}

Trials SqliteStorage::get_all_trials(int64_t study_id, StateMask states) const {
  return get_trials_from(study_id, 0, states);
}

Trials SqliteStorage::get_trials_from(int64_t study_id, int64_t first_number,
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
    return sqlite::load_trials(c, study_id, cache->max_trial_id, recheck, cache->distributions);
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

int64_t SqliteStorage::get_n_trials(int64_t study_id, StateMask states) const {
  std::string names = "[";
  for (TrialState s : {TrialState::kRunning, TrialState::kComplete, TrialState::kPruned,
                       TrialState::kFail, TrialState::kWaiting}) {
    if (!states.has(s)) continue;
    if (names.size() > 1) names += ',';
    names += "\"" + std::string(to_string(s)) + "\"";
  }
  names += "]";
  return read([&](Connection& c) {
    require_study(c, study_id);
    Statement& s = c.prepare(
        "SELECT count(*) FROM trials WHERE study_id = ?1 AND state IN "
        "(SELECT value FROM json_each(?2))");
    s.bind(1, study_id).bind(2, std::string_view(names));
    s.step();
    int64_t n = s.column_int(0);
    s.reset();
    return n;
  });
}

// ---- Heartbeats ----

void SqliteStorage::record_heartbeat(int64_t trial_id) {
  write([&](Connection& c) { stamp_heartbeat(c, trial_id); });
}

std::vector<int64_t> SqliteStorage::fail_stale_trials(int64_t study_id) {
  if (!heartbeat_enabled()) return {};
  double grace = options_.grace_period.value_or(2 * options_.heartbeat_interval);
  auto stale_query = [&](Connection& c) {
    Statement& s = c.prepare(
        "SELECT t.trial_id FROM trials t JOIN trial_heartbeats h ON h.trial_id = t.trial_id "
        "WHERE t.study_id = ?1 AND t.state = 'RUNNING' "
        "AND (julianday('now') - julianday(h.heartbeat)) * 86400.0 > ?2 ORDER BY t.trial_id");
    s.bind(1, study_id).bind(2, grace);
    std::vector<int64_t> ids;
    while (s.step()) ids.push_back(s.column_int(0));
    return ids;
  };
  // Most calls find nothing: look first without taking the write lock.
  if (read(stale_query).empty()) return {};
  std::string now = sqlite::now_datetime();
  return write([&](Connection& c) {
    std::vector<int64_t> ids = stale_query(c);  // again, under the lock: another may have won
    if (ids.empty()) return ids;
    sqlite::DistributionCache distributions;
    auto trials = sqlite::load_trials(c, -1, std::numeric_limits<int64_t>::max(), ids,
                                      distributions);
    for (const auto& trial : trials) {
      Statement& s = c.prepare(
          "UPDATE trials SET state = 'FAIL', datetime_complete = ?2 WHERE trial_id = ?1");
      s.bind(1, trial->trial_id).bind(2, std::string_view(now));
      s.run();
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
