// TpeSampler: the Tree-structured Parzen Estimator with the semantics of Optuna's TPESampler.
//
// After n_startup_trials random trials, the finished trials are split into the best gamma(n)
// ("below") and the rest ("above"); a Parzen estimator is fitted to each, n_ei_candidates points
// are drawn from the "below" estimator, and the one with the highest l(x)/g(x) is proposed.
// Pruned trials rank after complete ones, by their last step (later is better) and then by their
// last intermediate value, as in Optuna; with constant_liar, running trials count as the worst.
//
// Reference: Bergstra et al., "Algorithms for Hyper-Parameter Optimization", NeurIPS 2011;
// Falkner et al., "BOHB", ICML 2018 (multivariate); Watanabe, "Tree-Structured Parzen Estimator:
// Understanding Its Algorithm Components...", 2023.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/distribution.h"
#include "core/frozen_trial.h"
#include "core/sampler.h"
#include "core/study_view.h"

namespace hpo {
namespace tpe {
struct ParzenEstimatorOptions;
class UnivariateFeed;
}  // namespace tpe

// The number of "below" trials out of n finished ones: ceil(0.1 n), at most 25.
int tpe_default_gamma(int n);
// hyperopt's gamma: ceil(0.25 sqrt(n)), at most 25.
int tpe_hyperopt_default_gamma(int n);
// Weights of n observations in chronological order: flat for n < 25, otherwise a ramp from
// 1/n up to 1 for the oldest n - 25 and 1 for the newest 25.
std::vector<double> tpe_default_weights(int n);

// Optuna's option names. Defaults follow Optuna 5.0 (multivariate and constant liar on); with
// multivariate = false, constant_liar = false and normalized_kernels = false the sampler
// behaves as Optuna 3.1's default.
struct TpeSamplerOptions {
  bool consider_prior = true;
  double prior_weight = 1.0;
  bool consider_magic_clip = true;
  bool consider_endpoints = false;
  // Unit-mass continuous kernels, as Optuna since 3.5. False scores l(x) and g(x) as Optuna 3.1
  // does, continuous kernels without their 1/sigma (Optuna issue 5109), which amounts to
  // weighting each kernel by its width: wide kernels (the prior, isolated trials) count more
  // and TPE explores more. bench/RESULTS.md measures both.
  bool normalized_kernels = true;
  int n_startup_trials = 10;
  int n_ei_candidates = 24;
  // Empty: tpe_default_gamma / tpe_default_weights.
  std::function<int(int)> gamma;
  std::function<std::vector<double>(int)> weights;
  std::optional<uint64_t> seed;  // none: a random seed drawn once at construction
  // One joint estimator over the relative search space (the params every finished trial has).
  bool multivariate = true;
  // Decompose the relative space into groups of params that always appear together, for
  // conditional spaces; requires multivariate.
  bool group = false;
  // Running trials count as the worst trials, so that parallel workers spread out.
  bool constant_liar = true;
};

// Thread-safe: ask may run in several workers at once. Each draw's randomness comes from
// (seed, trial number, parameter), so results do not depend on thread timing and a resumed
// study does not replay the params it already tried.
//
// Two-objective studies use the multi-objective split (non-dominated sorting, then hypervolume
// contributions); with three or more objectives sample_* throws std::invalid_argument.
class TpeSampler final : public Sampler {
 public:
  // Throws std::invalid_argument for group without multivariate, n_startup_trials < 0,
  // n_ei_candidates < 1, prior_weight <= 0 (or not finite).
  explicit TpeSampler(TpeSamplerOptions options = {});
  ~TpeSampler() override;

  SearchSpace infer_relative_search_space(const StudyView& study,
                                          const FrozenTrial& trial) override;
  InternalParams sample_relative(const StudyView& study, const FrozenTrial& trial,
                                 const SearchSpace& space) override;
  double sample_independent(const StudyView& study, const FrozenTrial& trial,
                            std::string_view name, const Distribution& distribution) override;
  void reseed(uint64_t seed) override;

  const TpeSamplerOptions& options() const { return options_; }

 private:
  class ObservationCache;

  // Samples the params of `space` (one TPE step) or returns nothing before the startup trials.
  std::optional<InternalParams> sample_space(const StudyView& study, const FrozenTrial& trial,
                                             const std::vector<std::string>& names,
                                             const std::vector<Distribution>& distributions,
                                             uint64_t stream);
  tpe::ParzenEstimatorOptions parzen_options() const;
  uint64_t seed() const;

  TpeSamplerOptions options_;
  mutable std::mutex seed_mutex_;
  uint64_t seed_;
  std::unique_ptr<ObservationCache> cache_;
  std::unique_ptr<tpe::UnivariateFeed> feed_;  // univariate single-objective TPE
};

}  // namespace hpo
