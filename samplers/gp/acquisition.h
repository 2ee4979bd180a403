// Log expected improvement and its maximization over the box of a SearchSpaceTransform.
//
// log EI follows Ament et al., "Unexpected Improvements to Expected Improvement for Bayesian
// Optimization" (NeurIPS 2023): computed in log space with an asymptotic branch, so that it
// and its gradient stay finite and informative far below the incumbent, where plain EI
// underflows to 0 and gives the optimizer nothing to follow.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "samplers/gp/gaussian_process.h"

namespace hpo {

// log E[max(0, Z + z)] for Z ~ N(0, 1); `dz` (if not null) receives its derivative in z.
double standard_log_ei(double z, double* dz = nullptr);

// log EI of a N(mean, var) prediction over the incumbent `best` (larger is better).
double log_ei(double mean, double var, double best);

struct AcquisitionOptions {
  int n_candidates = 2048;   // quasi-random points scored before the local search
  int n_local_search = 10;   // best candidates refined by L-BFGS-B (besides the warm starts)
  int max_iterations = 50;   // L-BFGS-B iterations per start
};

// Returns the point of the box that maximizes log EI of `gp` over `best`: scrambled-Halton
// candidates (seeded by `seed`), then L-BFGS-B on the numeric coordinates from the best
// candidates and from each of `warm_starts` (e.g. the incumbent), then a sweep over the
// choices of each categorical coordinate. `n_choices[k]` is 0 for a numeric coordinate in
// [0, 1] and the number of choices for a categorical one.
Eigen::VectorXd maximize_log_ei(const GaussianProcess& gp, double best,
                                const std::vector<int>& n_choices,
                                const std::vector<Eigen::VectorXd>& warm_starts, uint64_t seed,
                                const AcquisitionOptions& options = {});

}  // namespace hpo
