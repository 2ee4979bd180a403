// Hand-built histories for pruner tests, through the real Study and in-memory storage.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/frozen_trial.h"
#include "core/pruner.h"
#include "core/study.h"

namespace hpo::testing {

inline std::shared_ptr<Study> make_study(std::shared_ptr<Pruner> pruner,
                                         StudyDirection direction = StudyDirection::kMinimize,
                                         std::string name = "pruner-test") {
  CreateStudyOptions options;
  options.pruner = std::move(pruner);
  options.directions = {direction};
  options.study_name = std::move(name);
  return Study::create(options);
}

// Adds a finished trial with the given learning curve (COMPLETE with `value`, or `state`).
inline void add_finished(Study& study, const std::map<int64_t, double>& curve, double value,
                         TrialState state = TrialState::kComplete,
                         const nlohmann::json& system_attrs = nlohmann::json::object()) {
  FrozenTrial t;
  t.system_attrs = system_attrs;
  t.state = state;
  if (state == TrialState::kComplete) t.values = {value};
  t.intermediate_values = curve;
  t.datetime_start = Clock::now();
  t.datetime_complete = Clock::now();
  study.add_trial(t);
}

// Reports `curve` step by step into `trial`; returns the step at which should_prune() first
// said yes, if any (the remaining steps are not reported then).
inline std::optional<int64_t> run_curve(Trial& trial, const std::vector<std::pair<int64_t, double>>& curve) {
  for (const auto& [step, v] : curve) {
    trial.report(v, step);
    if (trial.should_prune()) return step;
  }
  return std::nullopt;
}

}  // namespace hpo::testing
