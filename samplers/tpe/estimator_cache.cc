#include "samplers/tpe/estimator_cache.h"

#include <cstring>
#include <utility>

namespace hpo::tpe {
namespace {

// Bitwise, so that a cached estimator is exactly the one the inputs would give (and NaN
// matches itself).
template <class M>
bool same_bits(const M& a, const M& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 ||
          std::memcmp(a.data(), b.data(), static_cast<size_t>(a.size()) * sizeof(double)) == 0);
}

}  // namespace

std::shared_ptr<const ParzenEstimator> EstimatorCache::get(
    const std::vector<ParzenDimension>& dimensions, Eigen::MatrixXd observations,
    Eigen::VectorXd weights, const ParzenEstimatorOptions& options, const KernelMasses* masses) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const Entry& e : entries_) {
      if (same_bits(e.observations, observations) && same_bits(e.weights, weights) &&
          e.dimensions == dimensions && e.options == options) {
        ++hits_;
        return e.estimator;
      }
    }
  }
  // Built outside the lock: other workers keep using the cache meanwhile.
  auto estimator =
      std::make_shared<const ParzenEstimator>(dimensions, observations, weights, options, masses);
  std::lock_guard<std::mutex> lock(mutex_);
  if (entries_.size() >= kMaxEntries) entries_.erase(entries_.begin());
  entries_.push_back(
      Entry{dimensions, std::move(observations), std::move(weights), options, estimator});
  return estimator;
}

int EstimatorCache::hits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return hits_;
}

}  // namespace hpo::tpe
