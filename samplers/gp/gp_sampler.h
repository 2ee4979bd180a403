// GpSampler: Bayesian optimization with a Gaussian process, in the spirit of Optuna 4's
// GPSampler and BoTorch's defaults.
//
// After n_startup_trials, each trial's relative params come from a GP fitted to the COMPLETE
// trials (samplers/gp/gaussian_process.h) and the maximizer of log expected improvement
// (samplers/gp/acquisition.h). Before that, relative params follow a scrambled Halton sequence
// indexed by trial number. Params outside the relative space (define-by-run) and multi-objective
// studies are sampled by the random sampler.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "core/sampler.h"

namespace hpo {

class RandomSampler;

struct GpSamplerOptions {
  // With a seed, a sequential study repeats exactly; each trial's randomness derives from the
  // seed and the trial number, so a resumed study does not replay earlier proposals.
  std::optional<uint64_t> seed;
  // COMPLETE trials needed before the GP takes over.
  int n_startup_trials = 10;
  // Fix the noise at its minimum (Optuna's option), for objectives without noise.
  bool deterministic_objective = false;
  // Quasi-random candidates scored before the local search, and how many of the best are
  // refined by L-BFGS-B (Optuna's n_preliminary_samples and n_local_search).
  int n_preliminary_samples = 2048;
  int n_local_search = 10;
  // Kernel hyperparameters are refitted on every trial while the GP has at most
  // `refit_every_trial_until` observations, then only once the number of observations has grown
  // by the fraction `refit_growth` since the last fit; in between, new observations extend the
  // Cholesky factor in O(n^2) under the previous hyperparameters.
  int refit_every_trial_until = 200;
  double refit_growth = 0.05;
  // Large studies: hyperparameters are fitted on at most this many observations (evenly spaced
  // in trial order; the posterior still uses all n of them), and beyond it the candidate count
  // and the local-search starts shrink by (max_fit_points / n)^2 (to no fewer than 256 and 2),
  // so that a suggestion costs about what it costs at max_fit_points, plus the O(n^2) updates.
  int max_fit_points = 300;
};

// Thread-safe: one model cache guarded by a mutex, so concurrent workers take turns in
// sample_relative. Running trials of other workers (and proposals this sampler has handed out
// but not yet seen recorded) count as observed at the posterior mean (kriging believer), which
// lowers the variance there so that workers do not propose the same point.
class GpSampler : public Sampler {
 public:
  // Throws std::invalid_argument for an option out of range, naming it and its value.
  explicit GpSampler(GpSamplerOptions options = {});
  ~GpSampler() override;

  SearchSpace infer_relative_search_space(const StudyView& study,
                                          const FrozenTrial& trial) override;
  InternalParams sample_relative(const StudyView& study, const FrozenTrial& trial,
                                 const SearchSpace& space) override;
  double sample_independent(const StudyView& study, const FrozenTrial& trial,
                            std::string_view name, const Distribution& distribution) override;
  void after_trial(const StudyView& study, const FrozenTrial& trial, TrialState state,
                   const std::vector<double>& values) override;
  void reseed(uint64_t seed) override;

  const GpSamplerOptions& options() const { return options_; }

 private:
  struct Model;  // Eigen state, kept out of this header

  InternalParams sample_startup(const FrozenTrial& trial, const SearchSpace& space) const;

  GpSamplerOptions options_;
  std::mutex mu_;
  uint64_t seed_;
  std::shared_ptr<RandomSampler> independent_;  // for params outside the relative space
  std::unique_ptr<Model> model_;
};

}  // namespace hpo
