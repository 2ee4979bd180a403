// A study database held in the process's memory: the default for the C++ and Python APIs.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/storage.h"

namespace hpo {

// Thread-safe (one mutex; every call is short). Trials are copy-on-write: a write replaces the
// trial's shared snapshot, so readers keep the snapshot they were given. Nothing is persisted:
// the studies end with the object.
class InMemoryStorage final : public Storage {
 public:
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

 private:
  struct StudyRecord {
    std::string name;
    std::vector<StudyDirection> directions;
    nlohmann::json user_attrs = nlohmann::json::object();
    nlohmann::json system_attrs = nlohmann::json::object();
    std::vector<std::shared_ptr<const FrozenTrial>> trials;  // index == number
    // Trials per state (indexed by TrialState), so that get_n_trials, which pruners call on
    // every decision, does not walk the trials.
    std::array<int64_t, 5> n_by_state{};
  };
  struct TrialLocation {
    int64_t study_id;
    int64_t number;
  };

  // REQUIRES: mutex_ held. Throw NotFoundError for unknown ids.
  StudyRecord& study(int64_t study_id);
  const StudyRecord& study(int64_t study_id) const;
  std::shared_ptr<const FrozenTrial>& trial_slot(int64_t trial_id);
  // REQUIRES: mutex_ held. Copies the trial, lets `edit` change the copy and publishes it.
  // Throws UpdateFinishedTrialError if the trial is finished.
  template <class Edit>
  void update_unfinished(int64_t trial_id, Edit edit);

  mutable std::mutex mutex_;
  std::map<int64_t, StudyRecord> studies_;
  std::map<int64_t, TrialLocation> trial_locations_;
  int64_t next_study_id_ = 0;
  int64_t next_trial_id_ = 0;
};

}  // namespace hpo
