// The last few Parzen estimators the sampler built, by their exact inputs: an ask that sees the
// same trials as an earlier one (trials that failed in between, repeated asks while others run)
// reuses the estimator instead of computing every kernel's normalizers again.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include <Eigen/Core>

#include "samplers/tpe/parzen_estimator.h"

namespace hpo::tpe {

// Thread-safe. Estimators are immutable, so several workers may share one.
class EstimatorCache {
 public:
  // The estimator ParzenEstimator(dimensions, observations, weights, options, masses) would
  // build: a cached one when an entry has bitwise the same dimensions, observations, weights and
  // options, else a new one, which replaces the oldest entry (keeping `observations` and
  // `weights`: moved in, they are not copied). A cached estimator may carry other precomputed
  // masses than `masses`: its log_pdf_error_bound says how far off its densities may be.
  std::shared_ptr<const ParzenEstimator> get(const std::vector<ParzenDimension>& dimensions,
                                             Eigen::MatrixXd observations, Eigen::VectorXd weights,
                                             const ParzenEstimatorOptions& options,
                                             const KernelMasses* masses = nullptr);

  // How many calls of get returned a cached estimator (for tests).
  int hits() const;

 private:
  // The below and above estimators of a couple of param lists.
  static constexpr size_t kMaxEntries = 4;

  struct Entry {
    std::vector<ParzenDimension> dimensions;
    Eigen::MatrixXd observations;
    Eigen::VectorXd weights;
    ParzenEstimatorOptions options;
    std::shared_ptr<const ParzenEstimator> estimator;
  };

  mutable std::mutex mutex_;
  std::vector<Entry> entries_;  // oldest first
  int hits_ = 0;
};

}  // namespace hpo::tpe
