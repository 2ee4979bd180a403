// The last few Parzen estimators the sampler built, by their exact inputs: an ask that sees the
// same trials as an earlier one (trials that failed in between, repeated asks while others run)
// reuses the estimator instead of computing every kernel's normalizers again.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <Eigen/Core>

#include "samplers/tpe/parzen_estimator.h"

namespace hpo::tpe {

// Thread-safe. Estimators are immutable, so several workers may share one.
class EstimatorCache {
 public:
  // Precomputed truncation masses for an estimator of `observations`, or none.
  using MassesFor = std::function<std::optional<KernelMasses>(const Eigen::MatrixXd& observations)>;

  // The estimator ParzenEstimator(dimensions, observations, weights, options) would build: a
  // cached one when an entry has bitwise the same inputs, else a new one, which replaces the
  // oldest entry (keeping `observations` and `weights`: moved in, they are not copied).
  // `masses` as for the keyed get below.
  std::shared_ptr<const ParzenEstimator> get(
      const std::vector<ParzenDimension>& dimensions, Eigen::MatrixXd observations,
      Eigen::VectorXd weights, const ParzenEstimatorOptions& options,
      const MassesFor& masses = {});

  // The estimator ParzenEstimator(dimensions, observations, weights(observations.rows()),
  // options) would build, where `key` stands for (observations, weights): it must change
  // whenever they may (JointSplit's ids). A cached one when an entry has the same key,
  // dimensions and options, else a new one (nothing is copied: the caller keeps the matrix).
  // `masses`, if set, is called with the observations on a miss only, for the constructor's
  // precomputed masses (none when it returns nothing); a cached estimator's
  // log_pdf_error_bound says how far off its densities may be.
  std::shared_ptr<const ParzenEstimator> get(
      uint64_t key, const std::vector<ParzenDimension>& dimensions,
      const Eigen::MatrixXd& observations, const std::function<Eigen::VectorXd(int)>& weights,
      const ParzenEstimatorOptions& options,
      const MassesFor& masses = {});

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

  struct KeyedEntry {
    uint64_t key = 0;
    std::vector<ParzenDimension> dimensions;
    ParzenEstimatorOptions options;
    std::shared_ptr<const ParzenEstimator> estimator;
  };

  mutable std::mutex mutex_;
  std::vector<Entry> entries_;  // oldest first
  std::vector<KeyedEntry> keyed_;  // least recently used first
  int hits_ = 0;
};

}  // namespace hpo::tpe
