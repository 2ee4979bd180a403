// Study: the facade users hold. Ask/tell, optimize, enqueue, best trials, attributes.
// The optimize loop itself (threads, timeout, callbacks) lives in core/optimize.cc.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/distribution.h"
#include "core/frozen_trial.h"
#include "core/pruner.h"
#include "core/sampler.h"
#include "core/storage.h"
#include "core/study_view.h"
#include "core/trial.h"

namespace hpo {

class Heartbeat;
class Study;

using Objective = std::function<double(Trial&)>;
using MultiObjective = std::function<std::vector<double>(Trial&)>;
// Called after every finished trial, from the worker thread that ran it.
using Callback = std::function<void(Study&, const FrozenTrial&)>;
// Decides whether an exception thrown by the objective is caught (trial FAIL, run goes on).
using CatchPredicate = std::function<bool(const std::exception&)>;

template <class E>
CatchPredicate catch_type() {
  return [](const std::exception& e) { return dynamic_cast<const E*>(&e) != nullptr; };
}

struct OptimizeOptions {
  std::optional<int64_t> n_trials;       // total trials this call runs, across all workers
  std::optional<double> timeout_seconds;  // no trial starts after this
  int n_jobs = 1;                         // worker threads; -1: one per hardware thread
  std::vector<Callback> callbacks;
  std::vector<CatchPredicate> catch_exceptions;
};

struct CreateStudyOptions {
  std::shared_ptr<Storage> storage;  // default: a new in-memory storage
  std::shared_ptr<Sampler> sampler;  // default: the factory's default sampler
  std::shared_ptr<Pruner> pruner;    // default: the factory's default pruner
  std::string study_name;            // default: a generated unique name
  std::vector<StudyDirection> directions = {StudyDirection::kMinimize};
  bool load_if_exists = false;
};

// Thread-safe: ask, tell and the accessors may be called from several threads.
class Study final : public StudyView {
 public:
  // Throws DuplicatedStudyError if the name exists and load_if_exists is off; with
  // load_if_exists, throws std::invalid_argument if the stored directions differ.
  static std::shared_ptr<Study> create(CreateStudyOptions options = {});
  // Throws NotFoundError if no study has that name.
  static std::shared_ptr<Study> load(std::string_view study_name, std::shared_ptr<Storage> storage,
                                     std::shared_ptr<Sampler> sampler = nullptr,
                                     std::shared_ptr<Pruner> pruner = nullptr);

  Study(int64_t study_id, std::string name, std::vector<StudyDirection> directions,
        std::shared_ptr<Storage> storage, std::shared_ptr<Sampler> sampler,
        std::shared_ptr<Pruner> pruner);
  ~Study() override;

  // Starts a trial: the oldest WAITING one if any, otherwise a new RUNNING one.
  Trial ask();
  // As ask(), then suggests every parameter of `fixed_distributions` at once.
  Trial ask(const Distributions& fixed_distributions);

  // Finishes a trial. COMPLETE needs one finite value per direction: otherwise the trial is
  // recorded FAIL (the reason in system_attrs["fail_reason"]) and that FAIL is returned.
  // PRUNED records the last intermediate value as the value, as Optuna. Throws
  // UpdateFinishedTrialError if the trial is already finished.
  TrialPtr tell(const Trial& trial, double value);
  TrialPtr tell(const Trial& trial, const std::vector<double>& values);
  TrialPtr tell(const Trial& trial, TrialState state, const std::vector<double>& values = {});
  TrialPtr tell(int64_t trial_number, TrialState state, const std::vector<double>& values = {});

  // Runs ask -> objective -> tell in n_jobs threads. A TrialPruned ends its trial PRUNED; an
  // exception matched by catch_exceptions ends it FAIL and the run goes on; any other ends it
  // FAIL, stops the run (running trials finish) and is rethrown.
  void optimize(const Objective& objective, const OptimizeOptions& options = {});
  void optimize(const MultiObjective& objective, const OptimizeOptions& options = {});

  // Adds a WAITING trial whose suggestions return `params` (external values). With
  // skip_if_exists, does nothing if a trial with the same params exists.
  void enqueue_trial(const ExternalParams& params, const nlohmann::json& user_attrs = {},
                     bool skip_if_exists = false);
  // Adds a finished (or WAITING) trial built elsewhere; its number is assigned afresh.
  void add_trial(const FrozenTrial& trial);

  // Best COMPLETE trial. Throws std::logic_error for multi-objective studies and
  // std::invalid_argument if no trial is COMPLETE.
  TrialPtr best_trial() const;
  double best_value() const;
  ExternalParams best_params() const;
  // The Pareto front of COMPLETE trials (the best trial, for one objective).
  Trials best_trials() const;
  Trials trials(StateMask states = StateMask::all()) const { return get_trials(states); }

  void set_user_attr(std::string_view key, const nlohmann::json& value);
  void set_system_attr(std::string_view key, const nlohmann::json& value);
  nlohmann::json user_attrs() const;
  nlohmann::json system_attrs() const;

  // Throws std::logic_error for multi-objective studies.
  StudyDirection direction() const;

  // StudyView
  int64_t study_id() const override { return study_id_; }
  const std::string& study_name() const override { return name_; }
  const std::vector<StudyDirection>& directions() const override { return directions_; }
  Trials get_trials(StateMask states = StateMask::all()) const override;
  Trials get_trials_from(int64_t first_number,
                         StateMask states = StateMask::all()) const override;
  int64_t get_n_trials(StateMask states = StateMask::all()) const override;
  void set_trial_system_attr(int64_t trial_id, std::string_view key,
                             const nlohmann::json& value) const override;
  // Starts no new trial in optimize(); running ones finish. Safe from any thread.
  void stop() const override { stop_requested_.store(true); }
  bool stop_requested() const { return stop_requested_.load(); }

  Storage& storage() const { return *storage_; }
  Sampler& sampler() const { return *sampler_; }
  Pruner& pruner() const { return *pruner_; }
  const std::shared_ptr<Storage>& shared_storage() const { return storage_; }

 private:
  friend class Trial;
  friend void run_optimize(Study&, const MultiObjective&, const OptimizeOptions&);
  // Records the end of a trial: sampler.after_trial, then state and values in storage.
  TrialPtr finish(const FrozenTrial& trial, TrialState state, std::vector<double> values);
  void clear_stop() { stop_requested_.store(false); }

  int64_t study_id_;
  std::string name_;
  std::vector<StudyDirection> directions_;
  std::shared_ptr<Storage> storage_;
  std::shared_ptr<Sampler> sampler_;
  std::shared_ptr<Pruner> pruner_;
  mutable std::atomic<bool> stop_requested_{false};
  std::unique_ptr<Heartbeat> heartbeat_;  // null unless the storage wants heartbeats
};

// The optimize loop (core/optimize.cc). Clears stop_requested at the start.
void run_optimize(Study& study, const MultiObjective& objective, const OptimizeOptions& options);

}  // namespace hpo
