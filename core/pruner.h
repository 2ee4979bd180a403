// The pruner interface: one decision per call to Trial::should_prune().
#pragma once

#include <functional>

#include "core/frozen_trial.h"
#include "core/study_view.h"

namespace hpo {

// Keeps only the trials a sampler may learn from.
using TrialFilter = std::function<bool(const FrozenTrial&)>;

// May be called from several worker threads at once. State that other workers (or processes)
// must see goes to storage through StudyView::set_trial_system_attr, never only into members.
class Pruner {
 public:
  virtual ~Pruner() = default;
  // `trial` is a snapshot of the running trial, with its intermediate values so far.
  virtual bool prune(const StudyView& study, const FrozenTrial& trial) = 0;
  // Hyperband shows a trial's sampler only the trials of the same bracket. An empty filter
  // (the default) lets the sampler see every trial.
  virtual TrialFilter sampler_trial_filter(const StudyView& /*study*/,
                                           const FrozenTrial& /*trial*/) {
    return {};
  }
};

}  // namespace hpo
