// The sampler interface: Optuna's split into a relative (joint) part and an independent part.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/distribution.h"
#include "core/frozen_trial.h"
#include "core/study_view.h"

namespace hpo {

// For each trial, Study calls before_trial, then infer_relative_search_space and
// sample_relative once; each suggest_* outside the relative space then calls
// sample_independent. After the trial ends, after_trial.
//
// optimize() may call one instance from several worker threads at once: implementations guard
// their mutable state (random generators, caches).
class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual SearchSpace infer_relative_search_space(const StudyView& study,
                                                  const FrozenTrial& trial) = 0;
  // Returns internal values for (a subset of) `space`.
  virtual InternalParams sample_relative(const StudyView& study, const FrozenTrial& trial,
                                         const SearchSpace& space) = 0;
  // Returns the value in internal representation.
  virtual double sample_independent(const StudyView& study, const FrozenTrial& trial,
                                    std::string_view name, const Distribution& distribution) = 0;
  virtual void before_trial(const StudyView& /*study*/, const FrozenTrial& /*trial*/) {}
  virtual void after_trial(const StudyView& /*study*/, const FrozenTrial& /*trial*/,
                           TrialState /*state*/, const std::vector<double>& /*values*/) {}
  // Restarts the random stream from `seed`.
  virtual void reseed(uint64_t /*seed*/) {}
};

}  // namespace hpo
