// Inference of the relative search space: the parameters samplers can model jointly.
#pragma once

#include "core/distribution.h"
#include "core/frozen_trial.h"

namespace hpo {

// The parameters that every trial in `trials` has, with the same distribution in each (Optuna's
// IntersectionSearchSpace). Parameters whose distribution has a single value are dropped: there
// is nothing to model. The caller chooses the trials (e.g. COMPLETE, or COMPLETE and PRUNED).
// Empty if `trials` is empty.
SearchSpace intersection_search_space(const Trials& trials);

}  // namespace hpo
