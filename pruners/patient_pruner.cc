#include "pruners/patient_pruner.h"

#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>

namespace hpo {

PatientPruner::PatientPruner(std::shared_ptr<Pruner> wrapped, PatientPrunerOptions options)
    : wrapped_(std::move(wrapped)), options_(options) {
  if (options.patience < 0)
    throw std::invalid_argument("patience cannot be negative, got " +
                                std::to_string(options.patience));
  if (!(options.min_delta >= 0.0))
    throw std::invalid_argument("min_delta cannot be negative, got " +
                                std::to_string(options.min_delta));
}

bool PatientPruner::prune(const StudyView& study, const FrozenTrial& trial) {
  if (study.is_multi_objective())
    throw std::logic_error("PatientPruner does not support multi-objective studies");
  const auto& values = trial.intermediate_values;
  const auto n_recent = static_cast<size_t>(options_.patience) + 1;
  if (values.size() <= n_recent) return false;

  const bool maximize = study.directions()[0] == StudyDirection::kMaximize;
  // Best of each side, NaN ignored; NaN if a side is all NaN (then no comparison holds).
  auto best_of = [maximize](auto first, auto last) {
    double best = std::numeric_limits<double>::quiet_NaN();
    for (; first != last; ++first) {
      const double v = first->second;
      if (std::isnan(v)) continue;
      if (std::isnan(best) || (maximize ? v > best : v < best)) best = v;
    }
    return best;
  };
  const auto split = std::prev(values.end(), static_cast<std::ptrdiff_t>(n_recent));
  const double before = best_of(values.begin(), split);
  const double recent = best_of(split, values.end());
  const bool stalled = maximize ? before - options_.min_delta > recent
                                : before + options_.min_delta < recent;
  if (!stalled) return false;
  return wrapped_ ? wrapped_->prune(study, trial) : true;
}

TrialFilter PatientPruner::sampler_trial_filter(const StudyView& study, const FrozenTrial& trial) {
  return wrapped_ ? wrapped_->sampler_trial_filter(study, trial) : TrialFilter{};
}

}  // namespace hpo
