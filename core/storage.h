// The study database interface. Backends: in-memory, SQLite, PostgreSQL (storage/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/distribution.h"
#include "core/frozen_trial.h"

namespace hpo {

// Thread-safe: one instance is shared by every worker of a process. Returned FrozenTrials are
// snapshots that later writes never change; finished trials are immutable, so backends keep
// them cached and re-read only trials that are new or still running (incremental reads).
//
// Trial numbers are assigned inside the storage's own transaction: 0, 1, 2, ... per study,
// unique and dense whatever the number of writers.
//
// Errors: NotFoundError for unknown study or trial ids and names, DuplicatedStudyError,
// UpdateFinishedTrialError for writes to finished trials, StorageError for backend failures.
// A failed call leaves the database as it was.
class Storage {
 public:
  virtual ~Storage() = default;

  // ---- Studies ----
  // Throws DuplicatedStudyError if `name` exists. `directions` must not be empty.
  virtual int64_t create_study(const std::vector<StudyDirection>& directions,
                               std::string_view name) = 0;
  // Deletes the study and all its trials.
  virtual void delete_study(int64_t study_id) = 0;
  virtual std::optional<int64_t> find_study_id(std::string_view name) const = 0;
  virtual std::string get_study_name(int64_t study_id) const = 0;
  virtual std::vector<StudyDirection> get_study_directions(int64_t study_id) const = 0;
  virtual std::vector<StudySummary> get_all_studies() const = 0;
  virtual void set_study_user_attr(int64_t study_id, std::string_view key,
                                   const nlohmann::json& value) = 0;
  virtual void set_study_system_attr(int64_t study_id, std::string_view key,
                                     const nlohmann::json& value) = 0;
  virtual nlohmann::json get_study_user_attrs(int64_t study_id) const = 0;    // a JSON object
  virtual nlohmann::json get_study_system_attrs(int64_t study_id) const = 0;  // a JSON object

  // ---- Trials ----
  // Creates a trial and returns its trial_id. Without a template: RUNNING, started now. With
  // one: its state (WAITING for enqueued trials), params, distributions, values, attributes
  // and intermediate values are copied; trial_id and number are assigned afresh.
  virtual int64_t create_trial(int64_t study_id, const FrozenTrial* from = nullptr) = 0;
  // Atomically takes the oldest WAITING trial of the study and makes it RUNNING (started now),
  // so two workers never take the same one. Returns its trial_id, or nullopt if none waits.
  virtual std::optional<int64_t> pop_waiting_trial(int64_t study_id) = 0;

  // Throws std::invalid_argument if the trial already has `name` with an incompatible
  // distribution; UpdateFinishedTrialError if finished.
  virtual void set_trial_param(int64_t trial_id, std::string_view name, double internal,
                               const Distribution& distribution) = 0;
  // Sets the state (and values, for COMPLETE; empty otherwise). A finished state stamps
  // datetime_complete. Returns false, changing nothing, when asked to make RUNNING a trial
  // that is not WAITING (another worker took it). Throws UpdateFinishedTrialError if finished.
  virtual bool set_trial_state_values(int64_t trial_id, TrialState state,
                                      const std::vector<double>& values = {}) = 0;
  virtual void set_trial_intermediate_value(int64_t trial_id, int64_t step, double value) = 0;
  virtual void set_trial_user_attr(int64_t trial_id, std::string_view key,
                                   const nlohmann::json& value) = 0;
  virtual void set_trial_system_attr(int64_t trial_id, std::string_view key,
                                     const nlohmann::json& value) = 0;

  virtual TrialPtr get_trial(int64_t trial_id) const = 0;
  // The study's trials in the given states, ordered by number.
  virtual Trials get_all_trials(int64_t study_id, StateMask states = StateMask::all()) const = 0;
  // The trials numbered first_number or later, in the given states, ordered by number. Samplers
  // that keep what they read of finished trials (which never change) ask only for the rest.
  virtual Trials get_trials_from(int64_t study_id, int64_t first_number,
                                 StateMask states = StateMask::all()) const {
    Trials out;
    for (TrialPtr& t : get_all_trials(study_id, states)) {
      if (t->number >= first_number) out.push_back(std::move(t));
    }
    return out;
  }
  virtual int64_t get_n_trials(int64_t study_id, StateMask states = StateMask::all()) const = 0;

  // ---- Heartbeats (backends shared by processes override these) ----
  // Whether running trials are stamped and stale ones failed. Off for in-memory storage.
  virtual bool heartbeat_enabled() const { return false; }
  // How often a running trial is stamped, in seconds.
  virtual double heartbeat_interval_seconds() const { return 60.0; }
  // Stamps the trial as alive, with the database's clock.
  virtual void record_heartbeat(int64_t /*trial_id*/) {}
  // Marks FAIL every RUNNING trial of the study whose heartbeat is older than the grace
  // period, and returns their trial ids.
  virtual std::vector<int64_t> fail_stale_trials(int64_t /*study_id*/) { return {}; }
};

}  // namespace hpo
