// Step arithmetic shared by the pruners that check only every few steps after a warm-up
// (percentile, median, threshold).
#pragma once

#include <cstdint>
#include <iterator>
#include <map>

namespace hpo {

// True if `last_step`, the largest step in `values`, is the first reported step at or after
// the latest pruning check point, where check points are n_warmup_steps,
// n_warmup_steps + interval_steps, ... A check point at which nothing was reported is thus
// taken up by the next report, as in Optuna's `_is_first_in_interval_step`.
// REQUIRES: last_step >= n_warmup_steps >= 0, interval_steps >= 1, `values` holds last_step.
inline bool is_first_in_interval_step(int64_t last_step, const std::map<int64_t, double>& values,
                                      int64_t n_warmup_steps, int64_t interval_steps) {
  const int64_t nearest_lower_check =
      (last_step - n_warmup_steps) / interval_steps * interval_steps + n_warmup_steps;
  // The step reported before the last one: the second largest key, or -1.
  int64_t previous_step = -1;
  if (values.size() >= 2) previous_step = std::prev(values.end(), 2)->first;
  return previous_step < nearest_lower_check;
}

}  // namespace hpo
