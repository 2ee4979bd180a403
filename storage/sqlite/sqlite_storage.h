// A study database in one SQLite file, in Optuna 3.x's RDB schema, shared by the threads and
// processes of one host.
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

#include "core/errors.h"
#include "core/storage.h"

namespace hpo {

namespace sqlite {
class Connection;
class ConnectionPool;
}
class OptionReader;

// SQLite's URI open modes, as the storage URL's `mode` option names them.
enum class SqliteOpenMode {
  kReadWriteCreate,  // "rwc": create the file and Optuna's schema if missing
  kReadWrite,        // "rw": an existing study database only
  kReadOnly,         // "ro": an existing study database, never written (every write throws)
};

struct SqliteStorageOptions {
  // Seconds between heartbeats of a running trial; 0 turns heartbeats (and the failing of
  // stale trials) off. Optuna's `heartbeat_interval`.
  double heartbeat_interval = 0.0;
  // Seconds without a heartbeat after which a RUNNING trial is stale. Optuna's
  // `grace_period`; unset means 2 * heartbeat_interval, as in Optuna.
  std::optional<double> grace_period;
  // When fail_stale_trials fails a trial, enqueue a WAITING copy of it with the same params
  // (Optuna's RetryFailedTrialCallback). max_retry bounds how often one trial is retried;
  // unset means without bound.
  bool retry_failed_trials = false;
  std::optional<int> max_retry;
  // How long one statement waits for another process's write lock before giving up.
  int busy_timeout_ms = 60000;
  // How often a whole transaction is re-run after SQLITE_BUSY outlasted the busy timeout or
  // came from a stale snapshot, with randomized exponential backoff between attempts.
  int max_busy_retries = 8;
  // kReadOnly opens a file on a read-only medium, or one another process holds locked, and
  // guarantees this storage never writes it: heartbeats are then off (a read-only storage
  // stamps no trial and fails no stale one), whatever heartbeat_interval says.
  SqliteOpenMode mode = SqliteOpenMode::kReadWriteCreate;
};

// Reads the options named as Optuna's RDBStorage arguments (heartbeat_interval, grace_period,
// max_retry: retry is on when it is given, as with RetryFailedTrialCallback(max_retry)) plus
// retry_failed_trials, busy_timeout_ms and mode (ro, rw or rwc). Throws std::invalid_argument for bad values.
SqliteStorageOptions read_sqlite_storage_options(OptionReader& reader);

// Thread-safe. Connections are pooled (one per concurrently calling thread) and keep their
// prepared statements. Every write is one BEGIN IMMEDIATE transaction, re-run on SQLITE_BUSY,
// so a failed call leaves the database as it was. Finished trials are cached per study and
// never re-read; each read fetches only trials that are new or were unfinished last time.
class SqliteStorage : public Storage {
 public:
  // Opens the file at `path` (a file path, not a URL; see sqlite_url.h), creating it and
  // Optuna's schema if missing (unless options.mode says otherwise). Throws StorageError (file
  // untouched) if the directory cannot be written, the file is not an SQLite database, or its
  // schema version is unknown; std::invalid_argument for bad options.
  explicit SqliteStorage(const std::string& path, SqliteStorageOptions options = {});
  ~SqliteStorage() override;

  const std::string& path() const { return path_; }
  const SqliteStorageOptions& options() const { return options_; }

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

  bool heartbeat_enabled() const override {
    return options_.heartbeat_interval > 0 && options_.mode != SqliteOpenMode::kReadOnly;
  }
  double heartbeat_interval_seconds() const override { return options_.heartbeat_interval; }
  // Upserts the trial's trial_heartbeats row with the database's clock (UTC).
  void record_heartbeat(int64_t trial_id) override;
  // In one write transaction: fails every RUNNING trial of the study whose heartbeat is older
  // than the grace period (by the database's clock) and, with retry_failed_trials, enqueues
  // its WAITING copy, so a crash can never fail a trial without its retry.
  std::vector<int64_t> fail_stale_trials(int64_t study_id) override;

 private:
  struct StudyCache;

  // Runs `body` on a pooled connection inside a transaction of the given kind, committing
  // at the end and re-running the whole of it (after a backoff) on SQLITE_BUSY.
  template <class F>
  auto write(F&& body) const;
  template <class F>
  auto read(F&& body) const;
  // Rethrows a busy error that outlasted every retry, naming the file and busy_timeout_ms.
  [[noreturn]] void throw_locked(const StorageError& e) const;
  // Rethrows any other error; one with a likely cause (I/O, full disk, read-only, corrupt)
  // gets the file and the fix. REQUIRES: called from the catch block of `e`.
  [[noreturn]] void throw_named(const StorageError& e) const;

  std::string path_;
  SqliteStorageOptions options_;
  std::unique_ptr<sqlite::ConnectionPool> pool_;
  mutable std::mutex cache_mutex_;
  mutable std::map<int64_t, std::shared_ptr<StudyCache>> caches_;
};

}  // namespace hpo
