// What the study report shows, gathered once from a study's trials: the trials themselves, one
// axis per parameter (with the bounds and kind every trial agrees on), the best trial or
// Pareto front, and the parameter importances per objective.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/frozen_trial.h"
#include "core/study.h"

namespace hpo::report {

enum class ParamKind { kFloat, kInt, kCategorical };

// One parameter across the study. Bounds are internal values (a categorical's are its choice
// indices) spanning every trial's distribution, so a search space that widened between runs
// still fits on one axis.
struct ParamAxis {
  std::string name;
  ParamKind kind = ParamKind::kFloat;
  bool log = false;  // every trial's distribution of this param is log-scaled
  double low = 0;
  double high = 0;
  std::vector<std::string> choices;  // categorical labels, as to_string(ParamValue) writes them
};

struct Importance {
  std::string name;
  double importance;  // >= 0
};

// PED-ANOVA importances of one objective, or why there are none (`note`).
struct ObjectiveImportances {
  size_t objective = 0;
  std::vector<Importance> importances;  // highest first
  std::string note;
};

struct ReportData {
  std::string study_name;
  std::vector<StudyDirection> directions;
  Trials trials;                  // every trial, by number
  std::vector<ParamAxis> params;  // by name
  Trials best;                    // the best trial, or the Pareto front; empty without COMPLETE
  std::vector<ObjectiveImportances> importances;  // one per objective

  // "objective" for one direction, "objective 0", "objective 1", ... for several.
  std::string objective_label(size_t objective) const;
  Trials complete_trials() const;
  size_t count(TrialState state) const;
};

// Gathers everything the report shows. `trials` may be in any order, empty, or hold only
// failed trials. Throws std::invalid_argument for an empty `directions`.
ReportData gather_report_data(std::string study_name, std::vector<StudyDirection> directions,
                              Trials trials);
ReportData gather_report_data(const Study& study);

}  // namespace hpo::report
