// Optuna's MedianPruner: the percentile pruner at the 50th percentile.
#pragma once

#include "pruners/percentile_pruner.h"

namespace hpo {

// Prunes a trial whose best intermediate value is worse than the median of the COMPLETE
// trials' values at the same step. Options and errors as PercentilePruner's.
class MedianPruner final : public PercentilePruner {
 public:
  explicit MedianPruner(PercentilePrunerOptions options = {}) : PercentilePruner(50.0, options) {}
};

}  // namespace hpo
