// Waits for a trial to stop improving before consulting another pruner (Optuna's PatientPruner).
#pragma once

#include <memory>

#include "core/pruner.h"

namespace hpo {

struct PatientPrunerOptions {
  // How many reported steps without improvement are tolerated.
  int patience = 0;
  // An improvement smaller than this does not count.
  double min_delta = 0.0;
};

// With steps s_1 < ... < s_n reported, the trial has not improved when the best value of the
// last patience + 1 steps is worse than the best value before them by more than min_delta
// (NaN ignored; if either side is all NaN it counts as improving). Only then is the wrapped
// pruner asked; with no wrapped pruner, the trial is pruned. Needs n > patience + 1 steps.
//
// Thread-safe if the wrapped pruner is.
class PatientPruner final : public Pruner {
 public:
  // `wrapped` may be null. Throws std::invalid_argument if patience < 0 or min_delta < 0
  // (or NaN).
  PatientPruner(std::shared_ptr<Pruner> wrapped, PatientPrunerOptions options);

  bool prune(const StudyView& study, const FrozenTrial& trial) override;
  // The wrapped pruner's (Hyperband's brackets stay in force when it is wrapped).
  TrialFilter sampler_trial_filter(const StudyView& study, const FrozenTrial& trial) override;

  const PatientPrunerOptions& options() const { return options_; }
  const std::shared_ptr<Pruner>& wrapped_pruner() const { return wrapped_; }

 private:
  const std::shared_ptr<Pruner> wrapped_;
  const PatientPrunerOptions options_;
};

}  // namespace hpo
