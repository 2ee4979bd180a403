// Study: creation and loading, ask/tell, enqueue, best trials and attributes.
#include "core/study.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "core/errors.h"
#include "core/factory.h"
#include "core/heartbeat.h"

namespace hpo {
namespace {

// Optuna's default names look like "no-name-<uuid>"; ours are random hex of the same length.
std::string generated_study_name() {
  std::random_device device;
  std::ostringstream out;
  out << "no-name-" << std::hex;
  for (int i = 0; i < 4; ++i) out << (device() & 0xffffffffu);
  return out.str();
}

// Why a set of values cannot complete a trial, or empty if it can.
std::string invalid_values_reason(const std::vector<double>& values, size_t n_directions) {
  if (values.size() != n_directions) {
    return "the objective returned " + std::to_string(values.size()) + " values for a study with " +
           std::to_string(n_directions) + " directions";
  }
  for (double v : values) {
    if (!std::isfinite(v)) {
      std::ostringstream out;
      out << "the objective returned " << v << ", which is not a finite number";
      return out.str();
    }
  }
  return {};
}

}  // namespace

std::shared_ptr<Study> Study::create(CreateStudyOptions options) {
  if (options.directions.empty()) {
    throw std::invalid_argument("a study needs at least one direction");
  }
  if (!options.storage) options.storage = make_storage(":memory:");
  if (options.study_name.empty()) options.study_name = generated_study_name();

  int64_t study_id;
  if (auto existing = options.storage->find_study_id(options.study_name)) {
    if (!options.load_if_exists) {
      throw DuplicatedStudyError("a study named '" + options.study_name +
                                 "' already exists; load it, or pass load_if_exists");
    }
    study_id = *existing;
    if (options.storage->get_study_directions(study_id) != options.directions) {
      throw std::invalid_argument("study '" + options.study_name +
                                  "' exists with other directions than the ones given");
    }
  } else {
    try {
      study_id = options.storage->create_study(options.directions, options.study_name);
    } catch (const DuplicatedStudyError&) {
      // Another process created it between our lookup and our insert: load theirs, as Optuna.
      if (!options.load_if_exists) throw;
      return create(std::move(options));
    }
  }
  return std::make_shared<Study>(study_id, options.study_name, options.directions,
                                 options.storage, options.sampler, options.pruner);
}

std::shared_ptr<Study> Study::load(std::string_view study_name, std::shared_ptr<Storage> storage,
                                   std::shared_ptr<Sampler> sampler,
                                   std::shared_ptr<Pruner> pruner) {
  if (!storage) throw std::invalid_argument("load: a storage is required");
  auto id = storage->find_study_id(study_name);
  if (!id) throw NotFoundError("no study named '" + std::string(study_name) + "'");
  return std::make_shared<Study>(*id, std::string(study_name), storage->get_study_directions(*id),
                                 storage, std::move(sampler), std::move(pruner));
}

Study::Study(int64_t study_id, std::string name, std::vector<StudyDirection> directions,
             std::shared_ptr<Storage> storage, std::shared_ptr<Sampler> sampler,
             std::shared_ptr<Pruner> pruner)
    : study_id_(study_id),
      name_(std::move(name)),
      directions_(std::move(directions)),
      storage_(std::move(storage)),
      sampler_(sampler ? std::move(sampler) : make_default_sampler()),
      pruner_(pruner ? std::move(pruner) : make_default_pruner()) {
  if (storage_->heartbeat_enabled()) heartbeat_ = std::make_unique<Heartbeat>(storage_, study_id_);
}

Study::~Study() = default;

Trial Study::ask() {
  if (storage_->heartbeat_enabled()) storage_->fail_stale_trials(study_id_);
  std::optional<int64_t> trial_id = storage_->pop_waiting_trial(study_id_);
  if (!trial_id) trial_id = storage_->create_trial(study_id_);
  if (heartbeat_) heartbeat_->add(*trial_id);
  return Trial(*this, *trial_id);
}

Trial Study::ask(const Distributions& fixed_distributions) {
  Trial trial = ask();
  for (const auto& [name, distribution] : fixed_distributions) {
    trial.suggest(name, distribution);
  }
  return trial;
}

TrialPtr Study::tell(const Trial& trial, double value) {
  return tell(trial, TrialState::kComplete, {value});
}

TrialPtr Study::tell(const Trial& trial, const std::vector<double>& values) {
  return tell(trial, TrialState::kComplete, values);
}

TrialPtr Study::tell(const Trial& trial, TrialState state, const std::vector<double>& values) {
  // The trial's own snapshot has what this process wrote; storage has the rest (other writers).
  TrialPtr stored = storage_->get_trial(trial.trial_id());
  FrozenTrial merged = *stored;
  merged.system_attrs.update(trial.snapshot().system_attrs);
  return finish(merged, state, values);
}

TrialPtr Study::tell(int64_t trial_number, TrialState state, const std::vector<double>& values) {
  for (const TrialPtr& t : storage_->get_all_trials(study_id_)) {
    if (t->number == trial_number) return finish(*t, state, values);
  }
  throw NotFoundError("study '" + name_ + "' has no trial number " + std::to_string(trial_number));
}

TrialPtr Study::finish(const FrozenTrial& trial, TrialState state, std::vector<double> values) {
  if (is_finished(trial.state)) {
    throw UpdateFinishedTrialError("trial " + std::to_string(trial.number) + " is already " +
                                   std::string(to_string(trial.state)));
  }
  if (state == TrialState::kRunning || state == TrialState::kWaiting) {
    throw std::invalid_argument("tell: the state must be COMPLETE, PRUNED or FAIL, got " +
                                std::string(to_string(state)));
  }
  if (state == TrialState::kComplete) {
    std::string reason = invalid_values_reason(values, directions_.size());
    if (!reason.empty()) {
      // An objective wrapper that saw why there are no values (a Python objective returning
      // a string) has said so already, better than "returned 0 values" would.
      bool explained = values.empty() && trial.system_attrs.contains("fail_reason");
      if (!explained) storage_->set_trial_system_attr(trial.trial_id, "fail_reason", reason);
      state = TrialState::kFail;
      values.clear();
    }
  } else if (state == TrialState::kPruned) {
    // As Optuna: a pruned trial's value is its last reported value, when that is a number.
    values.clear();
    if (!trial.intermediate_values.empty() && directions_.size() == 1) {
      double last = trial.intermediate_values.rbegin()->second;
      if (std::isfinite(last)) values = {last};
    }
  } else {
    values.clear();
  }

  sampler_->after_trial(*this, trial, state, values);
  storage_->set_trial_state_values(trial.trial_id, state, values);
  if (heartbeat_) heartbeat_->remove(trial.trial_id);
  return storage_->get_trial(trial.trial_id);
}

void Study::optimize(const Objective& objective, const OptimizeOptions& options) {
  run_optimize(*this, [&](Trial& trial) { return std::vector<double>{objective(trial)}; },
               options);
}

void Study::optimize(const MultiObjective& objective, const OptimizeOptions& options) {
  run_optimize(*this, objective, options);
}

void Study::enqueue_trial(const ExternalParams& params, const nlohmann::json& user_attrs,
                          bool skip_if_exists) {
  if (skip_if_exists) {
    for (const TrialPtr& t : get_trials()) {
      ExternalParams existing = t->external_params();
      if (auto fixed = t->system_attrs.find("fixed_params"); fixed != t->system_attrs.end()) {
        for (const auto& [name, value] : fixed->items()) {
          existing[name] = param_value_from_json(value);
        }
      }
      if (existing == params) return;
    }
  }
  FrozenTrial waiting;
  waiting.state = TrialState::kWaiting;
  nlohmann::json fixed = nlohmann::json::object();
  for (const auto& [name, value] : params) fixed[name] = to_json(value);
  waiting.system_attrs["fixed_params"] = std::move(fixed);
  if (user_attrs.is_object()) waiting.user_attrs = user_attrs;
  storage_->create_trial(study_id_, &waiting);
}

void Study::add_trial(const FrozenTrial& trial) {
  for (const auto& [name, internal] : trial.params) {
    auto d = trial.distributions.find(name);
    if (d == trial.distributions.end()) {
      throw std::invalid_argument("add_trial: param '" + name + "' has no distribution");
    }
    if (!contains(d->second, internal)) {
      throw std::invalid_argument("add_trial: param '" + name + "' = " +
                                  to_string(to_external(d->second, internal)) +
                                  " is outside its distribution");
    }
  }
  if (trial.state == TrialState::kComplete) {
    std::string reason = invalid_values_reason(trial.values, directions_.size());
    if (!reason.empty()) throw std::invalid_argument("add_trial: " + reason);
  } else if (trial.state == TrialState::kRunning) {
    throw std::invalid_argument("add_trial: a RUNNING trial cannot be added");
  }
  storage_->create_trial(study_id_, &trial);
}

TrialPtr Study::best_trial() const {
  if (is_multi_objective()) {
    throw std::logic_error("best_trial is for single-objective studies; use best_trials");
  }
  TrialPtr best;
  for (const TrialPtr& t : get_trials({TrialState::kComplete})) {
    if (!best) {
      best = t;
      continue;
    }
    bool better = directions_[0] == StudyDirection::kMinimize ? t->values[0] < best->values[0]
                                                               : t->values[0] > best->values[0];
    if (better) best = t;
  }
  if (!best) throw std::invalid_argument("no trial of study '" + name_ + "' is complete yet");
  return best;
}

double Study::best_value() const { return best_trial()->value(); }

ExternalParams Study::best_params() const { return best_trial()->external_params(); }

Trials Study::best_trials() const {
  Trials complete = get_trials({TrialState::kComplete});
  if (!is_multi_objective()) {
    if (complete.empty()) return {};
    return {best_trial()};
  }
  // An O(n^2) scan: fine at the sizes studies reach, and simpler than non-dominated sorting.
  Trials front;
  for (const TrialPtr& t : complete) {
    bool dominated = std::any_of(complete.begin(), complete.end(), [&](const TrialPtr& other) {
      return dominates(other->values, t->values, directions_);
    });
    if (!dominated) front.push_back(t);
  }
  return front;
}

void Study::set_user_attr(std::string_view key, const nlohmann::json& value) {
  storage_->set_study_user_attr(study_id_, key, value);
}

void Study::set_system_attr(std::string_view key, const nlohmann::json& value) {
  storage_->set_study_system_attr(study_id_, key, value);
}

nlohmann::json Study::user_attrs() const { return storage_->get_study_user_attrs(study_id_); }

nlohmann::json Study::system_attrs() const { return storage_->get_study_system_attrs(study_id_); }

StudyDirection Study::direction() const {
  if (is_multi_objective()) {
    throw std::logic_error("direction is for single-objective studies; use directions");
  }
  return directions_[0];
}

Trials Study::get_trials(StateMask states) const {
  return storage_->get_all_trials(study_id_, states);
}

Trials Study::get_trials_from(int64_t first_number, StateMask states) const {
  return storage_->get_trials_from(study_id_, first_number, states);
}

int64_t Study::get_n_trials(StateMask states) const {
  return storage_->get_n_trials(study_id_, states);
}

void Study::set_trial_system_attr(int64_t trial_id, std::string_view key,
                                  const nlohmann::json& value) const {
  storage_->set_trial_system_attr(trial_id, key, value);
}

}  // namespace hpo
