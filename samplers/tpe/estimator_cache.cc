#include "samplers/tpe/estimator_cache.h"

#include <algorithm>
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
    Eigen::VectorXd weights, const ParzenEstimatorOptions& options,
    const MassesFor& masses) {
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
  const std::optional<KernelMasses> kernel_masses = masses ? masses(observations) : std::nullopt;
  auto estimator =
      std::make_shared<const ParzenEstimator>(dimensions, observations, weights, options,
                                              kernel_masses ? &*kernel_masses : nullptr);
  std::lock_guard<std::mutex> lock(mutex_);
  if (entries_.size() >= kMaxEntries) entries_.erase(entries_.begin());
  entries_.push_back(
      Entry{dimensions, std::move(observations), std::move(weights), options, estimator});
  return estimator;
}

std::shared_ptr<const ParzenEstimator> EstimatorCache::get(
    uint64_t key, const std::vector<ParzenDimension>& dimensions,
    const Eigen::MatrixXd& observations, const std::function<Eigen::VectorXd(int)>& weights,
    const ParzenEstimatorOptions& options,
    const MassesFor& masses) {
  // Least recently used last out: a growing study's "below" estimator often outlives several
  // "above" ones.
  auto find = [&]() -> std::shared_ptr<const ParzenEstimator> {
    for (auto it = keyed_.begin(); it != keyed_.end(); ++it) {
      if (it->key == key && it->dimensions == dimensions && it->options == options) {
        std::rotate(it, it + 1, keyed_.end());
        return keyed_.back().estimator;
      }
    }
    return nullptr;
  };
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto cached = find()) {
      ++hits_;
      return cached;
    }
  }
  const std::optional<KernelMasses> kernel_masses = masses ? masses(observations) : std::nullopt;
  auto estimator = std::make_shared<const ParzenEstimator>(
      dimensions, observations, weights(static_cast<int>(observations.rows())), options,
      kernel_masses ? &*kernel_masses : nullptr);
  std::lock_guard<std::mutex> lock(mutex_);
  // Another worker may have built the same one meanwhile: share that.
  if (auto cached = find()) return cached;
  if (keyed_.size() >= kMaxEntries) keyed_.erase(keyed_.begin());
  keyed_.push_back(KeyedEntry{key, dimensions, options, estimator});
  return estimator;
}

int EstimatorCache::hits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return hits_;
}

}  // namespace hpo::tpe
