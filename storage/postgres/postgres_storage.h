// A study database on a PostgreSQL server, in Optuna 3.x's RDB schema, shared by the
// threads and processes of many hosts.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/storage.h"

namespace hpo {

namespace postgres {
class Connection;
class ConnectionPool;
}
class OptionReader;

struct PostgresStorageOptions {
  // Seconds between heartbeats of a running trial; 0 turns heartbeats (and the failing of
  // stale trials) off. Optuna's `heartbeat_interval`.
  double heartbeat_interval = 0.0;
  // Seconds without a heartbeat, by the server's clock, after which a RUNNING trial is
  // stale. Unset means 2 * heartbeat_interval, as in Optuna.
  std::optional<double> grace_period;
  // When fail_stale_trials fails a trial, enqueue a WAITING copy with the same params
  // (Optuna's RetryFailedTrialCallback); max_retry bounds how often one trial is retried.
  bool retry_failed_trials = false;
  std::optional<int> max_retry;
  // How long, in seconds, a call keeps reconnecting (with backoff) after the server became
  // unreachable before it throws StorageError.
  double reconnect_timeout = 60.0;
  // How often a transaction is re-run after a serialization failure or deadlock.
  int max_conflict_retries = 8;
};

// Reads the options named as Optuna's RDBStorage arguments (heartbeat_interval, grace_period,
// max_retry: retry is on when it is given) plus retry_failed_trials and reconnect_timeout.
PostgresStorageOptions read_postgres_storage_options(OptionReader& reader);

// Thread-safe. Connections are pooled (one per concurrently calling thread) and keep their
// prepared statements.
//
// Concurrency: trial numbers are assigned under a row lock on the study (SELECT ... FOR
// UPDATE) inside the creating transaction, so they are unique and dense with any number of
// writers on any number of hosts. A state change locks the trial row first, so a trial being
// failed as stale and being completed by its worker never both happen. Waiting trials are
// taken with FOR UPDATE SKIP LOCKED. Serialization failures and deadlocks re-run the whole
// transaction.
//
// Lost connections: every call reconnects with randomized exponential backoff until
// `reconnect_timeout`, then throws StorageError naming the server (never the password).
// A write whose COMMIT may have reached the server before the connection broke is not
// re-applied: each non-idempotent write records a random key in hpo_write_log in its own
// transaction, and the retry first looks the key up and returns the recorded result.
// Idempotent writes (upserts of params, attributes, intermediate values, heartbeats) are
// simply re-run.
//
// Timestamps (trial start and end, heartbeats) are the server's clock (LOCALTIMESTAMP), so
// the hosts' clocks may disagree; stale trials are found by comparing heartbeats with the
// server's clock as well.
class PostgresStorage : public Storage {
 public:
  // `url` as in pg_url.h. Connects (waiting up to reconnect_timeout for the server) and
  // creates Optuna's schema if missing. Throws StorageError for an unreachable server or an
  // unknown schema; std::invalid_argument for a bad URL or options.
  explicit PostgresStorage(const std::string& url, PostgresStorageOptions options = {});
  ~PostgresStorage() override;

  // The URL without its password.
  const std::string& label() const { return label_; }
  const PostgresStorageOptions& options() const { return options_; }

  int64_t create_study(const std::vector<StudyDirection>& directions,
                       std::string_view name) override;
  void delete_study(int64_t study_id) override;
  std::optional<int64_t> find_study_id(std::string_view name) const override;
  std::string get_study_name(int64_t study_id) const override;
  std::vector<StudyDirection> get_study_directions(int64_t study_id) const override;
  std::vector<StudySummary> get_all_studies() const override;
  void set_study_user_attr(int64_t study_id, std::string_view key,
                           const nlohmann::json& value) override;
  void set_study_system_attr(int64_t study_id, std::string_view key,
                             const nlohmann::json& value) override;
  nlohmann::json get_study_user_attrs(int64_t study_id) const override;
  nlohmann::json get_study_system_attrs(int64_t study_id) const override;

  int64_t create_trial(int64_t study_id, const FrozenTrial* from = nullptr) override;
  std::optional<int64_t> pop_waiting_trial(int64_t study_id) override;
  void set_trial_param(int64_t trial_id, std::string_view name, double internal,
                       const Distribution& distribution) override;
  bool set_trial_state_values(int64_t trial_id, TrialState state,
                              const std::vector<double>& values = {}) override;
  void set_trial_intermediate_value(int64_t trial_id, int64_t step, double value) override;
  void set_trial_user_attr(int64_t trial_id, std::string_view key,
                           const nlohmann::json& value) override;
  void set_trial_system_attr(int64_t trial_id, std::string_view key,
                             const nlohmann::json& value) override;

  TrialPtr get_trial(int64_t trial_id) const override;
  Trials get_all_trials(int64_t study_id, StateMask states = StateMask::all()) const override;
  Trials get_trials_from(int64_t study_id, int64_t first_number,
                         StateMask states = StateMask::all()) const override;
  int64_t get_n_trials(int64_t study_id, StateMask states = StateMask::all()) const override;

  bool heartbeat_enabled() const override { return options_.heartbeat_interval > 0; }
  double heartbeat_interval_seconds() const override { return options_.heartbeat_interval; }
  void record_heartbeat(int64_t trial_id) override;
  // In one transaction: fails every RUNNING trial of the study whose heartbeat is older than
  // the grace period (by the server's clock) and, with retry_failed_trials, enqueues its
  // WAITING copy, so a crash can never fail a trial without its retry.
  std::vector<int64_t> fail_stale_trials(int64_t study_id) override;

 private:
  struct StudyCache;

  // Runs `body` on a pooled connection inside a transaction and commits, re-running it
  // after conflicts and lost connections as described above. `logged` writes record their
  // key and result in hpo_write_log.
  template <class F>
  auto write(bool logged, F&& body) const;
  template <class F>
  auto read(F&& body) const;

  std::string label_;
  PostgresStorageOptions options_;
  std::unique_ptr<postgres::ConnectionPool> pool_;
  mutable std::mutex cache_mutex_;
  mutable std::map<int64_t, std::shared_ptr<StudyCache>> caches_;
};

}  // namespace hpo
