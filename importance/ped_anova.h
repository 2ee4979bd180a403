// Hyperparameter importance by PED-ANOVA (Watanabe, Bansal, Hutter: "PED-ANOVA: Efficiently
// Quantifying Hyperparameter Importance in Arbitrary Subspaces", IJCAI 2023, arXiv:2304.10255).
//
// Why PED-ANOVA and not fANOVA on a random forest: PED-ANOVA's importance of a param is the
// Pearson divergence between the distribution of that param among the top trials and among all
// trials (or a local region), which has a closed form on a 1-D grid. So it needs no model fit,
// costs O(trials + grid) per param, is deterministic (no forest seed), and answers the question
// users ask of a study: which params did the good trials need to get right.
//
// Per param, in internal space (log params in log space, a categorical's choice index):
//   1. the domain becomes a grid of at most 50 points (ints and stepped floats: their own
//      points when fewer; categoricals: one point per choice) and each trial falls on its nearest;
//   2. the grid counts of the top trials and of the region's trials are smoothed into two
//      probability mass functions (a Parzen estimator with Scott's-rule bandwidth plus a wide
//      prior kernel; categoricals: a kernel per choice plus a uniform prior);
//   3. the importance is sum_k region[k] * (top[k] / region[k] - 1)^2.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/frozen_trial.h"

namespace hpo {

struct PedAnovaOptions {
  // The "good" top fraction of trials whose param distribution is examined, in (0, 1]. At least
  // two trials are always taken (more when several tie at the cut).
  double target_quantile = 0.1;
  // The local region the top fraction is compared against, in [target_quantile, 1]; 1.0 is every
  // trial, i.e. the importance over the whole space the study searched.
  double region_quantile = 1.0;
  // Params to assess; empty means every param that all trials share with the same distribution.
  // A named param must be in every trial given, with one distribution.
  std::vector<std::string> params;
  // Scale the importances to sum to 1 (unless all are 0); off gives the raw divergences.
  bool normalize = true;
};

struct ParamImportance {
  std::string name;
  double importance;  // >= 0; with `normalize`, the list sums to 1 unless every importance is 0
};

// Importance of every param that all `trials` share (same distribution), measured by PED-ANOVA
// on the objective values `targets` (targets[i] belongs to trials[i]; the caller picks COMPLETE
// trials and the objective). Trials whose target is not finite are left out, as Optuna does. A
// param whose distribution has a single value gets importance 0. Sorted by importance, highest
// first; ties by name. Throws std::invalid_argument (the message names the problem) when trials
// and targets differ in size, fewer than 2 trials with a finite target remain, an option is out
// of range, or a param of `options.params` is missing from a trial or has several distributions.
std::vector<ParamImportance> ped_anova_importances(const Trials& trials,
                                                   const std::vector<double>& targets,
                                                   StudyDirection direction,
                                                   const PedAnovaOptions& options = {});

// Convenience: the COMPLETE trials of a study's trial list, objective `objective_index` (0 for
// single-objective). Throws std::invalid_argument as above, and when a COMPLETE trial has no
// value at `objective_index`.
std::vector<ParamImportance> ped_anova_importances(const Trials& trials, StudyDirection direction,
                                                   size_t objective_index = 0,
                                                   const PedAnovaOptions& options = {});

}  // namespace hpo
