#include "pruners/threshold_pruner.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "pruners/pruning_steps.h"

namespace hpo {

namespace {

std::string number_text(double v) {
  std::string s = std::to_string(v);
  return std::isnan(v) ? "nan" : s;
}

}  // namespace

ThresholdPruner::ThresholdPruner(ThresholdPrunerOptions options)
    : options_(options),
      lower_(options.lower.value_or(-std::numeric_limits<double>::infinity())),
      upper_(options.upper.value_or(std::numeric_limits<double>::infinity())) {
  if (!options.lower && !options.upper)
    throw std::invalid_argument("ThresholdPruner needs lower or upper (or both)");
  // Also rejects a NaN bound, which would otherwise never prune.
  if (!(lower_ <= upper_))
    throw std::invalid_argument("lower must not exceed upper, got lower " + number_text(lower_) +
                                " and upper " + number_text(upper_));
  if (options.n_warmup_steps < 0)
    throw std::invalid_argument("n_warmup_steps cannot be negative, got " +
                                std::to_string(options.n_warmup_steps));
  if (options.interval_steps < 1)
    throw std::invalid_argument("interval_steps must be at least 1, got " +
                                std::to_string(options.interval_steps));
}

bool ThresholdPruner::prune(const StudyView& /*study*/, const FrozenTrial& trial) {
  const std::optional<int64_t> step = trial.last_step();
  if (!step || *step < options_.n_warmup_steps) return false;
  if (!is_first_in_interval_step(*step, trial.intermediate_values, options_.n_warmup_steps,
                                 options_.interval_steps))
    return false;
  const double latest = trial.intermediate_values.at(*step);
  return std::isnan(latest) || latest < lower_ || latest > upper_;
}

}  // namespace hpo
