// InMemoryStorage: maps of studies and copy-on-write trial snapshots under one mutex.
#include "storage/in_memory_storage.h"

#include <algorithm>

#include "core/errors.h"

namespace hpo {
namespace {

std::string trial_name(int64_t trial_id) { return "trial_id " + std::to_string(trial_id); }

}  // namespace

InMemoryStorage::StudyRecord& InMemoryStorage::study(int64_t study_id) {
  auto it = studies_.find(study_id);
  if (it == studies_.end()) {
    throw NotFoundError("no study with study_id " + std::to_string(study_id));
  }
  return it->second;
}

const InMemoryStorage::StudyRecord& InMemoryStorage::study(int64_t study_id) const {
  return const_cast<InMemoryStorage*>(this)->study(study_id);
}

std::shared_ptr<const FrozenTrial>& InMemoryStorage::trial_slot(int64_t trial_id) {
  auto it = trial_locations_.find(trial_id);
  if (it == trial_locations_.end()) throw NotFoundError("no trial with " + trial_name(trial_id));
  return study(it->second.study_id).trials[static_cast<size_t>(it->second.number)];
}

template <class Edit>
void InMemoryStorage::update_unfinished(int64_t trial_id, Edit edit) {
  std::shared_ptr<const FrozenTrial>& slot = trial_slot(trial_id);
  if (is_finished(slot->state)) {
    throw UpdateFinishedTrialError("trial " + std::to_string(slot->number) + " is already " +
                                   std::string(to_string(slot->state)) + " and cannot change");
  }
  auto copy = std::make_shared<FrozenTrial>(*slot);
  edit(*copy);
  slot = std::move(copy);
}

int64_t InMemoryStorage::create_study(const std::vector<StudyDirection>& directions,
                                      std::string_view name) {
  if (directions.empty()) throw std::invalid_argument("a study needs at least one direction");
  std::lock_guard lock(mutex_);
  for (const auto& [id, record] : studies_) {
    if (record.name == name) {
      throw DuplicatedStudyError("a study named '" + std::string(name) + "' already exists");
    }
  }
  int64_t id = next_study_id_++;
  studies_[id] = StudyRecord{std::string(name), directions};
  return id;
}

void InMemoryStorage::delete_study(int64_t study_id) {
  std::lock_guard lock(mutex_);
  StudyRecord& record = study(study_id);
  for (const auto& t : record.trials) trial_locations_.erase(t->trial_id);
  studies_.erase(study_id);
}

std::optional<int64_t> InMemoryStorage::find_study_id(std::string_view name) const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, record] : studies_) {
    if (record.name == name) return id;
  }
  return std::nullopt;
}

std::string InMemoryStorage::get_study_name(int64_t study_id) const {
  std::lock_guard lock(mutex_);
  return study(study_id).name;
}

std::vector<StudyDirection> InMemoryStorage::get_study_directions(int64_t study_id) const {
  std::lock_guard lock(mutex_);
  return study(study_id).directions;
}

std::vector<StudySummary> InMemoryStorage::get_all_studies() const {
  std::lock_guard lock(mutex_);
  std::vector<StudySummary> out;
  for (const auto& [id, record] : studies_) {
    StudySummary s;
    s.study_id = id;
    s.study_name = record.name;
    s.directions = record.directions;
    s.user_attrs = record.user_attrs;
    s.system_attrs = record.system_attrs;
    s.n_trials = static_cast<int64_t>(record.trials.size());
    if (!record.trials.empty()) s.datetime_start = record.trials.front()->datetime_start;
    out.push_back(std::move(s));
  }
  return out;
}

void InMemoryStorage::set_study_user_attr(int64_t study_id, std::string_view key,
                                          const nlohmann::json& value) {
  std::lock_guard lock(mutex_);
  study(study_id).user_attrs[std::string(key)] = value;
}

void InMemoryStorage::set_study_system_attr(int64_t study_id, std::string_view key,
                                            const nlohmann::json& value) {
  std::lock_guard lock(mutex_);
  study(study_id).system_attrs[std::string(key)] = value;
}

nlohmann::json InMemoryStorage::get_study_user_attrs(int64_t study_id) const {
  std::lock_guard lock(mutex_);
  return study(study_id).user_attrs;
}

nlohmann::json InMemoryStorage::get_study_system_attrs(int64_t study_id) const {
  std::lock_guard lock(mutex_);
  return study(study_id).system_attrs;
}

int64_t InMemoryStorage::create_trial(int64_t study_id, const FrozenTrial* from) {
  std::lock_guard lock(mutex_);
  StudyRecord& record = study(study_id);
  auto trial = std::make_shared<FrozenTrial>();
  if (from != nullptr) {
    *trial = *from;
  } else {
    trial->state = TrialState::kRunning;
    trial->datetime_start = Clock::now();
  }
  if (trial->state == TrialState::kRunning && !trial->datetime_start) {
    trial->datetime_start = Clock::now();
  }
  if (is_finished(trial->state) && !trial->datetime_complete) {
    trial->datetime_complete = Clock::now();
  }
  trial->trial_id = next_trial_id_++;
  trial->number = static_cast<int64_t>(record.trials.size());
  trial_locations_[trial->trial_id] = {study_id, trial->number};
  ++record.n_by_state[static_cast<size_t>(trial->state)];
  record.trials.push_back(std::move(trial));
  return record.trials.back()->trial_id;
}

std::optional<int64_t> InMemoryStorage::pop_waiting_trial(int64_t study_id) {
  std::lock_guard lock(mutex_);
  StudyRecord& record = study(study_id);
  // Every ask calls this; the count spares a walk over thousands of trials when none waits.
  if (record.n_by_state[static_cast<size_t>(TrialState::kWaiting)] == 0) return std::nullopt;
  for (auto& slot : record.trials) {
    if (slot->state != TrialState::kWaiting) continue;
    auto copy = std::make_shared<FrozenTrial>(*slot);
    copy->state = TrialState::kRunning;
    copy->datetime_start = Clock::now();
    slot = std::move(copy);
    --record.n_by_state[static_cast<size_t>(TrialState::kWaiting)];
    ++record.n_by_state[static_cast<size_t>(TrialState::kRunning)];
    return slot->trial_id;
  }
  return std::nullopt;
}

void InMemoryStorage::set_trial_param(int64_t trial_id, std::string_view name, double internal,
                                      const Distribution& distribution) {
  std::lock_guard lock(mutex_);
  update_unfinished(trial_id, [&](FrozenTrial& t) {
    auto existing = t.distributions.find(name);
    if (existing != t.distributions.end()) {
      check_compatible(existing->second, distribution, std::string(name));
    }
    t.params[std::string(name)] = internal;
    t.distributions[std::string(name)] = distribution;
  });
}

bool InMemoryStorage::set_trial_state_values(int64_t trial_id, TrialState state,
                                             const std::vector<double>& values) {
  std::lock_guard lock(mutex_);
  std::shared_ptr<const FrozenTrial>& slot = trial_slot(trial_id);
  if (state == TrialState::kRunning && slot->state != TrialState::kWaiting) return false;
  const TrialState before = slot->state;
  update_unfinished(trial_id, [&](FrozenTrial& t) {
    t.state = state;
    t.values = values;
    if (state == TrialState::kRunning) t.datetime_start = Clock::now();
    if (is_finished(state)) t.datetime_complete = Clock::now();
  });
  StudyRecord& record = study(trial_locations_.at(trial_id).study_id);
  --record.n_by_state[static_cast<size_t>(before)];
  ++record.n_by_state[static_cast<size_t>(state)];
  return true;
}

void InMemoryStorage::set_trial_intermediate_value(int64_t trial_id, int64_t step, double value) {
  std::lock_guard lock(mutex_);
  update_unfinished(trial_id, [&](FrozenTrial& t) { t.intermediate_values[step] = value; });
}

void InMemoryStorage::set_trial_user_attr(int64_t trial_id, std::string_view key,
                                          const nlohmann::json& value) {
  std::lock_guard lock(mutex_);
  update_unfinished(trial_id, [&](FrozenTrial& t) { t.user_attrs[std::string(key)] = value; });
}

void InMemoryStorage::set_trial_system_attr(int64_t trial_id, std::string_view key,
                                            const nlohmann::json& value) {
  std::lock_guard lock(mutex_);
  update_unfinished(trial_id, [&](FrozenTrial& t) { t.system_attrs[std::string(key)] = value; });
}

TrialPtr InMemoryStorage::get_trial(int64_t trial_id) const {
  std::lock_guard lock(mutex_);
  return const_cast<InMemoryStorage*>(this)->trial_slot(trial_id);
}

Trials InMemoryStorage::get_all_trials(int64_t study_id, StateMask states) const {
  std::lock_guard lock(mutex_);
  const StudyRecord& record = study(study_id);
  Trials out;
  out.reserve(record.trials.size());
  for (const auto& t : record.trials) {
    if (states.has(t->state)) out.push_back(t);
  }
  return out;
}

Trials InMemoryStorage::get_trials_from(int64_t study_id, int64_t first_number,
                                        StateMask states) const {
  std::lock_guard lock(mutex_);
  const StudyRecord& record = study(study_id);
  Trials out;
  // Trials are stored by number.
  const size_t first = static_cast<size_t>(std::clamp<int64_t>(
      first_number, 0, static_cast<int64_t>(record.trials.size())));
  for (size_t i = first; i < record.trials.size(); ++i) {
    if (states.has(record.trials[i]->state)) out.push_back(record.trials[i]);
  }
  return out;
}

int64_t InMemoryStorage::get_n_trials(int64_t study_id, StateMask states) const {
  std::lock_guard lock(mutex_);
  const StudyRecord& record = study(study_id);
  int64_t n = 0;
  for (TrialState s : {TrialState::kRunning, TrialState::kComplete, TrialState::kPruned,
                       TrialState::kFail, TrialState::kWaiting}) {
    if (states.has(s)) n += record.n_by_state[static_cast<size_t>(s)];
  }
  return n;
}

}  // namespace hpo
