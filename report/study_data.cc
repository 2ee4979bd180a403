#include "report/study_data.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "importance/ped_anova.h"

namespace hpo::report {
namespace {

// Widens `axis` by one trial's distribution of the param.
void widen(ParamAxis& axis, const Distribution& d, bool first) {
  if (const auto* f = std::get_if<FloatDistribution>(&d)) {
    axis.kind = ParamKind::kFloat;
    axis.low = first ? f->low : std::min(axis.low, f->low);
    axis.high = first ? f->high : std::max(axis.high, f->high);
    axis.log = first ? f->log : axis.log && f->log;
  } else if (const auto* i = std::get_if<IntDistribution>(&d)) {
    axis.kind = ParamKind::kInt;
    axis.low =
        first ? static_cast<double>(i->low) : std::min(axis.low, static_cast<double>(i->low));
    axis.high =
        first ? static_cast<double>(i->high) : std::max(axis.high, static_cast<double>(i->high));
    axis.log = first ? i->log : axis.log && i->log;
  } else {
    const auto& c = std::get<CategoricalDistribution>(d);
    axis.kind = ParamKind::kCategorical;
    axis.log = false;
    // A study keeps one choice list per name (check_compatible), so the first one is the one.
    if (first) {
      for (const CategoricalChoice& choice : c.choices) axis.choices.push_back(to_string(choice));
      axis.low = 0;
      axis.high = static_cast<double>(c.choices.size()) - 1;
    }
  }
}

std::vector<ParamAxis> param_axes(const Trials& trials) {
  std::map<std::string, ParamAxis, std::less<>> axes;
  std::map<std::string, size_t, std::less<>> kinds;  // distribution variant index
  for (const TrialPtr& t : trials) {
    for (const auto& [name, dist] : t->distributions) {
      auto it = axes.find(name);
      if (it == axes.end()) {
        ParamAxis axis;
        axis.name = name;
        widen(axis, dist, true);
        axes.emplace(name, std::move(axis));
        kinds.emplace(name, dist.index());
      } else if (kinds[name] == dist.index()) {
        widen(it->second, dist, false);
      }
      // A param whose kind changed between trials keeps its first kind; the other trials'
      // values are drawn where they fall on that axis.
    }
  }
  std::vector<ParamAxis> out;
  for (auto& [name, axis] : axes) out.push_back(std::move(axis));
  return out;
}

Trials best_of(const Trials& complete, const std::vector<StudyDirection>& directions) {
  if (complete.empty()) return {};
  if (directions.size() == 1) {
    bool minimize = directions[0] == StudyDirection::kMinimize;
    TrialPtr best = complete[0];
    for (const TrialPtr& t : complete) {
      if (minimize ? t->values[0] < best->values[0] : t->values[0] > best->values[0]) best = t;
    }
    return {best};
  }
  Trials front;
  for (const TrialPtr& t : complete) {
    bool dominated = std::any_of(complete.begin(), complete.end(), [&](const TrialPtr& o) {
      return dominates(o->values, t->values, directions);
    });
    if (!dominated) front.push_back(t);
  }
  return front;
}

ObjectiveImportances importances_of(const Trials& trials, StudyDirection direction,
                                    size_t objective) {
  ObjectiveImportances out;
  out.objective = objective;
  try {
    for (const ParamImportance& p : ped_anova_importances(trials, direction, objective)) {
      out.importances.push_back({p.name, p.importance});
    }
    if (out.importances.empty()) out.note = "no parameter is shared by every COMPLETE trial";
  } catch (const std::invalid_argument& e) {
    out.note = e.what();
  }
  return out;
}

}  // namespace

std::string ReportData::objective_label(size_t objective) const {
  return directions.size() == 1 ? "objective" : "objective " + std::to_string(objective);
}

Trials ReportData::complete_trials() const {
  Trials out;
  for (const TrialPtr& t : trials) {
    if (t->state == TrialState::kComplete && t->values.size() == directions.size()) {
      out.push_back(t);
    }
  }
  return out;
}

size_t ReportData::count(TrialState state) const {
  return static_cast<size_t>(std::count_if(trials.begin(), trials.end(),
                                           [&](const TrialPtr& t) { return t->state == state; }));
}

ReportData gather_report_data(std::string study_name, std::vector<StudyDirection> directions,
                              Trials trials) {
  if (directions.empty()) {
    throw std::invalid_argument("study '" + study_name + "' has no direction; a report needs one");
  }
  ReportData data;
  data.study_name = std::move(study_name);
  data.directions = std::move(directions);
  std::sort(trials.begin(), trials.end(),
            [](const TrialPtr& a, const TrialPtr& b) { return a->number < b->number; });
  data.trials = std::move(trials);
  data.params = param_axes(data.trials);
  Trials complete = data.complete_trials();
  data.best = best_of(complete, data.directions);
  for (size_t i = 0; i < data.directions.size(); ++i) {
    data.importances.push_back(importances_of(complete, data.directions[i], i));
  }
  return data;
}

ReportData gather_report_data(const Study& study) {
  return gather_report_data(study.study_name(), study.directions(), study.get_trials());
}

}  // namespace hpo::report
