// Prunes a trial whose latest intermediate value leaves a fixed band (Optuna's ThresholdPruner).
#pragma once

#include <optional>

#include "core/pruner.h"

namespace hpo {

struct ThresholdPrunerOptions {
  std::optional<double> lower;  // prune below this; absent: no lower bound
  std::optional<double> upper;  // prune above this; absent: no upper bound
  int n_warmup_steps = 0;       // no pruning before this step
  // Checks happen at n_warmup_steps, n_warmup_steps + interval_steps, ...; a check point with
  // no report is taken up by the next report.
  int interval_steps = 1;
};

// Prunes when the value reported at the trial's last step is NaN, below `lower` or above
// `upper`, at the check points set by the warm-up and the interval. Stateless; thread-safe.
class ThresholdPruner final : public Pruner {
 public:
  // Throws std::invalid_argument if neither bound is given, if lower > upper (or either is
  // NaN), if n_warmup_steps < 0 or interval_steps < 1.
  explicit ThresholdPruner(ThresholdPrunerOptions options);

  bool prune(const StudyView& study, const FrozenTrial& trial) override;

  const ThresholdPrunerOptions& options() const { return options_; }

 private:
  const ThresholdPrunerOptions options_;
  double lower_;
  double upper_;
};

}  // namespace hpo
