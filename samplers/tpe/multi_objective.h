// The two-objective split of TPE (Optuna's multi-objective TPESampler, after Ozaki et al.,
// "Multiobjective Tree-Structured Parzen Estimator for Computationally Expensive Optimization
// Problems", GECCO 2020): the "below" trials are whole non-dominated fronts, the last front cut
// by greedy hypervolume subset selection, and each below trial is weighted by its hypervolume
// contribution.
#pragma once

#include <vector>

#include "samplers/tpe/observations.h"

namespace hpo::tpe {

// The hypervolume dominated by 2-D loss points (minimized) up to `reference`.
double hypervolume_2d(const std::vector<std::pair<double, double>>& points,
                      std::pair<double, double> reference);

// REQUIRES: obs.n_objectives == 2. `below` and `above` come out in trial-number order.
void split_two_objective(const Observations& obs, int n_below, std::vector<int>& below,
                         std::vector<int>& above);

// One weight per `below` trial: its exclusive hypervolume contribution relative to the largest
// (plus a tiny floor), as Optuna weights the below estimator of multi-objective TPE.
std::vector<double> two_objective_below_weights(const Observations& obs,
                                                const std::vector<int>& below);

}  // namespace hpo::tpe
