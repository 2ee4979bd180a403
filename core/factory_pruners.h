// The factory's pruner constructors (core/factory.cc's table calls them): each reads its
// options, with Optuna's names, from an OptionReader and builds the pruner.
#pragma once

#include <memory>

#include "core/option_reader.h"
#include "core/pruner.h"

namespace hpo {

std::shared_ptr<Pruner> read_median_pruner(OptionReader& r);
// Needs "percentile".
std::shared_ptr<Pruner> read_percentile_pruner(OptionReader& r);
// "min_resource" is an integer or "auto".
std::shared_ptr<Pruner> read_successive_halving_pruner(OptionReader& r);
// "max_resource" is an integer or "auto".
std::shared_ptr<Pruner> read_hyperband_pruner(OptionReader& r);
// Needs "lower" or "upper".
std::shared_ptr<Pruner> read_threshold_pruner(OptionReader& r);
// Needs "patience". "wrapped_pruner" is null, a pruner name, or {"name": ..., "options": {...}}.
std::shared_ptr<Pruner> read_patient_pruner(OptionReader& r);

}  // namespace hpo
