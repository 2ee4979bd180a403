// What samplers and pruners may see of a study: read access plus the few writes they need.
// Study implements it; samplers/ and pruners/ depend on this header, never on core/study.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/frozen_trial.h"

namespace hpo {

class StudyView {
 public:
  virtual ~StudyView() = default;
  virtual int64_t study_id() const = 0;
  virtual const std::string& study_name() const = 0;
  virtual const std::vector<StudyDirection>& directions() const = 0;
  // The study's trials in the given states, ordered by number (shared snapshots).
  virtual Trials get_trials(StateMask states = StateMask::all()) const = 0;
  // The trials numbered first_number or later (Storage::get_trials_from).
  virtual Trials get_trials_from(int64_t first_number, StateMask states = StateMask::all()) const {
    Trials out;
    for (TrialPtr& t : get_trials(states)) {
      if (t->number >= first_number) out.push_back(std::move(t));
    }
    return out;
  }
  // How many trials get_trials(states) would return. Pruners ask on every decision, so a view
  // should answer without copying the trial list.
  virtual int64_t get_n_trials(StateMask states = StateMask::all()) const {
    return static_cast<int64_t>(get_trials(states).size());
  }
  // True when this view hides some of the study's trials (Hyperband shows a sampler only the
  // trials of one bracket): samplers that cache what they read per study must not then.
  virtual bool filtered() const { return false; }
  // Writes through to storage. Const because samplers and pruners receive a const view: these
  // are the only writes they may make, and neither changes the view itself.
  virtual void set_trial_system_attr(int64_t trial_id, std::string_view key,
                                     const nlohmann::json& value) const = 0;
  // Asks optimize() to start no new trial (GridSampler calls it when the grid is spent).
  virtual void stop() const = 0;

  bool is_multi_objective() const { return directions().size() > 1; }
};

}  // namespace hpo
